import type { CompiledConfig } from '../../shared/scoring/index.ts';
import { notifyChanged } from '../changes/notices.ts';
import type { Database, Queryable } from '../db/client.ts';
import { emailDomain } from '../identity/accounts.ts';
import { identityLockSql } from '../identity/locks.ts';
import { listAnonymousIds, type PersonRow } from '../identity/persons.ts';
import { PERSON_EVENTS } from '../scoring/events.ts';
import { lockSubjects } from '../scoring/persist.ts';
import { eraseLoneAccounts } from './erase-accounts.ts';

/** What an erasure removed (counts of rows). */
export interface ErasedCounts {
  /** The person's events: those of their user id and of their anonymous ids, as scoring counts them. */
  events: number;
  /** Their anonymous ids. */
  identities: number;
  scores: number;
  history: number;
  /** `identity_conflicts` rows naming the person or one of their ids. */
  conflicts: number;
  /** Events of other users that named one of the person's ids: that id is now null. */
  redactedEvents: number;
  /** Tracked links sent to the person: `recipient` is now null, the link still redirects. */
  links: number;
  /** Accounts only this person made (no other contact, no other user's `group` call), with their scores. */
  accounts: number;
  /** The score history rows of those accounts. */
  accountHistory: number;
}

/** What an erasure deliberately kept (counts), see README "erasure". */
export interface KeptCounts {
  /** Idempotency ledger rows (site, messageId, tombstoned time) of the erased events. */
  messageIds: number;
  /** Accounts with other contacts, rescored without the person. */
  accounts: number;
}

export interface Erasure {
  erased: ErasedCounts;
  kept: KeptCounts;
}

/**
 * The time a ledger row of an erased event gets: the row keeps stopping a retry of that
 * message from being stored again, and tells the writer not to run identity on the retry
 * (which would re-create the person from the retried message's ids and traits).
 */
export const ERASED_AT = '-infinity';

/**
 * Erases a person (GDPR) in one transaction, so a crash never half-erases: under the site's
 * identity lock (no link or merge can re-create or grow the person meanwhile) and the scoring
 * locks of the person and of the accounts they touched. Answers null when the person is gone.
 */
export async function erasePerson(
  db: Database,
  siteId: string,
  personId: string,
  model: CompiledConfig,
  now: number,
): Promise<Erasure | null> {
  return db.transaction(async (tx) => {
    await tx.query(identityLockSql, [siteId]);
    const [person] = await tx.query<PersonRow>(
      'select id, user_id, email, traits, account_id from persons where site_id = $1 and id = $2',
      [siteId, personId],
    );
    if (!person) return null;
    const anonymousIds = await listAnonymousIds(tx, siteId, person.id);
    const names = [...anonymousIds, ...(person.user_id ? [person.user_id] : [])];
    const accountIds = await touchedAccounts(tx, siteId, person, anonymousIds);
    // Ascending key order in one call: the order every scoring transaction uses.
    await lockSubjects(tx, siteId, [person.id, ...accountIds]);

    const events = await tx.query<{ message_id: string }>(
      `delete from events where ${PERSON_EVENTS} returning message_id`,
      [siteId, person.user_id, anonymousIds],
    );
    const ledger = await tx.query(
      `update message_ids set received_at = '${ERASED_AT}'
        where site_id = $1 and message_id = any($2::text[]) returning 1`,
      [siteId, events.map((e) => e.message_id)],
    );
    // Their unscored marks (a crash's leftovers) go too: recovery must not replay them.
    await tx.query('delete from unscored where site_id = $1 and message_id = any($2::text[])', [
      siteId,
      events.map((e) => e.message_id),
    ]);
    const redacted = await redactOtherEvents(tx, siteId, names);
    const identities = await tx.query('delete from identities where site_id = $1 and person_id = $2 returning 1', [
      siteId,
      person.id,
    ]);
    const conflicts = await tx.query(
      `delete from identity_conflicts where site_id = $1
         and (kept_person_id = $2 or anonymous_id = any($3::text[]) or refused_user_id = any($3::text[]))
       returning 1`,
      [siteId, person.id, names],
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
    const links = await unlinkRecipient(tx, siteId, person);
    const accounts = await eraseLoneAccounts(tx, siteId, accountIds, model, now);

    await notifyChanged(tx, siteId, 'person', [person.id]);
    await notifyChanged(tx, siteId, 'anonymous', anonymousIds);
    return {
      erased: {
        events: events.length,
        identities: identities.length,
        scores: scores.length,
        history: history.length,
        conflicts: conflicts.length,
        redactedEvents: redacted,
        links,
        accounts: accounts.erased.length,
        accountHistory: accounts.history,
      },
      kept: { messageIds: ledger.length, accounts: accounts.rescored.length },
    };
  });
}

/**
 * The accounts the person may have made or counts for: their account, the account of their
 * email domain, and those of the group ids their own `group` calls named.
 */
async function touchedAccounts(tx: Queryable, siteId: string, person: PersonRow, anonymousIds: string[]) {
  const domains = [emailDomain(person.email), emailDomain(person.user_id)].filter((d): d is string => d !== null);
  const rows = await tx.query<{ id: string }>(
    `select id from accounts where site_id = $1 and (id = $4 or domain = any($5::text[])
       or group_id in (select group_id from events where ${PERSON_EVENTS} and type = 'group' and group_id is not null))`,
    [siteId, person.user_id, anonymousIds, person.account_id, domains],
  );
  return rows.map((r) => r.id);
}

/**
 * Events of other users that name one of the erased ids (an `identify` or `track` of another
 * user sent with the person's anonymous id, an `alias` whose previousId is theirs) keep
 * counting for that other user, with the erased id set to null. Events whose only id was one
 * of the person's were theirs and are already deleted.
 */
async function redactOtherEvents(tx: Queryable, siteId: string, names: string[]): Promise<number> {
  if (names.length === 0) return 0;
  const rows = await tx.query(
    `update events set
       anonymous_id = case when anonymous_id = any($2::text[]) and user_id is not null then null else anonymous_id end,
       previous_id = case when previous_id = any($2::text[]) then null else previous_id end
     where site_id = $1
       and ((anonymous_id = any($2::text[]) and user_id is not null) or previous_id = any($2::text[]))
     returning 1`,
    [siteId, names],
  );
  return rows.length;
}

/**
 * Links sent to the person (by user id or email) stop naming them: the link keeps
 * redirecting as a plain link, and its opens record nothing about anyone (no recipient).
 */
async function unlinkRecipient(tx: Queryable, siteId: string, person: PersonRow): Promise<number> {
  if (!person.user_id && !person.email) return 0;
  // A user id is matched exactly (ids are case-sensitive), an email whatever its case.
  const rows = await tx.query(
    'update links set recipient = null where site_id = $1 and (recipient = $2 or lower(recipient) = $3) returning 1',
    [siteId, person.user_id, person.email?.toLowerCase() ?? null],
  );
  return rows.length;
}
