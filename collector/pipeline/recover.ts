import type { Database } from '../db/client.ts';
import type { EventRow } from '../db/event-row.ts';
import type { ConfigStore } from '../scoring/config-store.ts';
import { processRows } from './pipeline.ts';

/**
 * How old a mark must be before another process takes it for a crash's leftover: longer than
 * any live group takes between its insert and its scores, so recovery does not redo a live
 * collector's work (doing so would only cost time: scoring is idempotent).
 */
export const RECOVER_GRACE_MS = 120_000;

export interface RecoverOptions {
  /** Only marks at least this old (by the database's clock). @default RECOVER_GRACE_MS */
  graceMs?: number;
  /** Marks per round. @default 1000 */
  batchSize?: number;
}

type StoredRow = Omit<EventRow, 'timestamp' | 'original_timestamp' | 'sent_at' | 'received_at'> & {
  mark_site_id: string;
  mark_message_id: string;
  /** Null when the event is gone (erased): its mark is only cleared. */
  event_message_id: string | null;
  timestamp: Date;
  original_timestamp: Date | null;
  sent_at: Date | null;
  received_at: Date;
};

// Oldest first, in insertion order (the event id): identity replays the groups' order.
const OLD_MARKS = `
SELECT u.site_id AS mark_site_id, u.message_id AS mark_message_id, e.message_id AS event_message_id,
  e.site_id, e.message_id, e.type, e.event, e.name, e.anonymous_id, e.user_id, e.group_id, e.previous_id,
  e."timestamp", e.original_timestamp, e.sent_at, e.received_at, e.properties, e.traits, e.context,
  e.url, e.path, e.referrer, e.utm_source, e.utm_medium, e.utm_campaign, e.utm_term, e.utm_content,
  e.browser, e.browser_version, e.os, e.os_version, e.device_type, e.is_bot, e.ip
FROM unscored u
LEFT JOIN events e ON e.site_id = u.site_id AND e.received_at = u.received_at AND e.id = u.event_id
WHERE u.marked_at <= now() - $1::int * interval '1 millisecond'
ORDER BY u.event_id
LIMIT $2`;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** A stored event back in the shape the pipeline takes from ingest. */
function toEventRow(r: StoredRow): EventRow {
  const { mark_site_id, mark_message_id, event_message_id, ...row } = r;
  return {
    ...row,
    timestamp: r.timestamp.toISOString(),
    original_timestamp: iso(r.original_timestamp),
    sent_at: iso(r.sent_at),
    received_at: r.received_at.toISOString(),
  };
}

/**
 * Finds events stored and never scored (their process died, or its scoring failed, between
 * the insert and the scores) and runs identity and scoring for them exactly as the writer's
 * pipeline would, then clears their marks. Marks of events erased since are cleared
 * without scoring anything. Answers how many events were replayed.
 */
export async function recoverUnscored(
  db: Database,
  configs: ConfigStore,
  options: RecoverOptions = {},
): Promise<{ events: number }> {
  const grace = Math.max(0, Math.round(options.graceMs ?? RECOVER_GRACE_MS));
  const size = options.batchSize ?? 1000;
  let events = 0;
  for (;;) {
    const marks = await db.query<StoredRow>(OLD_MARKS, [grace, size]);
    if (marks.length === 0) break;
    const rows = marks.filter((m) => m.event_message_id !== null).map(toEventRow);
    // Marks of erased events too: only cleared, with the scores of the others.
    const keys = marks.map((m) => ({ site_id: m.mark_site_id, message_id: m.mark_message_id }));
    await processRows(db, configs, rows, Date.now(), undefined, keys);
    events += rows.length;
    if (marks.length < size) break;
  }
  return { events };
}
