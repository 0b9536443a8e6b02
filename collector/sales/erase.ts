import type { Database } from '../db/client.ts';
import { listAnonymousIds, type PersonRow } from '../identity/persons.ts';
import { PERSON_EVENTS } from '../scoring/events.ts';
import { notifyChanged } from '../scoring/notify.ts';
import { lockSubjects } from '../scoring/persist.ts';

export interface ErasedCounts {
  events: number;
  identities: number;
  scores: number;
  history: number;
}

/**
 * Erases a person (GDPR) in one transaction: their events (those of their user id and of
 * their anonymous ids, as scoring counts them), the idempotency ledger rows of those events
 * (so no message id of theirs remains), identities, conflicts, score, score history and the
 * person row. The caller rescores their account afterwards.
 */
export async function erasePerson(db: Database, siteId: string, person: PersonRow): Promise<ErasedCounts> {
  return db.transaction(async (tx) => {
    // The person's scoring lock: a concurrent rescore cannot write the score back.
    await lockSubjects(tx, siteId, [person.id]);
    const anonymousIds = await listAnonymousIds(tx, siteId, person.id);
    const events = await tx.query<{ message_id: string }>(
      `delete from events where ${PERSON_EVENTS} returning message_id`,
      [siteId, person.user_id, anonymousIds],
    );
    await tx.query('delete from message_ids where site_id = $1 and message_id = any($2::text[])', [
      siteId,
      events.map((e) => e.message_id),
    ]);
    const identities = await tx.query('delete from identities where site_id = $1 and person_id = $2 returning 1', [
      siteId,
      person.id,
    ]);
    await tx.query(
      `delete from identity_conflicts where site_id = $1
         and (kept_person_id = $2 or anonymous_id = any($3::text[]) or ($4::text is not null and refused_user_id = $4::text))`,
      [siteId, person.id, anonymousIds, person.user_id],
    );
    const scores = await tx.query('delete from person_scores where site_id = $1 and person_id = $2 returning 1', [
      siteId,
      person.id,
    ]);
    const history = await tx.query(
      `delete from score_history where site_id = $1 and subject_kind = 'person' and subject_id = $2 returning 1`,
      [siteId, person.id],
    );
    await tx.query('delete from persons where site_id = $1 and id = $2', [siteId, person.id]);
    await notifyChanged(tx, siteId, 'person', [person.id]);
    return { events: events.length, identities: identities.length, scores: scores.length, history: history.length };
  });
}
