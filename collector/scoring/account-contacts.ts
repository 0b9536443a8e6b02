import type { ContactContribution, PackedHit } from '../../shared/scoring/index.ts';
import type { Queryable } from '../db/client.ts';
import { parseHits } from './hits-memo.ts';

/**
 * An account score's breakdown by contact lives in `account_contacts`, one row per contact,
 * so that one event of one contact of a large account rewrites that contact's line (and
 * any other line that moved), not a breakdown of hundreds of lines. The rescore reads the
 * lines as they are with the contacts' stored signals, in one query, and writes the
 * difference.
 */

/** A contact of one of the accounts being rescored, or a line left by someone who no longer is. */
export interface ContactRow {
  id: string;
  account_id: string;
  /** Whether the person is (still) a contact of `account_id`. */
  member: boolean;
  /** Their stored signals (`person_scores.hits`); null when not stored. */
  hits: PackedHit[] | null;
  /** Their stored line in the account's breakdown, if any (all null when none). */
  score: number | null;
  tier: string | null;
  type: string | null;
  points: number | null;
  engaged: boolean | null;
  /** The contact's signals as the account last rolled them up (null: none stored with the line). */
  lineHits: PackedHit[] | null;
}

/** Each account's contacts and former contacts by person id, as `readContacts` made them out. */
export type Breakdowns = Map<string, Map<string, ContactRow>>;

/** The breakdown (lines version, see `account_scores.lines_version`) a caller holds of an account. */
export interface HeldBreakdown {
  version: string;
  rows: ReadonlyMap<string, ContactRow>;
}

/**
 * The contacts of the accounts `$2` (site `$1`) with their stored signals, paired with their
 * lines, and the lines of former contacts: what both reads below start from. The signals
 * come as text (the driver does not parse each row's JSON). A line's signals come only when
 * they differ from the contact's: equal ones are the same array.
 */
const PAIRS = `members as (
       select p.id, p.account_id, s.hits from persons p
         left join person_scores s on s.site_id = p.site_id and s.person_id = p.id
        where p.site_id = $1 and p.account_id = any($2::text[])),
     lines as (
       select person_id, account_id, score, tier, type, points, engaged, hits from account_contacts
        where site_id = $1 and account_id = any($2::text[])),
     pairs as (
       select coalesce(m.id, l.person_id) as id, coalesce(m.account_id, l.account_id) as account_id,
         m.id is not null as member, m.hits, l.score, l.tier, l.type, l.points, l.engaged, l.hits as line_hits,
         l.hits::text is not distinct from m.hits::text as line_same
         from members m full join lines l on l.person_id = m.id and l.account_id = m.account_id)`;

const PAIR_COLUMNS = `p.id, p.account_id, p.member, p.hits::text as hits, p.score, p.tier, p.type, p.points,
       p.engaged, p.line_same, case when p.line_same then null else p.line_hits::text end as line_hits`;

/** Every pair, when nothing is held of the accounts: no versions either. */
const READ_WHOLE = `with ${PAIRS}
     select false as head, null::text as version, false as same, ${PAIR_COLUMNS} from pairs p`;

/**
 * Of an account still at the version held (`$3`, each account's, null: none), only the pairs
 * that differ from it; of the others, every pair. Each account also answers one head row
 * (`head`) with its version and whether it is the one held (`same`).
 */
const READ_CHANGED = `with heads as (
       select k.account_id, a.lines_version as version, coalesce(a.lines_version = k.version, false) as same
         from unnest($2::text[], $3::text[]) as k(account_id, version)
         left join account_scores a on a.site_id = $1 and a.account_id = k.account_id),
     ${PAIRS}
     select false as head, null::text as version, false as same, ${PAIR_COLUMNS}
       from pairs p join heads h on h.account_id = p.account_id
      where not h.same or not p.member or p.score is null or p.hits is null or not p.line_same
     union all
     select true, h.version, h.same, null, h.account_id, null, null, null, null, null, null, null, null, null
       from heads h`;

/**
 * The contacts of `accountIds` with their stored signals and lines, and the lines of former
 * contacts, by account. Of an account whose lines are still those `held` has (same
 * `lines_version`), only the contacts that differ from them are read (signals not as the
 * line took them, no line, no longer a contact, not scored) and the rest are `held`'s: one
 * event of one contact of a large account reads one row, not hundreds. When something is
 * held, answers each account's version too (null: no score row yet); when nothing is, the
 * plain read, which costs less for a small account (no versions then).
 */
export async function readContacts(
  tx: Queryable,
  siteId: string,
  accountIds: readonly string[],
  held: ReadonlyMap<string, HeldBreakdown> = new Map(),
): Promise<{ contacts: Breakdowns; versions: Map<string, string | null> }> {
  const contacts: Breakdowns = new Map();
  const versions = new Map<string, string | null>();
  if (accountIds.length === 0) return { contacts, versions };
  type Row = Omit<ContactRow, 'hits' | 'lineHits'> & {
    head: boolean;
    version: string | null;
    same: boolean;
    hits: string | null;
    line_hits: string | null;
    line_same: boolean;
  };
  const rows =
    held.size === 0
      ? await tx.query<Row>(READ_WHOLE, [siteId, accountIds])
      : await tx.query<Row>(READ_CHANGED, [siteId, accountIds, accountIds.map((id) => held.get(id)?.version ?? null)]);
  const same = new Set<string>();
  for (const row of rows) {
    if (!row.head) continue;
    versions.set(row.account_id, row.version);
    if (row.same) same.add(row.account_id);
  }
  for (const id of accountIds) contacts.set(id, same.has(id) ? new Map(held.get(id)!.rows) : new Map());
  // Parsed once per text (./hits-memo.ts): on an event of one contact, the others' are as before.
  for (const { head, version: _version, same: _same, line_hits, line_same, ...r } of rows) {
    if (head) continue;
    const hits = r.hits === null ? null : parseHits(r.hits);
    const row = { ...r, hits, lineHits: line_same ? hits : line_hits === null ? null : parseHits(line_hits) };
    contacts.get(r.account_id)?.set(r.id, row);
  }
  return { contacts, versions };
}

/** A contact's line as a roll-up made it (`storeContactLines`), with their signals. */
export type ChangedLine = ContactContribution & { accountId: string; hits: readonly PackedHit[] };

/**
 * Stores the breakdowns `lines` (by account) against what `stored` read: upserts the lines
 * that are new or differ, deletes the lines of people who are no longer contacts, and marks
 * an account whose breakdown changed as updated at `now` (its `updated_at` is when its stored
 * result last changed, as for the score row) with the lines version `version`. One
 * statement, none when nothing changed. Answers the lines written and the accounts changed.
 */
export async function storeContactLines(
  tx: Queryable,
  siteId: string,
  lines: ReadonlyMap<string, readonly ContactContribution[]>,
  /** Each contact's signals now, by account and person: stored with the line. */
  hits: ReadonlyMap<string, ReadonlyMap<string, readonly PackedHit[]>>,
  stored: Breakdowns,
  now: number,
  version: string,
): Promise<{ changed: ChangedLine[]; touched: Set<string> }> {
  const gone: { account_id: string; person_id: string }[] = [];
  for (const rows of stored.values()) {
    for (const row of rows.values()) if (!row.member) gone.push({ account_id: row.account_id, person_id: row.id });
  }
  const changed: ChangedLine[] = [];
  for (const [accountId, contacts] of lines) {
    const old = stored.get(accountId);
    const theirs = hits.get(accountId);
    for (const line of contacts) {
      const was = old?.get(line.personId);
      const current = theirs?.get(line.personId) ?? [];
      if (
        !was?.member ||
        was.score === null ||
        was.score !== line.score ||
        was.tier !== line.tier ||
        was.type !== line.type ||
        was.points !== line.points ||
        was.engaged !== line.engaged ||
        !sameHits(was.lineHits, current)
      ) {
        changed.push({ ...line, accountId, hits: current });
      }
    }
  }
  const touched = new Set([...changed.map((c) => c.accountId), ...gone.map((g) => g.account_id)]);
  if (touched.size === 0) return { changed, touched };
  // With the transaction's next statement or its COMMIT (`later`): nothing reads it back here.
  await tx.later(
    `with upsert as (
       insert into account_contacts (site_id, account_id, person_id, score, tier, type, points, engaged, hits)
       select $1, r."accountId", r."personId", r.score, r.tier, r.type, r.points, r.engaged, r.hits
         from jsonb_to_recordset($2::jsonb) as r("accountId" text, "personId" text, score int, tier text,
           type text, points double precision, engaged boolean, hits json)
       on conflict (site_id, account_id, person_id) do update set score = excluded.score, tier = excluded.tier,
         type = excluded.type, points = excluded.points, engaged = excluded.engaged, hits = excluded.hits),
     removed as (
       delete from account_contacts c using jsonb_to_recordset($3::jsonb) as g(account_id text, person_id text)
        where c.site_id = $1 and c.account_id = g.account_id and c.person_id = g.person_id)
     update account_scores set updated_at = $4::timestamptz, lines_version = $6
      where site_id = $1 and account_id = any($5::text[])`,
    [siteId, JSON.stringify(changed), JSON.stringify(gone), new Date(now).toISOString(), [...touched], version],
  );
  return { changed, touched };
}

/** Whether two packed signal lists are equal, element by element (null: none stored). */
export function sameHits(a: readonly PackedHit[] | null, b: readonly PackedHit[]): boolean {
  if (a === b) return true;
  if (a === null || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x[0] !== y[0] || x[1] !== y[1] || x[2] !== y[2] || x[3] !== y[3]) return false;
  }
  return true;
}

/**
 * SQL for an account's breakdown lines as the Sales API answers them (`contacts`, a JSON
 * array), best first: the account is the one of the query whose site and id columns are named.
 */
export function contactLinesJson(siteColumn: string, accountColumn: string): string {
  return `coalesce((
  select json_agg(json_build_object('personId', c.person_id, 'score', c.score, 'tier', c.tier, 'type', c.type,
           'points', c.points, 'engaged', c.engaged) order by c.points desc, c.person_id collate "C")
    from account_contacts c where c.site_id = ${siteColumn} and c.account_id = ${accountColumn}), '[]'::json)`;
}

/** Deletes every breakdown line of `accountIds` (accounts deleted, merged away or erased). */
export async function deleteContactLines(tx: Queryable, siteId: string, accountIds: readonly string[]): Promise<void> {
  if (accountIds.length === 0) return;
  await tx.query('delete from account_contacts where site_id = $1 and account_id = any($2::text[])', [
    siteId,
    accountIds,
  ]);
}
