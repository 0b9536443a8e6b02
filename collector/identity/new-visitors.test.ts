import { describe, expect, it } from 'vitest';
import { testDatabaseUrl } from '../../test/helpers/database-url.ts';
import { newSite } from '../../test/helpers/db.ts';
import { identify, intentClient, page } from '../../test/helpers/intent.ts';
import { checkPureScores } from '../../test/helpers/pure-scores.ts';
import { useTwoCollectors } from '../../test/helpers/two-collectors.ts';
import type { Queryable } from '../db/client.ts';
import { identityLockSql, lockAnonymousIds } from './locks.ts';
import { newPersonId } from './persons.ts';

/**
 * New anonymous visitors are created without the site's identity lock (`batch.ts`), by two
 * collectors at once (on PostgreSQL each has its own pool, as two processes would; the
 * embedded engine has one connection, shared).
 */
const two = useTwoCollectors();

const at = two.at;

/** Every batch at once, alternating collectors; answers their statuses. */
async function sendAtOnce(site: { writeKey: string }, batches: object[][]): Promise<number[]> {
  const auth = `Basic ${Buffer.from(`${site.writeKey}:`).toString('base64')}`;
  const answers = await Promise.all(
    batches.map((batch, i) =>
      at(i).app.request('/v1/batch', {
        method: 'POST',
        headers: { authorization: auth, 'content-type': 'application/json' },
        body: JSON.stringify({ batch }),
      }),
    ),
  );
  for (const c of two.collectors) await c.drain();
  return answers.map((a) => a.status);
}

/** Each anonymous id of the site with its person's user id, and the persons holding no id. */
async function graph(siteId: string) {
  const ids = await two.t.db.query<{ anonymous_id: string; user_id: string | null }>(
    `select i.anonymous_id, p.user_id from identities i join persons p on p.site_id = i.site_id and p.id = i.person_id
      where i.site_id = $1 order by i.anonymous_id`,
    [siteId],
  );
  const orphans = await two.t.db.query<{ id: string }>(
    `select id from persons p where site_id = $1 and user_id is null
        and not exists (select 1 from identities i where i.site_id = p.site_id and i.person_id = p.id)`,
    [siteId],
  );
  const [persons] = await two.t.db.query<{ n: number }>('select count(*)::int as n from persons where site_id = $1', [
    siteId,
  ]);
  return { ids, orphans: orphans.length, persons: persons?.n };
}

/**
 * Whether another connection waits for the lock of anonymous id `id` (`lockAnonymousIds`),
 * asked until it does or 20 s passed: a guard against waiting forever, not a timing.
 */
async function someoneWaitsForLockOf(id: string): Promise<boolean> {
  for (let i = 0; i < 400; i++) {
    const waiting = await two.t.db.query(
      `select 1 from pg_locks where locktype = 'advisory' and not granted and objsubid = 2
          and objid::bigint = (hashtext($1)::bigint & 4294967295)`,
      [id],
    );
    if (waiting.length > 0) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

/** In a transaction holding `id`'s lock, as the creation of a new visitor does: its person and id, uncommitted. */
async function createVisitor(tx: Queryable, siteId: string, id: string): Promise<string> {
  const person = newPersonId();
  await lockAnonymousIds(tx, siteId, [id]);
  await tx.query('insert into persons (site_id, id) values ($1, $2)', [siteId, person]);
  await tx.query('insert into identities (site_id, anonymous_id, person_id) values ($1, $2, $3)', [siteId, id, person]);
  return person;
}

describe('new anonymous visitors', () => {
  it('should give each visitor first seen at two collectors at once one person, and leave no person without an id', async () => {
    const site = await newSite(two.t.db);
    const visitors = Array.from({ length: 20 }, (_, i) => `fresh-${i}`);
    // Twelve batches, each with a page of every visitor: all of them new to every collector.
    const batches = Array.from({ length: 12 }, (_, b) => visitors.map((v) => page(v, `/p/${b}`)));
    expect(await sendAtOnce(site, batches)).toEqual(batches.map(() => 200));

    const g = await graph(site.siteId);
    expect(g.ids.map((r) => r.anonymous_id)).toEqual([...visitors].sort());
    expect({ persons: g.persons, orphans: g.orphans }).toEqual({ persons: visitors.length, orphans: 0 });
    const check = await checkPureScores(two.t.db, site.siteId);
    expect(check.mismatches).toEqual([]);
  });

  it('should create every new visitor of a group larger than one creation transaction takes', async () => {
    const site = await newSite(two.t.db);
    const visitors = Array.from({ length: 260 }, (_, i) => `many-${String(i).padStart(3, '0')}`);
    await intentClient(at(0), site).send(visitors.map((v) => page(v, '/pricing')));
    const g = await graph(site.siteId);
    expect(g.ids.map((r) => r.anonymous_id)).toEqual(visitors);
    expect({ persons: g.persons, orphans: g.orphans }).toEqual({ persons: visitors.length, orphans: 0 });
  });

  it('should link visitors whose first page and identify reach two collectors at once, with no conflict', async () => {
    const site = await newSite(two.t.db);
    const visitors = Array.from({ length: 20 }, (_, i) => i);
    // Pages of every visitor at one collector and their identifies at the other, at once:
    // the message-by-message path inserts the same anonymous ids the bulk path creates.
    const batches: object[][] = [];
    for (let r = 0; r < 4; r++) {
      batches.push(visitors.map((v) => page(`both-${v}`, `/r/${r}`)));
      batches.push(visitors.map((v) => identify(`both-${v}`, `user-${v}`)));
    }
    expect(await sendAtOnce(site, batches)).toEqual(batches.map(() => 200));

    const g = await graph(site.siteId);
    expect(g.ids).toEqual(
      visitors
        .map((v) => ({ anonymous_id: `both-${v}`, user_id: `user-${v}` }))
        .sort((a, b) => a.anonymous_id.localeCompare(b.anonymous_id)),
    );
    expect({ persons: g.persons, orphans: g.orphans }).toEqual({ persons: visitors.length, orphans: 0 });
    expect(await two.t.db.query('select 1 from identity_conflicts where site_id = $1', [site.siteId])).toEqual([]);
    expect(await two.t.db.query('select 1 from unscored where site_id = $1', [site.siteId])).toEqual([]);
    const check = await checkPureScores(two.t.db, site.siteId);
    expect(check.mismatches).toEqual([]);
  });

  // The two cases below hold a transaction open on a connection of their own while a
  // collector works: the embedded engine has one connection, so they need PostgreSQL.
  it.skipIf(!testDatabaseUrl())(
    "should create new visitors while another transaction holds the site's identity lock",
    async () => {
      const site = await newSite(two.t.db);
      const api = intentClient(at(1), site);
      const answer = await two.t.db.transaction(async (tx) => {
        await tx.query(identityLockSql, [site.siteId]);
        let timer: NodeJS.Timeout | undefined;
        // Not a timing: a guard, so that a creation waiting for the lock fails the test
        // instead of waiting for this transaction forever.
        const blocked = new Promise<'blocked'>((resolve) => {
          timer = setTimeout(() => resolve('blocked'), 20_000);
        });
        const sent = api.send([page('locked-out-1', '/pricing'), page('locked-out-2', '/demo')]).then(() => 'stored');
        const result = await Promise.race([sent, blocked]);
        clearTimeout(timer);
        return result;
      });
      expect(answer).toBe('stored');
      expect((await graph(site.siteId)).ids.map((r) => r.anonymous_id)).toEqual(['locked-out-1', 'locked-out-2']);
      expect((await api.person('locked-out-1')).score).toBeGreaterThan(0);
    },
    30_000,
  );

  it.skipIf(!testDatabaseUrl())(
    'should give a visitor created elsewhere while the collector was creating it that person',
    async () => {
      const site = await newSite(two.t.db);
      const api = intentClient(at(1), site);
      let sent: Promise<unknown> | undefined;
      let waited = false;
      const person = await two.t.db.transaction(async (tx) => {
        // Another writer creates the visitor first: it holds the visitor's lock, uncommitted.
        const created = await createVisitor(tx, site.siteId, 'raced');
        // The collector looked the visitor up (absent), and now waits for the visitor's lock.
        sent = api.send([page('raced', '/pricing')]);
        waited = await someoneWaitsForLockOf('raced');
        return created;
      });
      await sent;
      expect(waited).toBe(true);
      const g = await graph(site.siteId);
      expect({ ids: g.ids.length, persons: g.persons, orphans: g.orphans }).toEqual({ ids: 1, persons: 1, orphans: 0 });
      const found = await api.person('raced');
      expect(found.id).toBe(person);
      expect(found.score).toBeGreaterThan(0);
    },
    30_000,
  );

  it.skipIf(!testDatabaseUrl())(
    'should make an identify wait for a visitor being created, then link that visitor',
    async () => {
      const site = await newSite(two.t.db);
      const api = intentClient(at(1), site);
      let sent: Promise<unknown> | undefined;
      let waited = false;
      await two.t.db.transaction(async (tx) => {
        await createVisitor(tx, site.siteId, 'first-seen');
        // The message-by-message path would insert the same id: it waits for the id's lock.
        sent = api.send([identify('first-seen', 'user-first')]);
        waited = await someoneWaitsForLockOf('first-seen');
      });
      await sent;
      expect(waited).toBe(true);
      const g = await graph(site.siteId);
      expect(g.ids).toEqual([{ anonymous_id: 'first-seen', user_id: 'user-first' }]);
      expect({ persons: g.persons, orphans: g.orphans }).toEqual({ persons: 1, orphans: 0 });
      expect((await api.person('first-seen')).userId).toBe('user-first');
    },
    30_000,
  );
});
