CREATE TABLE "account_scores" (
	"site_id" text NOT NULL,
	"account_id" text NOT NULL,
	"score" integer NOT NULL,
	"tier" text NOT NULL,
	"trend" text NOT NULL,
	"points" double precision NOT NULL,
	"explanation" jsonb NOT NULL,
	"categories" jsonb NOT NULL,
	"contacts" jsonb NOT NULL,
	"next_change_at" timestamp with time zone,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "account_scores_site_id_account_id_pk" PRIMARY KEY("site_id","account_id")
);
--> statement-breakpoint
CREATE TABLE "accounts" (
	"site_id" text NOT NULL,
	"id" text NOT NULL,
	"group_id" text,
	"domain" text,
	"name" text,
	"traits" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "accounts_site_id_id_pk" PRIMARY KEY("site_id","id")
);
--> statement-breakpoint
CREATE TABLE "identities" (
	"site_id" text NOT NULL,
	"anonymous_id" text NOT NULL,
	"person_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "identities_site_id_anonymous_id_pk" PRIMARY KEY("site_id","anonymous_id")
);
--> statement-breakpoint
CREATE TABLE "identity_conflicts" (
	"site_id" text NOT NULL,
	"id" bigint GENERATED ALWAYS AS IDENTITY (sequence name "identity_conflicts_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"anonymous_id" text,
	"kept_person_id" text,
	"refused_user_id" text,
	"reason" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "identity_conflicts_site_id_id_pk" PRIMARY KEY("site_id","id")
);
--> statement-breakpoint
CREATE TABLE "person_scores" (
	"site_id" text NOT NULL,
	"person_id" text NOT NULL,
	"score" integer NOT NULL,
	"tier" text NOT NULL,
	"type" text NOT NULL,
	"trend" text NOT NULL,
	"points" double precision NOT NULL,
	"explanation" jsonb NOT NULL,
	"categories" jsonb NOT NULL,
	"next_change_at" timestamp with time zone,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "person_scores_site_id_person_id_pk" PRIMARY KEY("site_id","person_id")
);
--> statement-breakpoint
CREATE TABLE "persons" (
	"site_id" text NOT NULL,
	"id" text NOT NULL,
	"user_id" text,
	"email" text,
	"traits" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"account_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "persons_site_id_id_pk" PRIMARY KEY("site_id","id")
);
--> statement-breakpoint
CREATE TABLE "score_history" (
	"site_id" text NOT NULL,
	"subject_kind" text NOT NULL,
	"subject_id" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"id" bigint GENERATED ALWAYS AS IDENTITY (sequence name "score_history_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"score" integer NOT NULL,
	"tier" text NOT NULL,
	CONSTRAINT "score_history_site_id_subject_kind_subject_id_at_id_pk" PRIMARY KEY("site_id","subject_kind","subject_id","at","id")
);
--> statement-breakpoint
CREATE TABLE "site_configs" (
	"site_id" text PRIMARY KEY NOT NULL,
	"config" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "account_scores_next_change_idx" ON "account_scores" USING btree ("next_change_at");--> statement-breakpoint
CREATE INDEX "account_scores_site_score_idx" ON "account_scores" USING btree ("site_id","score");--> statement-breakpoint
CREATE UNIQUE INDEX "accounts_site_group_idx" ON "accounts" USING btree ("site_id","group_id") WHERE "accounts"."group_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "accounts_site_domain_idx" ON "accounts" USING btree ("site_id","domain") WHERE "accounts"."domain" is not null;--> statement-breakpoint
CREATE INDEX "identities_site_person_idx" ON "identities" USING btree ("site_id","person_id");--> statement-breakpoint
CREATE INDEX "person_scores_next_change_idx" ON "person_scores" USING btree ("next_change_at");--> statement-breakpoint
CREATE INDEX "person_scores_site_score_idx" ON "person_scores" USING btree ("site_id","score");--> statement-breakpoint
CREATE UNIQUE INDEX "persons_site_user_idx" ON "persons" USING btree ("site_id","user_id") WHERE "persons"."user_id" is not null;--> statement-breakpoint
CREATE INDEX "persons_site_account_idx" ON "persons" USING btree ("site_id","account_id");