ALTER TABLE "account_scores" ADD COLUMN "change_7d" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "person_scores" ADD COLUMN "change_7d" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX "account_scores_site_change_idx" ON "account_scores" USING btree ("site_id","change_7d");--> statement-breakpoint
CREATE INDEX "person_scores_site_change_idx" ON "person_scores" USING btree ("site_id","change_7d");