CREATE TABLE "account_aliases" (
	"site_id" text NOT NULL,
	"kind" text NOT NULL,
	"alias" text NOT NULL,
	"account_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "account_aliases_site_id_kind_alias_pk" PRIMARY KEY("site_id","kind","alias")
);
--> statement-breakpoint
CREATE INDEX "account_aliases_site_account_idx" ON "account_aliases" USING btree ("site_id","account_id");