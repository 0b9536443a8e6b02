CREATE TABLE "unscored" (
	"site_id" text NOT NULL,
	"message_id" text NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	"event_id" bigint NOT NULL,
	"marked_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "unscored_site_id_message_id_pk" PRIMARY KEY("site_id","message_id")
);
