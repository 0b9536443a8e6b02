CREATE TABLE "dashboard_sessions" (
	"site_id" text NOT NULL,
	"id" text NOT NULL,
	"user_id" text NOT NULL,
	"csrf_token" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	CONSTRAINT "dashboard_sessions_site_id_id_pk" PRIMARY KEY("site_id","id")
);
--> statement-breakpoint
CREATE TABLE "dashboard_users" (
	"site_id" text NOT NULL,
	"id" text NOT NULL,
	"email" text NOT NULL,
	"name" text NOT NULL,
	"role" text NOT NULL,
	"slack_member_id" text,
	"password_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "dashboard_users_site_id_id_pk" PRIMARY KEY("site_id","id")
);
--> statement-breakpoint
CREATE INDEX "dashboard_sessions_site_user_idx" ON "dashboard_sessions" USING btree ("site_id","user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "dashboard_users_site_email_idx" ON "dashboard_users" USING btree ("site_id","email");--> statement-breakpoint
CREATE INDEX "dashboard_users_email_idx" ON "dashboard_users" USING btree ("email");--> statement-breakpoint
CREATE INDEX "score_history_site_kind_at_idx" ON "score_history" USING btree ("site_id","subject_kind","at");