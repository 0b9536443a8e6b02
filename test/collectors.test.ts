import { describe, expect, it } from 'vitest';
import { newSite } from './helpers/db.ts';
import { checkPureScores } from './helpers/pure-scores.ts';
import { useTwoCollectors } from './helpers/two-collectors.ts';

/**
 * Two collectors on one database, as two processes behind a load balancer: on PostgreSQL
 * each has its own connection pool; the embedded engine has one connection, shared. The same
 * persons' and accounts' events reach both at the same moment.
 */
const two = useTwoCollectors();

const DOMAINS = ['northwind.test', 'globex.test', 'initech.test'];
const PAGES = ['/pricing', '/case-studies/globex', '/demo', '/customers/northwind', '/blog/intent', '/security'];

let seq = 0;
function message(person: number, kind: 'page' | 'track' | 'identify', minutesAgo: number, site: string) {
  const common = {
    messageId: `${site}-c-${++seq}`,
    anonymousId: `anon-${person}`,
    timestamp: new Date(Date.now() - minutesAgo * 60_000).toISOString(),
  };
  if (kind === 'identify')
    return {
      ...common,
      type: 'identify',
      userId: `user-${person}`,
      traits: { email: `person${person}@${DOMAINS[person % DOMAINS.length]}` },
    };
  if (kind === 'track') return { ...common, type: 'track', event: 'Demo Requested', properties: {} };
  const path = PAGES[(person + seq) % PAGES.length];
  return { ...common, type: 'page', properties: { path, url: `https://acme.test${path}` } };
}

describe('two collectors on one database', () => {
  it('should store every event once and leave every score equal to the pure model on all stored events', async () => {
    const site = await newSite(two.t.db);
    const persons = 9;
    // Six rounds per person: pages, a track, and an identify (which merges the visitor into a
    // known user and an account) in the middle; each round a batch of one event per person.
    const rounds: ('page' | 'track' | 'identify')[] = ['page', 'page', 'identify', 'track', 'page', 'page'];
    const batches: object[][] = [];
    for (const [r, kind] of rounds.entries()) {
      // Two half-batches per round, each mixing persons of every account, then a page of every
      // person: consecutive batches go to different collectors.
      for (const half of [0, 1]) {
        const batch = [];
        for (let p = half; p < persons; p += 2) batch.push(message(p, kind, 60 - r * 5, site.siteId));
        batches.push(batch);
      }
      batches.push(Array.from({ length: persons }, (_, p) => message(p, 'page', 58 - r * 5, site.siteId)));
    }
    const auth = `Basic ${Buffer.from(`${site.writeKey}:`).toString('base64')}`;
    // Every batch at once, alternating collectors: each person's events reach both.
    const answers = await Promise.all(
      batches.map((batch, i) =>
        two.at(i).app.request('/v1/batch', {
          method: 'POST',
          headers: { authorization: auth, 'content-type': 'application/json' },
          body: JSON.stringify({ batch }),
        }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(batches.map(() => 200));
    for (const c of two.collectors) await c.drain();

    const sent = batches.reduce((n, b) => n + b.length, 0);
    const [stored] = await two.t.db.query<{ n: number; distinct: number }>(
      'SELECT count(*)::int AS n, count(DISTINCT message_id)::int AS distinct FROM events WHERE site_id = $1',
      [site.siteId],
    );
    expect(stored).toEqual({ n: sent, distinct: sent });
    expect(await two.t.db.query('SELECT 1 FROM unscored WHERE site_id = $1', [site.siteId])).toEqual([]);

    const check = await checkPureScores(two.t.db, site.siteId);
    expect(check.mismatches).toEqual([]);
    // One person per visitor (each identified, merged into their user), one account per domain.
    expect({ persons: check.persons, accounts: check.accounts }).toEqual({ persons, accounts: DOMAINS.length });
    // Scores that an increment or a lost update would get wrong: every account above zero.
    const accountScores = [...check.pureAt].filter(([k]) => k.startsWith('domain:')).map(([, s]) => s);
    expect(accountScores.every((s) => s > 0)).toBe(true);
  });
});
