import type { Queryable } from '../db/client.ts';

/**
 * Score changes are announced on this channel from inside the transaction that makes them,
 * so PostgreSQL delivers them to every collector process only once that transaction
 * commits. The intent cache (collector/intent-cache.ts) evicts on them.
 */
export const INTENT_CHANNEL = 'inkling_intent';

/** `anonymous`: these anonymous ids now lead to a (different) scored person. */
export type SubjectKind = 'person' | 'account' | 'anonymous';

/** What one notification says: these subjects of this site changed. */
export interface ScoreChange {
  site: string;
  kind: SubjectKind;
  ids: string[];
}

/** PostgreSQL refuses payloads of 8,000 bytes or more. */
const MAX_PAYLOAD = 7000;

/** Announces that the scores of `ids` changed (or that the subjects are gone). */
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
  await tx.query('select pg_notify($1, p) from unnest($2::text[]) as p', [INTENT_CHANNEL, payloads]);
}
