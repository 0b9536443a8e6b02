import { afterEach, describe, expect, it } from 'vitest';
import { type FreshDatabase, openFreshDatabase } from '../../test/helpers/fresh-database.ts';
import { createCollector } from '../app.ts';
import { findLinkBySlug, insertLink } from '../sales/links.ts';
import { createSite } from '../sites.ts';

/** The migrations before `link_slugs` (0000-0008). */
const BEFORE_LINK_SLUGS = 9;

let fresh: FreshDatabase | undefined;
afterEach(async () => {
  await fresh?.close();
  fresh = undefined;
});

describe('tracked links are keyed by site, their slugs found through link_slugs', () => {
  it('should keep a link made before the change working at /l/:slug after the migration', async () => {
    fresh = await openFreshDatabase();
    const { db } = fresh;
    await fresh.migrate(BEFORE_LINK_SLUGS);
    await db.query(
      `insert into sites (id, name, write_key, secret_key_id, secret_key_hash) values ('site-old', 'old', 'pk_old', 'skid', 'h')`,
    );
    await db.query(
      "insert into links (site_id, slug, url, recipient) values ('site-old', 'oldSlug12345', 'https://acme.test/old', 'u-old')",
    );
    await fresh.migrate();

    expect(await db.query('select slug, site_id from link_slugs')).toEqual([
      { slug: 'oldSlug12345', site_id: 'site-old' },
    ]);
    const collector = createCollector({ db, rescoreIntervalMs: 0 });
    try {
      const res = await collector.app.request('/l/oldSlug12345');
      expect(res.status).toBe(302);
      expect(res.headers.get('location')).toBe('https://acme.test/old?ink_lnk=oldSlug12345');
      const [opened] = await db.query<{ site_id: string; user_id: string }>(
        "select site_id, user_id from events where event = 'Tracked Link Opened'",
      );
      expect(opened).toEqual({ site_id: 'site-old', user_id: 'u-old' });
    } finally {
      await collector.drain();
    }
  });

  it('should never give two sites the same slug: a taken slug is drawn again', async () => {
    fresh = await openFreshDatabase();
    const { db } = fresh;
    await fresh.migrate();
    const a = await createSite(db, 'a');
    const b = await createSite(db, 'b');
    const slugs = ['sameSlug0001', 'sameSlug0001', 'otherSlug002'];
    const next = () => slugs.shift() ?? 'unexpected';
    const first = await insertLink(db, { site_id: a.siteId, url: 'https://a.test/', recipient: null }, next);
    const second = await insertLink(db, { site_id: b.siteId, url: 'https://b.test/', recipient: null }, next);
    expect([first, second]).toEqual(['sameSlug0001', 'otherSlug002']);
    expect((await findLinkBySlug(db, 'sameSlug0001'))?.site_id).toBe(a.siteId);
    expect((await findLinkBySlug(db, 'otherSlug002'))?.url).toBe('https://b.test/');
    expect(await db.query('select slug from links order by slug')).toEqual([
      { slug: 'otherSlug002' },
      { slug: 'sameSlug0001' },
    ]);
  });
});
