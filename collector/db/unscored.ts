import type { Queryable } from './client.ts';

/**
 * The `unscored` marks (schema.ts): written by the ingest insert statement itself, deleted
 * here, in the transaction that commits the last of those events' scores (the pipeline's,
 * for the writer's groups and for `pipeline/recover.ts`).
 */
const CLEAR_MARKS = `
DELETE FROM unscored u
USING jsonb_to_recordset($1::jsonb) AS b(site_id text, message_id text)
WHERE u.site_id = b.site_id AND u.message_id = b.message_id`;

/** A stored message's key, as the marks name it. */
export type MarkKey = { site_id: string; message_id: string };

/**
 * Deletes the marks of these (site, messageId) pairs in one statement: with the COMMIT of
 * `q`'s transaction (`withCommit`), at once on the database itself.
 */
export async function clearMarks(q: Queryable, rows: readonly MarkKey[]) {
  if (rows.length === 0) return;
  const keys = rows.map((r) => ({ site_id: r.site_id, message_id: r.message_id }));
  await q.withCommit(CLEAR_MARKS, [JSON.stringify(keys)]);
}
