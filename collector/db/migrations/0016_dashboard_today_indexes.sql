DROP INDEX "account_scores_site_score_idx";--> statement-breakpoint
CREATE INDEX "account_scores_site_tier_idx" ON "account_scores" USING btree ("site_id","tier");--> statement-breakpoint
CREATE INDEX "account_scores_site_score_idx" ON "account_scores" USING btree ("site_id","score" DESC NULLS FIRST,"account_id");