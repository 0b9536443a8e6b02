import { notifyChanged } from '../changes/notices.ts';
import type { Database, Queryable } from '../db/client.ts';
import type { EventRow } from '../db/event-row.ts';
import { upsertGroupAccount } from './accounts.ts';
import { isJunkId, usableId } from './junk-ids.ts';
import { identityLockSql, lockAnonymousIds } from './locks.ts';
import {
  countAnonymousIds,
  createPerson,
  findPersonByAnonymousId,
  findPersonByUserId,
  MAX_ANONYMOUS_IDS,
  type PersonRow,
  recordConflict,
} from './persons.ts';
import { applyTraits, applyUserIdEmail } from './traits.ts';
import { attach, dropOldestUnverified, markUnverified, upgrade } from './verified-links.ts';

/** What one message did to the identity graph: the person it is about and what else changed. */
export interface Resolution {
  siteId: string;
  /** The person the message counts for (null when it carries no usable id). */
  personId: string | null;
  /** Persons merged away (their score rows are gone). */
  removed: string[];
  /** Accounts that lost a contact or were merged (either side), and need a rescore. */
  accounts: string[];
}

type Message = Pick<
  EventRow,
  'site_id' | 'type' | 'anonymous_id' | 'user_id' | 'previous_id' | 'group_id' | 'traits' | 'verified'
>;

/**
 * Applies one message to the identity graph (Segment/PostHog rules): a message with both a
 * userId and an anonymousId (and `alias` previousId -> userId) links them; an anonymous person
 * meeting a known one is merged into it; an anonymous id already tied to another known user
 * is not merged (recorded in identity_conflicts); junk ids are never linked; a person holds
 * at most MAX_ANONYMOUS_IDS verified ids. A message that is not verified (`verified: false`:
 * a browser's, without a valid `user_hash`) links its ids as unverified (see
 * `verified-links.ts`). Messages that only need a lookup take no lock.
 */
export async function resolveMessage(db: Database, m: Message): Promise<Resolution> {
  const siteId = m.site_id;
  const anon = usableId(m.anonymous_id);
  const user = usableId(m.user_id);
  const previous = m.type === 'alias' ? usableId(m.previous_id) : null;
  const plain = m.type !== 'identify' && m.type !== 'group' && m.type !== 'alias';
  const verified = m.verified !== false;
  if (plain) {
    const known = await lookup(db, siteId, anon, user, verified);
    if (known !== undefined) return { siteId, personId: known, removed: [], accounts: [] };
  }
  // Why one lock per site: links and creations are rare next to lookups, and a merge moves
  // many anonymous ids at once, so per-id locks would have to cover ids not in the message.
  // The anonymous ids it may insert are also locked one by one: new visitors are created
  // without the site lock (`batch.ts`), under these.
  return db.transaction(async (tx) => {
    await tx.later(identityLockSql, [siteId]);
    await lockAnonymousIds(
      tx,
      siteId,
      [anon, previous].filter((x): x is string => x !== null),
    );
    const out: Resolution = { siteId, personId: null, removed: [], accounts: [] };
    if (!plain) await recordJunk(tx, m);
    if (user) {
      const anons = [...new Set([anon, previous].filter((x): x is string => x !== null && x !== user))];
      for (const x of anons) out.personId = await link(tx, siteId, x, user, out, verified);
      out.personId ??= (await findPersonByUserId(tx, siteId, user))?.id ?? (await createPerson(tx, siteId, user, null));
    } else if (anon) {
      out.personId =
        (await findPersonByAnonymousId(tx, siteId, anon))?.id ?? (await createPerson(tx, siteId, null, anon));
    }
    if (!out.personId) return out;
    if (m.type === 'identify') await applyTraits(tx, siteId, out.personId, user, m.traits);
    else if (user) await applyUserIdEmail(tx, siteId, out.personId, user);
    if (m.type === 'group') {
      const groupId = usableId(m.group_id);
      if (groupId) {
        const account = await upsertGroupAccount(tx, siteId, groupId, m.traits, out.personId);
        // A merge moved other contacts too: the survivor and the merged-away accounts are rescored.
        if (account.merged.length > 0) out.accounts.push(account.id, ...account.merged);
        await joinAccount(tx, siteId, out, account.id);
      }
    }
    return out;
  });
}

/** The person of a plain message when it already exists and nothing needs linking; undefined otherwise. */
async function lookup(db: Database, siteId: string, anon: string | null, user: string | null, verified: boolean) {
  if (!anon && !user) return null;
  const byUser = user ? await findPersonByUserId(db, siteId, user) : undefined;
  if (user && !anon) return byUser?.id;
  const byAnon = anon ? await findPersonByAnonymousId(db, siteId, anon) : undefined;
  if (!user) return byAnon?.id;
  // Both ids: nothing to link when they already meet (as verified as the message), or when
  // the anonymous id is another user's.
  if (byUser && byAnon?.id === byUser.id && (byAnon.verified || !verified)) return byUser.id;
  if (byUser && byAnon && byAnon.id !== byUser.id && byAnon.user_id !== null) return byUser.id;
  return undefined;
}

/** Links anonymous id `x` to user `user` (verified or not); answers the person the user is now. */
async function link(
  tx: Queryable,
  siteId: string,
  x: string,
  user: string,
  out: Resolution,
  verified: boolean,
): Promise<string> {
  const pa = await findPersonByAnonymousId(tx, siteId, x);
  const pu = await findPersonByUserId(tx, siteId, user);
  if (!pa) {
    // An alias's previousId may be another known user's id: two known users never merge.
    const other = await findPersonByUserId(tx, siteId, x);
    if (other && other.id !== pu?.id) {
      await recordConflict(tx, siteId, {
        anonymousId: x,
        keptPersonId: other.id,
        refusedUserId: user,
        reason: 'known_users',
      });
      return pu?.id ?? createPerson(tx, siteId, user, null);
    }
    if (other) return other.id;
    if (!pu) return createPerson(tx, siteId, user, x, verified);
    await attach(tx, siteId, x, pu.id, user, verified);
    return pu.id;
  }
  if (pa.user_id === user) {
    if (verified && pa.verified === false) await upgrade(tx, siteId, x, pa.id, user);
    return pa.id;
  }
  if (pa.user_id !== null) {
    await recordConflict(tx, siteId, {
      anonymousId: x,
      keptPersonId: pa.id,
      refusedUserId: user,
      reason: 'anonymous_id_of_another_user',
    });
    return pu?.id ?? createPerson(tx, siteId, user, null);
  }
  if (!pu) {
    await tx.query('update persons set user_id = $3, updated_at = now() where site_id = $1 and id = $2', [
      siteId,
      pa.id,
      user,
    ]);
    // Why: the user's later verified devices join this person; this device must not see them.
    if (!verified) await markUnverified(tx, siteId, pa.id);
    return pa.id;
  }
  return merge(tx, siteId, pa, pu, x, out, verified);
}

/**
 * Merges anonymous person `pa` into known person `pu`: identities move (unverified ones when
 * the message is, as the newest unverified links), `pu`'s traits win, and `pu` keeps its
 * owner, else takes `pa`'s.
 */
async function merge(
  tx: Queryable,
  siteId: string,
  pa: PersonRow,
  pu: PersonRow,
  x: string,
  out: Resolution,
  verified: boolean,
) {
  const total = (await countAnonymousIds(tx, siteId, pa.id)) + (await countAnonymousIds(tx, siteId, pu.id, true));
  if (verified && total > MAX_ANONYMOUS_IDS) {
    await recordConflict(tx, siteId, {
      anonymousId: x,
      keptPersonId: pu.id,
      refusedUserId: pu.user_id,
      reason: 'too_many_anonymous_ids',
    });
    return pu.id;
  }
  const moved = await tx.query<{ anonymous_id: string }>(
    verified
      ? 'update identities set person_id = $3 where site_id = $1 and person_id = $2 returning anonymous_id'
      : `update identities set person_id = $3, verified = false, created_at = now()
          where site_id = $1 and person_id = $2 returning anonymous_id`,
    [siteId, pa.id, pu.id],
  );
  await notifyChanged(
    tx,
    siteId,
    'anonymous',
    moved.map((m) => m.anonymous_id),
  );
  await tx.query(
    `update persons set traits = $3::jsonb || traits, email = coalesce(email, $4),
       account_id = coalesce(account_id, $5), owner = coalesce(owner, $6), updated_at = now()
     where site_id = $1 and id = $2`,
    [siteId, pu.id, JSON.stringify(pa.traits ?? {}), pa.email, pa.account_id, pa.owner ?? null],
  );
  await tx.query('delete from persons where site_id = $1 and id = $2', [siteId, pa.id]);
  await tx.query('delete from person_scores where site_id = $1 and person_id = $2', [siteId, pa.id]);
  await notifyChanged(tx, siteId, 'person', [pa.id]);
  out.removed.push(pa.id);
  if (!verified) await dropOldestUnverified(tx, siteId, pu.id, pu.user_id);
  if (pa.account_id && pa.account_id !== (pu.account_id ?? pa.account_id)) out.accounts.push(pa.account_id);
  return pu.id;
}

async function joinAccount(tx: Queryable, siteId: string, out: Resolution, accountId: string) {
  const [before] = await tx.query<{ account_id: string | null }>(
    'select account_id from persons where site_id = $1 and id = $2',
    [siteId, out.personId],
  );
  if (before?.account_id && before.account_id !== accountId) out.accounts.push(before.account_id);
  await tx.query('update persons set account_id = $3, updated_at = now() where site_id = $1 and id = $2', [
    siteId,
    out.personId,
    accountId,
  ]);
}

/** An identify/alias with a junk id is recorded, so that a broken client can be found. */
async function recordJunk(tx: Queryable, m: Message) {
  const ids = [m.user_id, m.type === 'alias' ? m.previous_id : null, m.user_id ? m.anonymous_id : null];
  for (const id of ids) {
    if (id !== null && id !== undefined && isJunkId(id)) {
      await recordConflict(tx, m.site_id, {
        anonymousId: m.anonymous_id,
        keptPersonId: null,
        refusedUserId: id,
        reason: 'junk_id',
      });
    }
  }
}
