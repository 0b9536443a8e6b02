-- The periodic rescore reads due scores in (next_change_at, site, id) order, one round at a time.
DROP INDEX "account_scores_next_change_idx";--> statement-breakpoint
DROP INDEX "person_scores_next_change_idx";--> statement-breakpoint
CREATE INDEX "account_scores_next_change_idx" ON "account_scores" USING btree ("next_change_at","site_id","account_id");--> statement-breakpoint
CREATE INDEX "person_scores_next_change_idx" ON "person_scores" USING btree ("next_change_at","site_id","person_id");