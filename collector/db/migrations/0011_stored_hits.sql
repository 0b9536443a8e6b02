DROP INDEX "events_site_anonymous_idx";--> statement-breakpoint
DROP INDEX "events_site_user_idx";--> statement-breakpoint
ALTER TABLE "person_scores" ADD COLUMN "hits" jsonb;--> statement-breakpoint
CREATE INDEX "events_site_anonymous_time_idx" ON "events" USING btree ("site_id","anonymous_id","timestamp");--> statement-breakpoint
CREATE INDEX "events_site_user_time_idx" ON "events" USING btree ("site_id","user_id","timestamp");--> statement-breakpoint
-- Derived signals now look back at most 2 x 90 days, and persons store the signals their
-- accounts roll up: make every score due, so the rescore job recomputes it and fills
-- person_scores.hits on its next run (until then an account reads such a contact's events).
UPDATE "person_scores" SET "next_change_at" = now();--> statement-breakpoint
UPDATE "account_scores" SET "next_change_at" = now();
