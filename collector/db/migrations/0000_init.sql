CREATE TABLE "events" (
	"site_id" text NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	"id" bigint GENERATED ALWAYS AS IDENTITY (sequence name "events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"message_id" text NOT NULL,
	"type" text NOT NULL,
	"event" text,
	"name" text,
	"anonymous_id" text,
	"user_id" text,
	"group_id" text,
	"previous_id" text,
	"timestamp" timestamp with time zone NOT NULL,
	"original_timestamp" timestamp with time zone,
	"sent_at" timestamp with time zone,
	"properties" jsonb NOT NULL,
	"traits" jsonb NOT NULL,
	"context" jsonb NOT NULL,
	"url" text,
	"path" text,
	"referrer" text,
	"utm_source" text,
	"utm_medium" text,
	"utm_campaign" text,
	"utm_term" text,
	"utm_content" text,
	"browser" text,
	"browser_version" text,
	"os" text,
	"os_version" text,
	"device_type" text,
	"is_bot" boolean NOT NULL,
	"ip" text,
	CONSTRAINT "events_site_id_received_at_id_pk" PRIMARY KEY("site_id","received_at","id")
);
--> statement-breakpoint
CREATE TABLE "message_ids" (
	"site_id" text NOT NULL,
	"message_id" text NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	CONSTRAINT "message_ids_site_id_message_id_pk" PRIMARY KEY("site_id","message_id")
);
--> statement-breakpoint
CREATE TABLE "sites" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"origins" text[] DEFAULT '{}'::text[] NOT NULL,
	"write_key" text NOT NULL,
	"secret_key_id" text NOT NULL,
	"secret_key_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "events_site_anonymous_idx" ON "events" USING btree ("site_id","anonymous_id");--> statement-breakpoint
CREATE INDEX "events_site_user_idx" ON "events" USING btree ("site_id","user_id");--> statement-breakpoint
CREATE INDEX "events_site_timestamp_idx" ON "events" USING btree ("site_id","timestamp");--> statement-breakpoint
CREATE UNIQUE INDEX "sites_write_key_idx" ON "sites" USING btree ("write_key");--> statement-breakpoint
CREATE UNIQUE INDEX "sites_secret_key_id_idx" ON "sites" USING btree ("secret_key_id");