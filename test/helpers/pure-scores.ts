import type { Queryable } from '../../collector/db/client.ts';
import { junkIdSql } from '../../collector/identity/junk-ids.ts';
import { defaultConfig, type ScoringEvent, scoreAccount, scorePerson } from '../../shared/scoring/index.ts';

/**
 * The check that concurrent collectors lost no update: every stored person and account score
 * must equal the pure model (`scorePerson`, `scoreAccount`) computed from **all** the events
 * stored for that subject, at the time the score was written (`updated_at`). A score that was
 * incremented, or computed by one collector while another's events for the same person were
 * not yet visible and never recomputed, differs. Reads everything of one site: for tests and
 * benchmarks, not for production sizes. The site must use the default scoring model.
 */

export interface ScoreMismatch {
  kind: 'person' | 'account';
  id: string;
  stored: number | null;
  pure: number;
}

export interface PureScoreCheck {
  persons: number;
  accounts: number;
  mismatches: ScoreMismatch[];
  /**
   * Each subject's pure score at one common time, keyed by what is stable across databases
   * (a person's user id, else their smallest anonymous id; an account's domain or group id):
   * two runs of the same messages must give equal maps.
   */
  at: number;
  pureAt: Map<string, number>;
}

interface EventRow {
  person_id: string;
  message_id: string;
  type: ScoringEvent['type'];
  event: string | null;
  name: string | null;
  path: string | null;
  url: string | null;
  properties: Record<string, unknown>;
  timestamp: Date;
  anonymous_id: string | null;
  user_id: string | null;
  is_bot: boolean;
}

/**
 * A person's events, written out here rather than taken from the collector: those of their
 * user id, and those of their anonymous ids that carry no user id or a junk one.
 */
const EVENTS_BY_PERSON = `
SELECT p.id AS person_id, e.message_id, e.type, e.event, e.name, e.path, e.url, e.properties,
  e."timestamp", e.anonymous_id, e.user_id, e.is_bot
FROM persons p JOIN events e ON e.site_id = p.site_id AND e.user_id = p.user_id
WHERE p.site_id = $1
UNION ALL
SELECT i.person_id, e.message_id, e.type, e.event, e.name, e.path, e.url, e.properties,
  e."timestamp", e.anonymous_id, e.user_id, e.is_bot
FROM identities i JOIN events e ON e.site_id = i.site_id AND e.anonymous_id = i.anonymous_id
WHERE i.site_id = $1 AND (e.user_id IS NULL OR ${junkIdSql('e.user_id')})`;

export async function checkPureScores(q: Queryable, siteId: string, at = Date.now()): Promise<PureScoreCheck> {
  const configured = await q.query('SELECT 1 FROM site_configs WHERE site_id = $1', [siteId]);
  if (configured.length > 0) throw new Error('checkPureScores knows only the default scoring model');
  const events = new Map<string, ScoringEvent[]>();
  for (const r of await q.query<EventRow>(EVENTS_BY_PERSON, [siteId])) {
    const list = events.get(r.person_id) ?? [];
    list.push({
      id: r.message_id,
      type: r.type,
      event: r.event,
      name: r.name,
      path: r.path,
      url: r.url,
      properties: r.properties ?? {},
      timestamp: new Date(r.timestamp).getTime(),
      anonymousId: r.anonymous_id,
      userId: r.user_id,
      isBot: r.is_bot,
    });
    events.set(r.person_id, list);
  }
  for (const list of events.values()) list.sort((a, b) => a.timestamp - b.timestamp || (a.id < b.id ? -1 : 1));

  const persons = await q.query<{ id: string; account_id: string | null; key: string }>(
    `SELECT p.id, p.account_id,
       coalesce('user:' || p.user_id, 'anon:' || (SELECT min(anonymous_id) FROM identities i
         WHERE i.site_id = p.site_id AND i.person_id = p.id), 'person:' || p.id) AS key
     FROM persons p WHERE p.site_id = $1`,
    [siteId],
  );
  const accounts = await q.query<{ id: string; key: string }>(
    `SELECT id, coalesce('domain:' || domain, 'group:' || group_id, 'account:' || id) AS key
     FROM accounts WHERE site_id = $1`,
    [siteId],
  );
  const stored = async (table: string, column: string) =>
    new Map(
      (
        await q.query<{ id: string; score: number; updated_at: Date }>(
          `SELECT ${column} AS id, score, updated_at FROM ${table} WHERE site_id = $1`,
          [siteId],
        )
      ).map((r) => [r.id, { score: r.score, at: new Date(r.updated_at).getTime() }]),
    );
  const personScores = await stored('person_scores', 'person_id');
  const accountScores = await stored('account_scores', 'account_id');

  const mismatches: ScoreMismatch[] = [];
  const pureAt = new Map<string, number>();
  for (const p of persons) {
    const own = events.get(p.id) ?? [];
    const s = personScores.get(p.id);
    const pure = scorePerson(own, defaultConfig, s?.at ?? at).score;
    if (s?.score !== pure) mismatches.push({ kind: 'person', id: p.id, stored: s?.score ?? null, pure });
    pureAt.set(p.key, scorePerson(own, defaultConfig, at).score);
  }
  const contacts = new Map<string, { personId: string; events: ScoringEvent[] }[]>();
  for (const p of persons) {
    if (p.account_id === null) continue;
    const list = contacts.get(p.account_id) ?? [];
    list.push({ personId: p.id, events: events.get(p.id) ?? [] });
    contacts.set(p.account_id, list);
  }
  for (const a of accounts) {
    const theirs = contacts.get(a.id) ?? [];
    const s = accountScores.get(a.id);
    const pure = scoreAccount(theirs, defaultConfig, s?.at ?? at).score;
    if (s?.score !== pure) mismatches.push({ kind: 'account', id: a.id, stored: s?.score ?? null, pure });
    // Person ids differ between databases: the account's pure score at `at` does not depend on them.
    pureAt.set(a.key, scoreAccount(theirs, defaultConfig, at).score);
  }
  return { persons: persons.length, accounts: accounts.length, mismatches, at, pureAt };
}
