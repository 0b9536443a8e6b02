CREATE TABLE "deliveries" (
	"site_id" text NOT NULL,
	"id" bigint GENERATED ALWAYS AS IDENTITY (sequence name "deliveries_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"rule_id" text NOT NULL,
	"firing_id" text,
	"webhook_id" text NOT NULL,
	"kind" text NOT NULL,
	"url" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"locked_until" timestamp with time zone,
	"give_up_at" timestamp with time zone NOT NULL,
	"last_status" integer,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"delivered_at" timestamp with time zone,
	CONSTRAINT "deliveries_site_id_id_pk" PRIMARY KEY("site_id","id")
);
--> statement-breakpoint
CREATE TABLE "firings" (
	"site_id" text NOT NULL,
	"id" text NOT NULL,
	"rule_id" text NOT NULL,
	"subject_kind" text NOT NULL,
	"subject_id" text NOT NULL,
	"change_key" text NOT NULL,
	"outcome" text NOT NULL,
	"recipient" text,
	"payload" jsonb NOT NULL,
	"fired_at" timestamp with time zone NOT NULL,
	"digest_delivery_id" bigint,
	CONSTRAINT "firings_site_id_id_pk" PRIMARY KEY("site_id","id")
);
--> statement-breakpoint
CREATE TABLE "rule_subjects" (
	"site_id" text NOT NULL,
	"rule_id" text NOT NULL,
	"subject_id" text NOT NULL,
	"fired_count" integer DEFAULT 0 NOT NULL,
	"recent_firings" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"stopped_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "rule_subjects_site_id_rule_id_subject_id_pk" PRIMARY KEY("site_id","rule_id","subject_id")
);
--> statement-breakpoint
CREATE TABLE "rules" (
	"site_id" text NOT NULL,
	"id" text NOT NULL,
	"name" text NOT NULL,
	"subject" text NOT NULL,
	"definition" jsonb NOT NULL,
	"secret" text NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"disabled_reason" text,
	"round_robin_next" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "rules_site_id_id_pk" PRIMARY KEY("site_id","id")
);
--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "owner" text;--> statement-breakpoint
ALTER TABLE "persons" ADD COLUMN "owner" text;--> statement-breakpoint
CREATE INDEX "deliveries_rule_idx" ON "deliveries" USING btree ("site_id","rule_id","created_at");--> statement-breakpoint
CREATE INDEX "deliveries_due_idx" ON "deliveries" USING btree ("next_attempt_at") WHERE status = 'pending';--> statement-breakpoint
CREATE UNIQUE INDEX "firings_change_idx" ON "firings" USING btree ("site_id","rule_id","subject_id","change_key");--> statement-breakpoint
CREATE INDEX "firings_rule_idx" ON "firings" USING btree ("site_id","rule_id","fired_at");