import type { Database } from './client.ts';

/**
 * The `unscored` marks (schema.ts): written by the ingest insert statement itself, deleted
 * here once identity and scores of those events are committed (by the writer, per group, or
 * by `scoring/recover.ts`).
 */
const CLEAR_MARKS = `
DELETE FROM unscored u
USING jsonb_to_recordset($1::jsonb) AS b(site_id text, message_id text)
WHERE u.site_id = b.site_id AND u.message_id = b.message_id`;

/** Deletes the marks of these (site, messageId) pairs in one statement. */
export async function clearMarks(db: Database, rows: readonly { site_id: string; message_id: string }[]) {
  if (rows.length === 0) return;
  const keys = rows.map((r) => ({ site_id: r.site_id, message_id: r.message_id }));
  await db.query(CLEAR_MARKS, [JSON.stringify(keys)]);
}
