import { randomUUID } from 'node:crypto';
import {
  type CompiledConfig,
  type ContactSignals,
  collectSignals,
  eventsInHorizon,
  hitsKept,
  horizonStart,
  type PackedHit,
  packHits,
  type ScoringEvent,
  scoreAccountFromHits,
  scoreSignals,
} from '../../shared/scoring/index.ts';
import { notifyChanged } from '../changes/notices.ts';
import type { ScoresStored } from '../changes/stored.ts';
import type { Database, Queryable } from '../db/client.ts';
import { type Breakdowns, deleteContactLines, readContacts, storeContactLines } from './account-contacts.ts';
import { heldBreakdowns, holdRolledUp } from './contacts-memo.ts';
import { loadEventsOfPersons } from './events.ts';
import type { GroupRows } from './fresh-events.ts';
import { unpackedHits } from './hits-memo.ts';
import { modelKey } from './model-key.ts';
import { personSignals, planOf, readFrom, readPersons } from './person-plan.ts';
import { storeScores } from './store-scores.ts';

/**
 * Scores are recomputed, never incremented, and stored under the subject's lock: a retried
 * batch cannot count twice, and of two concurrent requests the second to take the lock sees
 * both requests' events. A person is recomputed from their events within the horizon (all
 * that can change the result, see shared/scoring/horizon.ts), or, when ingest brings them new
 * rows that can be, from their stored derivation with those rows folded on (person-plan.ts:
 * the same result without reading their events), and stores the signals that can still count
 * for their account; an account is recomputed from those stored signals, one row
 * per contact, never from the contacts' events. Work is set-based: one transaction per call
 * locks every subject, loads everything in one query, and writes every score and history
 * row in one statement each, so a group of a thousand people costs the same handful of round
 * trips as one person.
 */

/**
 * The read of a few thousand events by index costs milliseconds: parallel workers' start and
 * stop cost more than they save (half the read's time in a rescore, measured on 2 cores).
 */
const SCORING_TRANSACTION = { local: { max_parallel_workers_per_gather: 0 } } as const;

/**
 * A scoring transaction whose loss in a crash of PostgreSQL is recovered by itself commits
 * without waiting for its WAL to reach the disk (`synchronous_commit = off`; about a
 * millisecond per commit here, a fifth of the busy backends' samples were `IO/WALSync`).
 * PostgreSQL then loses at most the last few such commits, whole, never part of one, and
 * always after every commit that did wait (the WAL is flushed in order): ingest's scores,
 * whose `unscored` marks (committed, durably, with the events) are deleted in the group's last
 * scoring transaction, so a lost one leaves its marks and the recovery scores them again; and
 * the periodic rescore's, whose lost scores are still due next round. A firing committed so
 * is delivered only after the dispatcher's claim, a durable commit later in the WAL.
 */
const RECOVERABLE = { synchronous_commit: 'off' } as const;

const scoringTransaction = (recoverable: boolean) =>
  recoverable ? { local: { ...SCORING_TRANSACTION.local, ...RECOVERABLE } } : SCORING_TRANSACTION;

/** Subjects per transaction: bounds the advisory locks one transaction holds. */
const SUBJECTS_PER_TRANSACTION = 250;

/**
 * Takes the advisory locks of `ids` (`hashtext(site:id)`, the key every writer of a score
 * uses) in ascending key order, so two transactions locking overlapping sets never deadlock.
 * Sent with the transaction's next statement (`later`): it runs once they are all held.
 */
export async function lockSubjects(tx: Queryable, siteId: string, ids: readonly string[]): Promise<void> {
  await tx.later(
    `select pg_advisory_xact_lock(k) from (
       select distinct hashtext($1 || ':' || id) as k from unnest($2::text[]) as id order by k) as keys`,
    [siteId, ids],
  );
}

/** How `rescorePersons` scores. */
export interface PersonScoring {
  /** The message ids of the track events that arrived (ingest): answered per account. */
  arrivedIds?: ReadonlySet<string>;
  /**
   * Score each person from their stored signals (`person_scores.hits`) when the current
   * model derived them, from their events otherwise: what the periodic rescore does, since
   * time alone changes no signal (see `rescoreAccountsLocked`). Ingest, merges, erasure and
   * config changes read events: they change the signals.
   */
  fromStored?: boolean;
  /** The scores are recomputed if the commits are lost (`RECOVERABLE`): commit without the flush. */
  recoverable?: boolean;
  /**
   * Ingest's group of rows: those it stored now, and those sent again. A person whose stored
   * derivation is current (same model, same ids), none of whose rows here is a repeat (its
   * stored event may differ from the row sent again, or a crash may have left it unscored),
   * and every one of whose new rows comes after the last event it folded, gets them folded on
   * it (`foldSignals`) instead of their events read; anyone else is derived again from their
   * events.
   */
  group?: GroupRows;
}

/**
 * Recomputes and stores the scores of `personIds` (one site). A person that no longer
 * exists (merged away, erased) loses its score row. Answers the accounts of the persons, to
 * rescore next, with the names of the track events (among `arrivedIds`, message ids) that
 * arrived for each account's contacts.
 */
export async function rescorePersons(
  db: Database,
  siteId: string,
  personIds: Iterable<string>,
  model: CompiledConfig,
  now: number,
  { arrivedIds, fromStored = false, group, recoverable = false }: PersonScoring = {},
): Promise<{ accounts: string[]; arrived: Map<string, Set<string>> }> {
  const accounts = new Set<string>();
  const accountsArrived = new Map<string, Set<string>>();
  const key = modelKey(model);
  const horizon = horizonStart(model, now);
  for (const ids of chunks(personIds)) {
    await db.transaction(async (tx) => {
      await lockSubjects(tx, siteId, ids);
      const persons = await readPersons(tx, siteId, ids, key);
      const found = new Set(persons.map((p) => p.id));
      const gone = ids.filter((id) => !found.has(id));
      if (gone.length > 0) {
        await tx.query('delete from person_scores where site_id = $1 and person_id = any($2::text[])', [siteId, gone]);
        await notifyChanged(tx, siteId, 'person', gone);
      }
      const plans = persons.map((p) => planOf(p, horizon, fromStored, group));
      // Whose events are read, and from when: after a resumed fold, or within the horizon.
      const from = readFrom(plans, horizon);
      const read = await loadEventsOfPersons(tx, siteId, [...from.keys()], from);
      const results = plans.map((plan) => {
        const { hits, fold } = personSignals(plan, read, model, now);
        const kept = hitsKept(hits, model, now);
        return {
          id: plan.person.id,
          r: scoreSignals(hits, model, now),
          hits: packHits(kept),
          kept,
          model: key,
          fold,
        };
      });
      // Each person's events that arrived: among those read (a resumed fold's read has them all).
      const arrived = arrivedIds && arrivalsOf(read, arrivedIds);
      // The rules' events of a person: only a read within the horizon has them all.
      const events = new Map<string, ScoringEvent[]>();
      for (const plan of plans) if (plan.how === 'events') events.set(plan.person.id, read.get(plan.person.id) ?? []);
      await storeScores(tx, siteId, 'person', results, now, { events, arrived });
      for (const p of persons) {
        if (!p.account_id) continue;
        accounts.add(p.account_id);
        const names = arrived?.get(p.id);
        if (!names) continue;
        const theirs = accountsArrived.get(p.account_id) ?? new Set<string>();
        for (const name of names) theirs.add(name);
        accountsArrived.set(p.account_id, theirs);
      }
    }, scoringTransaction(recoverable));
  }
  return { accounts: [...accounts], arrived: accountsArrived };
}

/** The names of each person's events whose message id is in `ids` (the track events that arrived). */
function arrivalsOf(
  events: ReadonlyMap<string, readonly ScoringEvent[]>,
  ids: ReadonlySet<string>,
): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  if (ids.size === 0) return out;
  for (const [personId, list] of events) {
    for (const e of list) {
      if (e.event === null || !ids.has(e.id)) continue;
      const names = out.get(personId) ?? new Set<string>();
      names.add(e.event);
      out.set(personId, names);
    }
  }
  return out;
}

/**
 * Recomputes and stores the scores of `accountIds` (one site) from their contacts' stored
 * signals. `lastly` runs in the last transaction, before its commit.
 */
export async function rescoreAccounts(
  db: Database,
  siteId: string,
  accountIds: Iterable<string>,
  model: CompiledConfig,
  now: number,
  arrived?: ScoresStored['arrived'],
  lastly?: (q: Queryable) => Promise<void>,
  /** As `PersonScoring.recoverable`. */
  recoverable = false,
): Promise<void> {
  const all = [...chunks(accountIds)];
  for (const [i, ids] of all.entries()) {
    await db.transaction(async (tx) => {
      await lockSubjects(tx, siteId, ids);
      await rescoreAccountsLocked(tx, siteId, ids, model, now, arrived);
      if (i === all.length - 1) await lastly?.(tx);
    }, scoringTransaction(recoverable));
  }
}

/**
 * `rescoreAccounts` inside the caller's transaction, which already holds the accounts' locks
 * (erasure rescores a shared account in the transaction that removes the contact). Reads
 * each contact's stored signals (`person_scores.hits`, written by the contact's last
 * rescore, which every new event, merge and config change makes before its accounts are
 * rescored). Derived signals depend on nothing outside the horizon, so stored signals do not
 * go stale with time; a contact without them (not scored yet, scored while they had no
 * account, or before they were stored) is derived from their events within the horizon here.
 */
export async function rescoreAccountsLocked(
  tx: Queryable,
  siteId: string,
  ids: readonly string[],
  model: CompiledConfig,
  now: number,
  arrived?: ScoresStored['arrived'],
): Promise<void> {
  const existing = await tx.query<{ id: string }>(
    'select id from accounts where site_id = $1 and id = any($2::text[])',
    [siteId, ids],
  );
  const found = new Set(existing.map((a) => a.id));
  const gone = ids.filter((id) => !found.has(id));
  if (gone.length > 0) {
    await tx.query('delete from account_scores where site_id = $1 and account_id = any($2::text[])', [siteId, gone]);
    await deleteContactLines(tx, siteId, gone);
    await notifyChanged(tx, siteId, 'account', gone);
  }
  // The contacts with their stored signals, and the breakdown lines as stored (of former
  // contacts too, to delete), in one query: of an account whose breakdown this process holds,
  // only what differs from it (./contacts-memo.ts).
  const { contacts: stored, versions } = await readContacts(
    tx,
    siteId,
    [...found],
    heldBreakdowns(tx.database, siteId, [...found]),
  );
  const unstored: string[] = [];
  for (const rows of stored.values())
    for (const p of rows.values()) if (p.member && p.hits === null) unstored.push(p.id);
  const events = await loadEventsOfPersons(tx, siteId, unstored, horizonStart(model, now));
  const contacts = new Map<string, ContactSignals[]>();
  const packed = new Map<string, Map<string, PackedHit[]>>();
  for (const id of found) {
    const theirs: ContactSignals[] = [];
    const packs = new Map<string, PackedHit[]>();
    for (const p of stored.get(id)?.values() ?? []) {
      if (!p.member) continue;
      const hits = p.hits === null ? contactSignals(events.get(p.id), model, now) : unpackedHits(p.hits, model);
      theirs.push({ personId: p.id, hits });
      packs.set(p.id, p.hits ?? packHits(hits));
    }
    contacts.set(id, theirs);
    packed.set(id, packs);
  }
  // Built only if a rule asks (thousands of small arrays for a large account).
  let before: ReturnType<typeof linesHits> | undefined;
  const results = [...contacts].map(([id, c]) => ({
    id,
    r: scoreAccountFromHits(c, model, now),
    contacts: c,
    beforeHits: () => {
      before ??= linesHits(stored);
      return before.get(id) ?? [];
    },
  }));
  await storeScores(tx, siteId, 'account', results, now, { arrived });
  const lines = new Map(results.map(({ id, r }) => [id, r.contacts]));
  const version = randomUUID();
  const { changed, touched } = await storeContactLines(tx, siteId, lines, packed, stored, now, version);
  // What this process holds of each account once this commits.
  holdRolledUp(tx, siteId, found, gone, stored, changed, packed, (id) =>
    touched.has(id) ? version : (versions.get(id) ?? null),
  );
}

/**
 * Each account's signals as of its last roll-up, `[at, signal, personId]`, from its stored
 * breakdown lines (former contacts' too): what the alerts compare a change with. Null for an
 * account whose lines predate stored signals (nothing then counts as new).
 */
function linesHits(stored: Breakdowns): Map<string, (readonly unknown[])[] | null> {
  const out = new Map<string, (readonly unknown[])[] | null>();
  for (const [accountId, rows] of stored) {
    let list: (readonly unknown[])[] | null = [];
    let lined = false;
    for (const row of rows.values()) {
      if (row.score === null) continue;
      lined = true;
      if (row.lineHits === null) {
        list = null;
        break;
      }
      for (const [at, signal] of row.lineHits) list.push([at, signal, row.id]);
    }
    if (lined) out.set(accountId, list);
  }
  return out;
}

/** A contact's signals from their events (those within the horizon of `now` count). */
function contactSignals(events: ScoringEvent[] | undefined, model: CompiledConfig, now: number) {
  return collectSignals(eventsInHorizon(events ?? [], model, now), model);
}

function* chunks(ids: Iterable<string>): Generator<string[]> {
  const all = [...new Set(ids)].sort();
  for (let i = 0; i < all.length; i += SUBJECTS_PER_TRANSACTION) yield all.slice(i, i + SUBJECTS_PER_TRANSACTION);
}
