import { describe, expect, it } from 'vitest';
import { useTestCollector } from '../../test/helpers/collector.ts';
import { newSite } from '../../test/helpers/db.ts';
import { insertEvents } from '../../test/helpers/events.ts';
import { daysAgo, intentClient, page, readTimeline, track } from '../../test/helpers/intent.ts';
import type { Collector } from '../app.ts';
import type { Database } from '../db/client.ts';
import type { TimelineItem } from '../sales/timeline.ts';

let db: Database;
let collector: Collector;
useTestCollector((env) => {
  ({ db, collector } = env);
});

const readAll = (api: ReturnType<typeof intentClient>, path: string, limit: number) =>
  readTimeline<TimelineItem>(api, path, limit);

const MINUTE = 60_000;
const at = (base: number, minutes: number) => new Date(base + minutes * MINUTE).toISOString();

describe('GET /v1/people/:id/signals under ties', () => {
  it('should list each event once with any limit from 1 to 7 when events share one timestamp', async () => {
    const site = await newSite(db);
    const api = intentClient(collector, site);
    const first = page('tie-p', '/first', { timestamp: '2026-01-01T00:00:00.000Z' });
    await api.send([first]);
    // 40 events at one instant (with microseconds, which a Date cannot hold), whose row ids
    // cross a power of ten: as text "10000000000" sorts before "9999999980".
    const bulk = await insertEvents(db, site.siteId, {
      count: 40,
      firstId: 10 ** 10 - 20,
      timestamp: '2026-01-02T03:04:05.123456Z',
      anonymousId: 'tie-p',
      prefix: `tie-p-${site.siteId}-`,
    });
    const expected = [...bulk].reverse().concat(first.messageId);
    for (let limit = 1; limit <= 7; limit++) {
      const ids = (await readAll(api, '/v1/people/tie-p/signals', limit)).map((i) => i.id);
      expect(ids, `limit=${limit}`).toEqual(expected);
    }
  });
});

describe('GET /v1/people/:id/signals items', () => {
  it('should say what happened: the relevant properties of each event and the derived signals where they arose', async () => {
    const site = await newSite(db);
    const api = intentClient(collector, site);
    const t0 = Date.parse(daysAgo(6));
    const chat = `Can we talk about pricing? ${'x'.repeat(400)}`;
    const anon = { anonymousId: 'rep-1' };
    const pageAt = (path: string, minutes: number, title: string) =>
      page('rep-1', path, {
        timestamp: at(t0, minutes),
        properties: { path, url: `https://acme.example${path}`, title, referrer: 'https://google.com/', search: '' },
      });
    const events = [
      pageAt('/pricing', 0, 'Pricing'),
      pageAt('/product', 1, 'Product'),
      pageAt('/customers', 2, 'Customers'),
      track(anon, 'Element Clicked', {
        timestamp: at(t0, 3),
        properties: { kind: 'link', text: 'Book a demo', href: '/demo', selector: 'a.cta', id: 'cta' },
      }),
      track(anon, 'Form Submitted', {
        timestamp: at(t0, 4),
        properties: { formId: 'demo', formName: 'Request a demo', action: '/submit', fields: ['email', 'company'] },
      }),
      track(anon, 'Whitepaper Downloaded', {
        timestamp: at(t0, 5),
        properties: { document: 'Buyer guide', title: 'The buyer guide', duration: 95, nested: { a: 1 } },
      }),
      track(anon, 'Chat Message', { timestamp: at(t0, 6), properties: { text: chat, channel: 'web' } }),
      pageAt('/pricing', 3 * 24 * 60, 'Pricing'),
    ];
    await api.send(events);
    const items = await readAll(api, '/v1/people/rep-1/signals', 50);
    const byId = new Map(items.map((i) => [i.id, i]));
    const item = (n: number) => byId.get(events[n]!.messageId)!;
    const derived = (n: number) => item(n).derived.map((d) => d.signal);

    expect(item(0).details).toEqual({
      url: 'https://acme.example/pricing',
      title: 'Pricing',
      path: '/pricing',
      referrer: 'https://google.com/',
    });
    expect(item(0)).toMatchObject({ signal: 'pricing_page', label: expect.any(String), derived: [] });
    expect(derived(1)).toEqual([]);
    expect(item(2).derived).toEqual([
      {
        signal: 'multi_page_session',
        label: expect.any(String),
        category: expect.any(String),
        points: expect.any(Number),
      },
    ]);
    expect(item(3).details).toEqual({ text: 'Book a demo', href: '/demo', kind: 'link' });
    expect(item(4).details).toEqual({ formId: 'demo', formName: 'Request a demo', fields: ['email', 'company'] });
    expect(item(5).details).toEqual({ document: 'Buyer guide', title: 'The buyer guide', duration: 95 });
    const text = item(6).details.text as string;
    expect(text.length).toBe(280);
    expect(chat.startsWith(text.slice(0, -1))).toBe(true);
    expect(derived(7)).toEqual(['return_visit']);

    // The derived signals do not depend on the page size: the look-back reaches before the page.
    const one = await readAll(api, '/v1/people/rep-1/signals', 1);
    expect(one).toEqual(items);
  });
});
