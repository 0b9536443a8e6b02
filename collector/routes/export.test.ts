import { describe, expect, it } from 'vitest';
import { useTestCollector } from '../../test/helpers/collector.ts';
import { newSite } from '../../test/helpers/db.ts';
import { insertEvents } from '../../test/helpers/events.ts';
import { daysAgo, intentClient, page, track } from '../../test/helpers/intent.ts';
import type { Collector } from '../app.ts';
import type { Database } from '../db/client.ts';
import { exportScores, exportSignals } from '../sales/export.ts';

let db: Database;
let collector: Collector;
useTestCollector((env) => {
  ({ db, collector } = env);
});

async function seeded() {
  const site = await newSite(db);
  const api = intentClient(collector, site);
  const events = [
    page('exp-a', '/pricing', { timestamp: daysAgo(5) }),
    track({ anonymousId: 'exp-a' }, 'Said "hi", then\nleft', { timestamp: daysAgo(3) }),
    track({ anonymousId: 'exp-a' }, 'Demo Requested', { timestamp: daysAgo(2) }),
    track({ anonymousId: 'exp-a' }, '=HYPERLINK("https://evil.example","Click")', { timestamp: daysAgo(1.2) }),
    {
      type: 'identify',
      messageId: 'exp-id',
      anonymousId: 'exp-a',
      userId: 'eve',
      traits: { email: 'eve@export.example' },
      timestamp: daysAgo(1),
    },
  ];
  await api.send(events);
  return { site, api, events };
}

/** A minimal RFC 4180 reader, enough to check the quoting. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += ch;
  }
  return rows;
}

describe('GET /v1/export', () => {
  it('should stream the signals as CSV with a header row and quoted fields', async () => {
    const { api, events } = await seeded();
    const res = await api.get('/v1/export?what=signals&format=csv');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="inkling-signals.csv"');
    const [header, ...rows] = parseCsv(await res.text());
    expect(header?.slice(0, 4)).toEqual(['id', 'timestamp', 'type', 'event']);
    expect(rows.map((r) => r[0])).toEqual(events.map((e) => e.messageId));
    expect(rows[1]?.[3]).toBe('Said "hi", then\nleft');
    // A visitor-made formula is text to a spreadsheet (OWASP: a leading quote).
    expect(rows[3]?.[3]).toBe(`'=HYPERLINK("https://evil.example","Click")`);
    const demo = rows[2] ?? [];
    expect(demo[header?.indexOf('signal') ?? -1]).not.toBe('');
  });

  it('should export only the signals from `from` (inclusive) to `to` (exclusive), as NDJSON', async () => {
    const { api, events } = await seeded();
    const from = encodeURIComponent(daysAgo(4));
    const to = encodeURIComponent(daysAgo(1.5));
    const res = await api.get(`/v1/export?what=signals&format=ndjson&from=${from}&to=${to}`);
    expect(res.headers.get('content-type')).toContain('application/x-ndjson');
    const lines = (await res.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string });
    expect(lines.map((l) => l.id)).toEqual([events[1]?.messageId, events[2]?.messageId]);
  });

  it('should export the scores of people and accounts', async () => {
    const { api } = await seeded();
    const res = await api.get('/v1/export?what=scores&format=ndjson');
    const rows = (await res.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows.map((r) => r.kind)).toEqual(['person', 'account']);
    expect(rows[0]).toMatchObject({ userId: 'eve', tier: expect.any(String) });
    expect(rows[1]).toMatchObject({ domain: 'export.example' });
    const future = encodeURIComponent(daysAgo(-1));
    expect(await (await api.get(`/v1/export?what=scores&format=csv&from=${future}`)).text()).toBe(
      'kind,id,userId,email,domain,name,score,tier,type,trend,updatedAt,owner\r\n',
    );
  });

  it('should read the database in pages and still yield every row once, in order', async () => {
    const { site, events } = await seeded();
    const model = await collector.configs.model(site.siteId);
    const ids: unknown[] = [];
    for await (const row of exportSignals(db, site.siteId, model, { from: null, to: null }, 2)) ids.push(row.id);
    expect(ids).toEqual(events.map((e) => e.messageId));
    const kinds: unknown[] = [];
    for await (const row of exportScores(db, site.siteId, { from: null, to: null }, 1)) kinds.push(row.kind);
    expect(kinds).toEqual(['person', 'account']);
  });

  it("should answer 400 for bad parameters, 401 without the secret key, and nothing of another site's", async () => {
    const { site, api } = await seeded();
    for (const q of ['what=events', 'format=xml', 'from=yesterday', 'to=2026-13-45']) {
      expect((await api.get(`/v1/export?${q}`)).status, q).toBe(400);
    }
    expect((await api.get('/v1/export', {})).status).toBe(401);
    expect((await api.get('/v1/export', { authorization: `Bearer ${site.writeKey}` })).status).toBe(401);
    const other = intentClient(collector, await newSite(db));
    expect(await (await other.get('/v1/export?what=signals&format=ndjson')).text()).toBe('');
    expect(await (await other.get('/v1/export?what=scores&format=ndjson')).text()).toBe('');
  });

  it('should answer 400 before streaming for dates PostgreSQL cannot hold, and export for years 0001 to 9999', async () => {
    const { api } = await seeded();
    const absurd = [
      '300000-01-01',
      '%2B275760-09-13',
      '-000001-01-01',
      '-271821-04-20',
      '0000-01-01',
      '10000-01-01',
      // Days the calendar does not have: Date.parse rolled them over into the next month.
      '2026-11-31T02:28:25Z',
      '2026-02-30',
    ];
    for (const date of absurd) {
      for (const what of ['signals', 'scores']) {
        for (const name of ['from', 'to']) {
          const res = await api.get(`/v1/export?what=${what}&${name}=${date}`);
          expect(res.status, `${what} ${name}=${date}`).toBe(400);
          expect(((await res.json()) as { error: { code: string } }).error.code).toBe(`invalid_${name}`);
        }
      }
    }
    for (const what of ['signals', 'scores']) {
      const res = await api.get(`/v1/export?what=${what}&format=ndjson&from=0001-01-01&to=9999-12-31T23:59:59.999Z`);
      expect(res.status).toBe(200);
      expect((await res.text()).trim().split('\n').length, what).toBeGreaterThan(1);
    }
  });
});

/** The exported messageIds, in the order the route streamed them. */
async function exportedIds(api: ReturnType<typeof intentClient>, format: 'csv' | 'ndjson'): Promise<string[]> {
  const res = await api.get(`/v1/export?what=signals&format=${format}`);
  expect(res.status).toBe(200);
  const text = await res.text();
  if (format === 'csv')
    return parseCsv(text)
      .slice(1)
      .map((r) => r[0] ?? '');
  return text
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { id: string }).id);
}

describe('GET /v1/export under ties', () => {
  it('should export each of 20,000+ events that share one timestamp exactly once, as CSV and as NDJSON', async () => {
    const site = await newSite(db);
    const api = intentClient(collector, site);
    const at = daysAgo(1);
    const ingested = Array.from({ length: 18 }, (_, i) => page('tie-a', `/tie/${i}`, { timestamp: at }));
    await api.send(ingested);
    // Row ids across a power of ten (9,999,990,000 to 10,000,009,999), as every table's ids
    // once are: sorted as text, "10000000000" comes before "9999990000".
    const bulk = await insertEvents(db, site.siteId, {
      count: 20_000,
      firstId: 10 ** 10 - 10_000,
      timestamp: at,
      anonymousId: 'tie-b',
      prefix: `tie-${site.siteId}-`,
    });
    const expected = new Set([...ingested.map((e) => e.messageId), ...bulk]);
    for (const format of ['csv', 'ndjson'] as const) {
      const ids = await exportedIds(api, format);
      expect(ids.length, format).toBe(expected.size);
      expect(new Set(ids), format).toEqual(expected);
      // Oldest first, ties by row id: the ingested events (identity ids) before the bulk ones.
      expect(ids.slice(-bulk.length), format).toEqual(bulk);
    }
  });

  it('should export each event sent without a timestamp once, whatever the page size', async () => {
    const site = await newSite(db);
    const api = intentClient(collector, site);
    const events = Array.from({ length: 40 }, (_, i) => page(`no-ts-${i % 3}`, `/no-ts/${i}`));
    await api.send(events);
    const expected = new Set(events.map((e) => e.messageId));
    for (const format of ['csv', 'ndjson'] as const) {
      const ids = await exportedIds(api, format);
      expect(ids.length, format).toBe(40);
      expect(new Set(ids), format).toEqual(expected);
    }
    const model = await collector.configs.model(site.siteId);
    for (const pageRows of [1, 2, 3, 7, 39]) {
      const ids: unknown[] = [];
      for await (const row of exportSignals(db, site.siteId, model, { from: null, to: null }, pageRows))
        ids.push(row.id);
      expect(ids.length, `pages of ${pageRows}`).toBe(40);
      expect(new Set(ids), `pages of ${pageRows}`).toEqual(expected);
    }
  });
});
