import { LINK_LANDED } from '../../shared/links.ts';
import { notifyChanged } from '../changes/notices.ts';
import { addSubject, addSubjects, type Subjects } from '../changes/subjects.ts';
import type { Database } from '../db/client.ts';
import type { EventRow } from '../db/event-row.ts';
import { usableId } from './junk-ids.ts';
import { lockAnonymousIds } from './locks.ts';
import { newPersonId } from './persons.ts';
import { type Resolution, resolveMessage } from './resolve.ts';
import { stitchLanding } from './stitch.ts';
import { applyTraitsUnlocked } from './traits.ts';

/** What a group of stored rows touched: persons and accounts to rescore. */
export interface Touched {
  persons: Subjects;
  accounts: Subjects;
  /** Persons merged away (their score rows are gone, already announced). */
  removed: Subjects;
}

const isPlain = (r: EventRow) => r.type !== 'identify' && r.type !== 'group' && r.type !== 'alias';
const isLanding = (r: EventRow) => r.type === 'track' && r.event === LINK_LANDED;

/**
 * Applies a group of rows to the identity graph with as few round trips as the graph
 * allows. Most rows are plain events (page, track, screen) of people already known: their
 * persons come from one lookup for the whole group. New anonymous visitors are created
 * together in one transaction. What can change the graph (identify, group, alias, tracked
 * link landings, a plain event that carries a user id not yet linked to its anonymous id) runs
 * through `resolveMessage` one by one, in the group's order, as before. The bulk paths
 * touch only ids that no such message of the group names, so their order does not matter.
 */
export async function resolveBatch(db: Database, rows: readonly EventRow[]): Promise<Touched> {
  const out: Touched = { persons: new Map(), accounts: new Map(), removed: new Map() };
  const add = (r: Resolution) => {
    if (r.personId) addSubject(out.persons, r.siteId, r.personId);
    addSubjects(out.accounts, r.siteId, r.accounts);
    addSubjects(out.removed, r.siteId, r.removed);
  };
  const sites = new Map<string, EventRow[]>();
  for (const r of rows) {
    const list = sites.get(r.site_id);
    if (list) list.push(r);
    else sites.set(r.site_id, [r]);
  }
  for (const [siteId, siteRows] of sites) await resolveSite(db, siteId, siteRows, add);
  return out;
}

async function resolveSite(db: Database, siteId: string, rows: EventRow[], add: (r: Resolution) => void) {
  const sequential = new Set<EventRow>();
  // Ids named by graph-changing messages of the group, with how many of them name each.
  const named = new Map<string, number>();
  const touch = (...ids: (string | null)[]) => {
    for (const id of new Set(ids)) if (id) named.set(id, (named.get(id) ?? 0) + 1);
  };
  // Plain rows by their ids: rows with the same pair resolve alike.
  const pairs = new Map<string, { anon: string | null; user: string | null; verified: boolean; rows: EventRow[] }>();
  const anons = new Set<string>();
  const users = new Set<string>();
  for (const r of rows) {
    if (!isPlain(r) || isLanding(r)) {
      sequential.add(r);
      touch(r.anonymous_id, r.user_id, r.previous_id);
      continue;
    }
    const anon = usableId(r.anonymous_id);
    const user = usableId(r.user_id);
    if (!anon && !user) continue;
    if (anon) anons.add(anon);
    if (user) users.add(user);
    // Verification only matters for a link: with no usable user id there is none.
    const verified = user === null || r.verified !== false;
    const k = `${anon}\u0001${user}\u0001${verified}`;
    const pair = pairs.get(k);
    if (pair) pair.rows.push(r);
    else pairs.set(k, { anon, user, verified, rows: [r] });
  }

  // An identify that names ids no other graph-changing message of the group names (the
  // common repeat: a known visitor identifying again) may need no link at all.
  const identifies = [...sequential].filter(
    (r) =>
      r.type === 'identify' &&
      usableId(r.anonymous_id) &&
      usableId(r.user_id) &&
      r.anonymous_id !== r.user_id &&
      named.get(r.anonymous_id as string) === 1 &&
      named.get(r.user_id as string) === 1,
  );
  for (const r of identifies) {
    anons.add(r.anonymous_id as string);
    users.add(r.user_id as string);
  }

  const { byAnon, byUser } = await lookupMany(db, siteId, [...anons], [...users]);
  // Already linked (as verified as the message): only the traits change, with no site lock
  // (unless they name a new account).
  for (const r of identifies) {
    const person = byUser.get(r.user_id as string);
    const linked = byAnon.get(r.anonymous_id as string);
    if (!person || linked?.id !== person.id || (r.verified !== false && !linked.verified)) continue;
    if (await applyTraitsUnlocked(db, siteId, person.id, r.user_id, r.traits)) {
      sequential.delete(r);
      add({ siteId, personId: person.id, removed: [], accounts: [] });
    }
  }
  const unknownAnons: { anon: string; rows: EventRow[] }[] = [];
  for (const { anon, user, verified, rows: same } of pairs.values()) {
    const u = user ? byUser.get(user) : undefined;
    const a = anon ? byAnon.get(anon) : undefined;
    let person: string | undefined;
    if (user && !anon) person = u?.id;
    else if (!user) person = a?.id;
    else if (u && a && a.id === u.id && (a.verified || !verified)) person = u.id;
    else if (u && a && a.id !== u.id && a.userId !== null) person = u.id;
    if (person) add({ siteId, personId: person, removed: [], accounts: [] });
    else if (anon && !user) unknownAnons.push({ anon, rows: same });
    else {
      // Needs linking (or a user seen for the first time): the careful path, first row only.
      sequential.add(same[0] as EventRow);
      touch(anon, user);
    }
  }
  // New anonymous visitors that no graph-changing message of the group names.
  const fresh: string[] = [];
  for (const { anon, rows: same } of unknownAnons) {
    if (named.has(anon)) sequential.add(same[0] as EventRow);
    else fresh.push(anon);
  }
  for (let i = 0; i < fresh.length; i += VISITORS_PER_TRANSACTION) {
    for (const personId of await createAnonymousPersons(db, siteId, fresh.slice(i, i + VISITORS_PER_TRANSACTION))) {
      add({ siteId, personId, removed: [], accounts: [] });
    }
  }

  for (const r of rows) {
    if (!sequential.has(r)) continue;
    const landed = isPlain(r) ? await stitchLanding(db, r) : null;
    add(landed ?? (await resolveMessage(db, r)));
  }
}

interface Found {
  id: string;
  userId: string | null;
  /** Whether the anonymous id's link is verified (true when found by user id). */
  verified: boolean;
}

/** The persons of many anonymous ids and user ids, in one query. */
async function lookupMany(db: Database, siteId: string, anons: string[], users: string[]) {
  const byAnon = new Map<string, Found>();
  const byUser = new Map<string, Found>();
  if (anons.length + users.length > 0) {
    const rows = await db.query<{ via: string; key: string; id: string; user_id: string | null; verified: boolean }>(
      `select 'a' as via, i.anonymous_id as key, p.id, p.user_id, i.verified
         from identities i join persons p on p.site_id = i.site_id and p.id = i.person_id
        where i.site_id = $1 and i.anonymous_id = any($2::text[])
       union all
       select 'u', p.user_id, p.id, p.user_id, true
         from persons p where p.site_id = $1 and p.user_id = any($3::text[])`,
      [siteId, anons, users],
    );
    for (const r of rows) {
      (r.via === 'a' ? byAnon : byUser).set(r.key, { id: r.id, userId: r.user_id, verified: r.verified });
    }
  }
  return { byAnon, byUser };
}

/**
 * New visitors per transaction: bounds the advisory locks one transaction holds (a group
 * may carry thousands of rows; PostgreSQL's lock table is shared by all its connections).
 * Each visitor's creation stands alone, so splitting them changes nothing else.
 */
const VISITORS_PER_TRANSACTION = 250;

/**
 * A person for each anonymous id, created in one transaction without the site's identity
 * lock: only under the locks of these ids (`lockAnonymousIds`), which the
 * message-by-message path also takes before it inserts an anonymous id. One statement
 * inserts the ids not stored yet (`ON CONFLICT DO NOTHING` on `identities`' key) and a person
 * for each of those only, so no person is left without an id; ids that exist (linked or
 * created elsewhere meanwhile) keep their person, read back after. Answers the persons.
 *
 * Why that is enough: this only ever adds new persons with new ids; it never moves, links or
 * deletes an existing one, so a merge, a link or an erasure (all under the site lock) sees
 * each id either before it exists or after this commits, as with the site lock.
 */
async function createAnonymousPersons(db: Database, siteId: string, anons: string[]): Promise<string[]> {
  if (anons.length === 0) return [];
  return db.transaction(async (tx) => {
    await lockAnonymousIds(tx, siteId, anons);
    const created = await tx.query<{ anonymous_id: string; person_id: string }>(
      `with made as (
         insert into identities (site_id, anonymous_id, person_id)
         select $1, a, p from unnest($2::text[], $3::text[]) as t(a, p)
         on conflict (site_id, anonymous_id) do nothing
         returning anonymous_id, person_id
       ), born as (
         insert into persons (site_id, id) select $1, person_id from made
       )
       select anonymous_id, person_id from made`,
      [siteId, anons, anons.map(() => newPersonId())],
    );
    const made = new Set(created.map((c) => c.anonymous_id));
    const rest = anons.filter((a) => !made.has(a));
    const existing =
      rest.length === 0
        ? []
        : await tx.query<{ person_id: string }>(
            'select person_id from identities where site_id = $1 and anonymous_id = any($2::text[])',
            [siteId, rest],
          );
    if (made.size > 0) await notifyChanged(tx, siteId, 'anonymous', [...made]);
    return [...existing.map((e) => e.person_id), ...created.map((c) => c.person_id)];
  });
}
