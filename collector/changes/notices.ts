import type { Queryable } from '../db/client.ts';
import { INTENT_CHANNEL, type ScoreChange, type SubjectKind } from './change.ts';
import { publishCommitted } from './local.ts';

/** PostgreSQL refuses payloads of 8,000 bytes or more. */
const MAX_PAYLOAD = 7000;

/**
 * Announces that the scores of `ids` changed (or that the subjects are gone), from inside the
 * transaction `tx` that changes them: a NOTIFY that PostgreSQL delivers to every collector
 * process after the commit, and, once `tx` commits, the same change to this process's feeds
 * (nothing when it rolls back). On the database itself (no transaction) both happen at once.
 */
export async function notifyChanged(tx: Queryable, site: string, kind: SubjectKind, ids: readonly string[]) {
  const payloads: string[] = [];
  let batch: string[] = [];
  let size = 0;
  for (const id of ids) {
    if (batch.length > 0 && size + id.length + 4 > MAX_PAYLOAD) {
      payloads.push(JSON.stringify({ site, kind, ids: batch } satisfies ScoreChange));
      batch = [];
      size = 0;
    }
    batch.push(id);
    size += id.length + 4;
  }
  if (batch.length > 0) payloads.push(JSON.stringify({ site, kind, ids: batch } satisfies ScoreChange));
  if (payloads.length === 0) return;
  // Sent with the COMMIT (PostgreSQL delivers a NOTIFY at commit whenever it is sent).
  for (const p of payloads) await tx.withCommit('select pg_notify($1, $2)', [INTENT_CHANNEL, p]);
  const change: ScoreChange = { site, kind, ids: [...ids] };
  const db = tx.database;
  tx.afterCommit(() => publishCommitted(db, change));
}
