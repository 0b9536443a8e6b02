-- Custom SQL migration file, put your code below! --
-- Scores stored before change_7d existed have change_7d = 0, undated explanations and a
-- next_change_at that ignores the 7-day baseline: make them all due, so the rescore job
-- recomputes them on its next run.
UPDATE "person_scores" SET "next_change_at" = now();--> statement-breakpoint
UPDATE "account_scores" SET "next_change_at" = now();
