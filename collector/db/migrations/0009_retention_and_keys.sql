CREATE TABLE "link_slugs" (
	"slug" text PRIMARY KEY NOT NULL,
	"site_id" text NOT NULL
);
--> statement-breakpoint
DROP INDEX "links_slug_idx";--> statement-breakpoint
ALTER TABLE "sites" ADD COLUMN "retention_days" integer;--> statement-breakpoint
CREATE INDEX "message_ids_site_received_idx" ON "message_ids" USING btree ("site_id","received_at");