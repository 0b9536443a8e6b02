CREATE TABLE "account_contacts" (
	"site_id" text NOT NULL,
	"account_id" text NOT NULL,
	"person_id" text NOT NULL,
	"score" integer NOT NULL,
	"tier" text NOT NULL,
	"type" text NOT NULL,
	"points" double precision NOT NULL,
	"engaged" boolean NOT NULL,
	"hits" jsonb,
	CONSTRAINT "account_contacts_site_id_account_id_person_id_pk" PRIMARY KEY("site_id","account_id","person_id")
);
--> statement-breakpoint
INSERT INTO "account_contacts" ("site_id", "account_id", "person_id", "score", "tier", "type", "points", "engaged")
SELECT s."site_id", s."account_id", c."personId", c."score", c."tier", c."type", c."points", c."engaged"
  FROM "account_scores" s, jsonb_to_recordset(s."contacts") AS c("personId" text, "score" int, "tier" text, "type" text,
    "points" double precision, "engaged" boolean)
  ON CONFLICT DO NOTHING;--> statement-breakpoint
ALTER TABLE "account_scores" DROP COLUMN "contacts";--> statement-breakpoint
ALTER TABLE "account_scores" DROP COLUMN "hits";