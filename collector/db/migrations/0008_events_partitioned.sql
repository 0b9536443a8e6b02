-- Custom SQL migration file, put your code below! --
-- `events` becomes range-partitioned by `received_at`, one partition a month (UTC), plus a
-- DEFAULT partition that catches a row no monthly partition covers (kept empty: the collector
-- makes partitions ahead and moves any such row into its month; see collector/db/partitions.ts).
-- drizzle cannot declare a partitioned table, so schema.ts keeps describing the columns and
-- this migration rebuilds the table: old table renamed, partitioned table created with the same
-- columns, key and identity, partitions for every month present and for the current month and
-- the next three, rows moved with their ids, the id sequence continued, the old table dropped,
-- then its indexes declared again on the parent (they propagate to every partition, present
-- and future; the three of 0000 and any a later-numbered migration merged before this one added).
-- Every index of the old table but its key, as it was declared, to declare again on the new one
-- (whatever migrations added before this one).
CREATE TEMPORARY TABLE "inkling_event_indexes" AS
  SELECT pg_get_indexdef(x.indexrelid) AS def FROM pg_index x
  WHERE x.indrelid = 'events'::regclass AND NOT x.indisprimary;--> statement-breakpoint
ALTER TABLE "events" RENAME TO "events_unpartitioned";--> statement-breakpoint
ALTER TABLE "events_unpartitioned" RENAME CONSTRAINT "events_site_id_received_at_id_pk" TO "events_unpartitioned_pk";--> statement-breakpoint
ALTER SEQUENCE "events_id_seq" RENAME TO "events_unpartitioned_id_seq";--> statement-breakpoint
CREATE TABLE "events" (
	"site_id" text NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	"id" bigint GENERATED ALWAYS AS IDENTITY (sequence name "events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"message_id" text NOT NULL,
	"type" text NOT NULL,
	"event" text,
	"name" text,
	"anonymous_id" text,
	"user_id" text,
	"group_id" text,
	"previous_id" text,
	"timestamp" timestamp with time zone NOT NULL,
	"original_timestamp" timestamp with time zone,
	"sent_at" timestamp with time zone,
	"properties" jsonb NOT NULL,
	"traits" jsonb NOT NULL,
	"context" jsonb NOT NULL,
	"url" text,
	"path" text,
	"referrer" text,
	"utm_source" text,
	"utm_medium" text,
	"utm_campaign" text,
	"utm_term" text,
	"utm_content" text,
	"browser" text,
	"browser_version" text,
	"os" text,
	"os_version" text,
	"device_type" text,
	"is_bot" boolean NOT NULL,
	"ip" text,
	CONSTRAINT "events_site_id_received_at_id_pk" PRIMARY KEY("site_id","received_at","id")
) PARTITION BY RANGE ("received_at");--> statement-breakpoint
CREATE TABLE "events_default" PARTITION OF "events" DEFAULT;--> statement-breakpoint
DO $$
DECLARE
  month timestamptz;
BEGIN
  FOR month IN
    SELECT DISTINCT date_trunc('month', "received_at", 'UTC') FROM "events_unpartitioned"
    UNION
    SELECT date_trunc('month', now(), 'UTC') + make_interval(months => n) FROM generate_series(0, 3) AS n
  LOOP
    EXECUTE format(
      'CREATE TABLE %I PARTITION OF "events" FOR VALUES FROM (%L) TO (%L)',
      'events_' || to_char(month AT TIME ZONE 'UTC', 'YYYY_MM'),
      month,
      month + interval '1 month'
    );
  END LOOP;
END $$;--> statement-breakpoint
INSERT INTO "events" OVERRIDING SYSTEM VALUE SELECT * FROM "events_unpartitioned";--> statement-breakpoint
SELECT setval('"events_id_seq"', last_value, is_called) FROM "events_unpartitioned_id_seq";--> statement-breakpoint
DROP TABLE "events_unpartitioned";--> statement-breakpoint
DO $$
DECLARE
  index_def text;
BEGIN
  FOR index_def IN SELECT def FROM "inkling_event_indexes" LOOP
    EXECUTE index_def;
  END LOOP;
END $$;--> statement-breakpoint
DROP TABLE "inkling_event_indexes";
