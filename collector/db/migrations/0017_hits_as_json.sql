-- Stored signals as json (text kept as written): read back by copy, not by printing jsonb numbers.
ALTER TABLE "account_contacts" ALTER COLUMN "hits" SET DATA TYPE json;--> statement-breakpoint
ALTER TABLE "person_scores" ALTER COLUMN "hits" SET DATA TYPE json;