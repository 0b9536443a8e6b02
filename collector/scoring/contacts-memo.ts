import type { PackedHit } from '../../shared/scoring/index.ts';
import type { Database, Queryable } from '../db/client.ts';
import type { Breakdowns, ChangedLine, ContactRow, HeldBreakdown } from './account-contacts.ts';

/**
 * The breakdowns (`account_contacts` lines with the contacts' signals) of the large accounts
 * (`MIN_CONTACTS_HELD`) this process rolled up last, each under the lines version it wrote or read
 * (`account_scores.lines_version`, a fresh random token at every change of the lines). A
 * roll-up passes the versions it holds to `readContacts`, which reads back only what differs
 * for an account still at that version: every writer of an account's lines holds its lock and
 * writes a new version, so a held breakdown is either exactly the stored one or not used.
 * Kept per database, set only after the transaction that read or wrote it commits (a rolled
 * back one leaves nothing behind), and bounded: at most `MAX_CONTACTS` lines in all, the
 * accounts least recently rolled up dropped first. Another collector's roll-up of an account
 * changes its version, so that account is read whole once by this one.
 */

/**
 * The lines' objects are small; what they keep alive is their contacts' signals, parsed and
 * rebuilt with the evaluations the roll-up holds for them, about 4 KB for five signals
 * (./hits-memo.ts): 10,000 contacts, about 40 MB.
 */
const MAX_CONTACTS = 10_000;

/**
 * Smaller accounts are not held: reading the versions and only what differs cost about 0.2 ms
 * more per roll-up than reading an account of one contact whole, and saved about 1.5 ms at
 * 400 contacts (docs/BENCHMARKS.md), so it pays from a few dozen contacts. An account not held
 * is read whole, as when nothing is held, by the plain read.
 */
export const MIN_CONTACTS_HELD = 50;

interface Held {
  /** By `site \u0001 account`, least recently rolled up first. */
  breakdowns: Map<string, HeldBreakdown>;
  contacts: number;
}

const byDatabase = new WeakMap<Database, Held>();

/** What to hold of an account after its roll-up: no version, nothing held. */
type Holding = { version: string | null; rows: ReadonlyMap<string, ContactRow> };

const keyOf = (siteId: string, accountId: string) => `${siteId}\u0001${accountId}`;

function heldOf(db: Database): Held {
  let held = byDatabase.get(db);
  if (!held) {
    held = { breakdowns: new Map(), contacts: 0 };
    byDatabase.set(db, held);
  }
  return held;
}

/** The breakdowns held of `accountIds` (one site), by account. */
export function heldBreakdowns(db: Database, siteId: string, accountIds: readonly string[]) {
  const held = byDatabase.get(db);
  const out = new Map<string, HeldBreakdown>();
  if (!held) return out;
  for (const id of accountIds) {
    const breakdown = held.breakdowns.get(keyOf(siteId, id));
    if (breakdown) out.set(id, breakdown);
  }
  return out;
}

/**
 * Once `tx` commits, holds the breakdown of each large account of `accountIds` (one site)
 * after its roll-up, under `versionOf` it (null: none known, nothing held), and drops the
 * accounts `gone` and those no longer large. `stored` is what the roll-up read, `changed`
 * the lines it wrote, `packed` each contact's signals its line now holds, by account.
 */
export function holdRolledUp(
  tx: Queryable,
  siteId: string,
  accountIds: Iterable<string>,
  gone: readonly string[],
  stored: Breakdowns,
  changed: readonly ChangedLine[],
  packed: ReadonlyMap<string, ReadonlyMap<string, PackedHit[]>>,
  versionOf: (accountId: string) => string | null,
): void {
  const byAccount = new Map<string, ChangedLine[]>();
  for (const line of changed) {
    const theirs = byAccount.get(line.accountId);
    if (theirs) theirs.push(line);
    else byAccount.set(line.accountId, [line]);
  }
  const held = new Map<string, Holding>();
  for (const id of accountIds) {
    const rows = stored.get(id);
    const version = versionOf(id);
    held.set(
      id,
      rows && version !== null && rows.size >= MIN_CONTACTS_HELD
        ? { version, rows: rolledUp(rows, byAccount.get(id) ?? [], packed.get(id) ?? new Map()) }
        : { version: null, rows: new Map() },
    );
  }
  for (const id of gone) held.set(id, { version: null, rows: new Map() });
  const db = tx.database;
  tx.afterCommit(() => holdBreakdowns(db, siteId, held));
}

/**
 * The breakdown an account has after a roll-up: its contacts' rows as `stored` read them,
 * with the lines the roll-up wrote (`changed`), without former contacts. Each contact's
 * signals are those its line now holds (`packed`): equal to their stored signals, or derived
 * from their events when none were stored (such a contact is read again while none are, and
 * once they are stored equal to the line's, the line's are theirs).
 */
function rolledUp(
  stored: ReadonlyMap<string, ContactRow>,
  changed: readonly ChangedLine[],
  packed: ReadonlyMap<string, PackedHit[]>,
): Map<string, ContactRow> {
  const rows = new Map<string, ContactRow>();
  for (const [id, row] of stored) {
    if (!row.member) continue;
    const hits = row.hits ?? packed.get(id) ?? null;
    rows.set(id, row.hits === hits ? row : { ...row, hits, lineHits: hits });
  }
  for (const line of changed) {
    const hits = line.hits as PackedHit[];
    rows.set(line.personId, {
      id: line.personId,
      account_id: line.accountId,
      member: true,
      hits,
      score: line.score,
      tier: line.tier,
      type: line.type,
      points: line.points,
      engaged: line.engaged,
      lineHits: hits,
    });
  }
  return rows;
}

/**
 * Holds `breakdowns` (one site, by account): each under its version, or dropped when it has
 * none (null: no version known, the account is gone or too small).
 */
function holdBreakdowns(db: Database, siteId: string, breakdowns: ReadonlyMap<string, Holding>): void {
  const held = heldOf(db);
  for (const [id, { version, rows }] of breakdowns) {
    const key = keyOf(siteId, id);
    const was = held.breakdowns.get(key);
    if (was) {
      held.contacts -= was.rows.size;
      held.breakdowns.delete(key);
    }
    if (version === null || rows.size < MIN_CONTACTS_HELD || rows.size > MAX_CONTACTS) continue;
    held.breakdowns.set(key, { version, rows });
    held.contacts += rows.size;
  }
  for (const [key, breakdown] of held.breakdowns) {
    if (held.contacts <= MAX_CONTACTS) break;
    held.breakdowns.delete(key);
    held.contacts -= breakdown.rows.size;
  }
}
