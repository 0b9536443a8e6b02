import { notifyChanged } from '../changes/notices.ts';
import type { Queryable } from '../db/client.ts';
import {
  addAnonymousId,
  countAnonymousIds,
  MAX_ANONYMOUS_IDS,
  MAX_UNVERIFIED_ANONYMOUS_IDS,
  recordConflict,
} from './persons.ts';

/**
 * The caps of a known person's anonymous ids. Verified links (the secret key, a valid
 * `user_hash`, a tracked link) count toward MAX_ANONYMOUS_IDS, and one beyond it is refused.
 * Unverified links (a browser's identify without verification) have their own, smaller cap:
 * the newest MAX_UNVERIFIED_ANONYMOUS_IDS are kept and older ones are dropped, so a flood of
 * unverified identifies can neither fill the verified cap nor evict a verified id.
 */

/** Links anonymous id `x` to known person `personId`, within the cap of its kind. */
export async function attach(
  tx: Queryable,
  siteId: string,
  x: string,
  personId: string,
  user: string | null,
  verified: boolean,
): Promise<void> {
  if (verified && (await countAnonymousIds(tx, siteId, personId, true)) >= MAX_ANONYMOUS_IDS) {
    await refuse(tx, siteId, x, personId, user);
    return;
  }
  await addAnonymousId(tx, siteId, x, personId, verified);
  if (!verified) await dropOldestUnverified(tx, siteId, personId, user);
}

/** A verified message for an id linked unverified to the same person: the link becomes verified. */
export async function upgrade(tx: Queryable, siteId: string, x: string, personId: string, user: string | null) {
  if ((await countAnonymousIds(tx, siteId, personId, true)) >= MAX_ANONYMOUS_IDS) {
    await refuse(tx, siteId, x, personId, user);
    return;
  }
  await tx.query('update identities set verified = true where site_id = $1 and anonymous_id = $2', [siteId, x]);
  await notifyChanged(tx, siteId, 'anonymous', [x]);
}

/** Marks these ids' links unverified, as of now (the newest unverified links). */
export async function markUnverified(tx: Queryable, siteId: string, personId: string) {
  const rows = await tx.query<{ anonymous_id: string }>(
    `update identities set verified = false, created_at = now()
      where site_id = $1 and person_id = $2 and verified returning anonymous_id`,
    [siteId, personId],
  );
  await notifyChanged(
    tx,
    siteId,
    'anonymous',
    rows.map((r) => r.anonymous_id),
  );
}

/**
 * Keeps the person's newest MAX_UNVERIFIED_ANONYMOUS_IDS unverified links and drops the rest
 * (recorded in identity_conflicts): a dropped id's next event starts it over as a visitor.
 */
export async function dropOldestUnverified(tx: Queryable, siteId: string, personId: string, user: string | null) {
  const dropped = await tx.query<{ anonymous_id: string }>(
    `delete from identities where site_id = $1 and anonymous_id in (
       select anonymous_id from identities where site_id = $1 and person_id = $2 and not verified
        order by created_at desc, anonymous_id desc offset $3)
     returning anonymous_id`,
    [siteId, personId, MAX_UNVERIFIED_ANONYMOUS_IDS],
  );
  if (dropped.length === 0) return;
  for (const d of dropped) {
    await recordConflict(tx, siteId, {
      anonymousId: d.anonymous_id,
      keptPersonId: personId,
      refusedUserId: user,
      reason: 'too_many_unverified_ids',
    });
  }
  await notifyChanged(
    tx,
    siteId,
    'anonymous',
    dropped.map((d) => d.anonymous_id),
  );
}

async function refuse(tx: Queryable, siteId: string, x: string, personId: string, user: string | null) {
  await recordConflict(tx, siteId, {
    anonymousId: x,
    keptPersonId: personId,
    refusedUserId: user,
    reason: 'too_many_anonymous_ids',
  });
}
