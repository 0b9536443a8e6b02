import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { Analytics } from '@segment/analytics-node';
import { describe, expect, it } from 'vitest';
import { newSite, type TestDatabase } from './helpers/db.ts';
import { type TestServer, useTestServer } from './helpers/server.ts';

const run = promisify(execFile);

let t: TestDatabase;
let server: TestServer;
useTestServer((env) => {
  ({ t, server } = env);
});

describe("Segment's @segment/analytics-node, unchanged", () => {
  it('should deliver page, track, identify and group calls that are stored as sent', async () => {
    const site = await newSite(t.db);
    const errors: unknown[] = [];
    const analytics = new Analytics({ writeKey: site.writeKey, host: server.url, flushAt: 3, maxRetries: 0 });
    analytics.on('error', (err) => errors.push(err));

    analytics.page({
      anonymousId: 'anon-seg',
      name: 'Pricing',
      properties: { path: '/pricing', url: 'https://acme.test/pricing' },
    });
    analytics.track({ userId: 'u-seg', event: 'Demo Requested', properties: { plan: 'team' } });
    analytics.identify({ userId: 'u-seg', traits: { email: 'jane@acme.test', name: 'Jane' } });
    analytics.group({ userId: 'u-seg', groupId: 'acme', traits: { name: 'Acme Inc' } });
    analytics.alias({ userId: 'u-seg', previousId: 'anon-seg' });
    await analytics.closeAndFlush({ timeout: 10_000 });
    expect(errors).toEqual([]);

    const rows = await t.db.query<Record<string, unknown>>(
      `select type, event, name, anonymous_id, user_id, group_id, previous_id, path, properties, traits, context, message_id,
              original_timestamp, sent_at
         from events where site_id = $1 order by type`,
      [site.siteId],
    );
    expect(rows.map((r) => r.type)).toEqual(['alias', 'group', 'identify', 'page', 'track']);
    const byType = Object.fromEntries(rows.map((r) => [r.type, r]));
    expect(byType.page).toMatchObject({ name: 'Pricing', anonymous_id: 'anon-seg', path: '/pricing' });
    expect(byType.track).toMatchObject({ event: 'Demo Requested', user_id: 'u-seg', properties: { plan: 'team' } });
    expect(byType.identify).toMatchObject({ traits: { email: 'jane@acme.test', name: 'Jane' } });
    expect(byType.group).toMatchObject({ group_id: 'acme', traits: { name: 'Acme Inc' } });
    expect(byType.alias).toMatchObject({ previous_id: 'anon-seg', user_id: 'u-seg' });
    for (const r of rows) {
      expect(r.message_id).toMatch(/\S{10,}/);
      expect(r.original_timestamp).not.toBeNull();
      expect((r.context as { library?: { name?: string } }).library?.name).toMatch(/analytics-node/);
    }
  });
});

/** The Sales API's view of a person, with the site's secret key. */
async function person(secretKey: string, id: string) {
  const res = await fetch(`${server.url}/v1/people/${encodeURIComponent(id)}`, {
    headers: { authorization: `Bearer ${secretKey}` },
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { score: number; explanation: { signal: string; points: number }[] };
}

describe("server-side sources score like the browser's events", () => {
  it("should score the README's analytics-node example (Meeting Scheduled) and explain it", async () => {
    const site = await newSite(t.db);
    const analytics = new Analytics({ writeKey: site.writeKey, host: server.url, maxRetries: 0 });
    const errors: unknown[] = [];
    analytics.on('error', (err) => errors.push(err));
    analytics.track({ userId: 'jane@acme.com', event: 'Meeting Scheduled' });
    await analytics.closeAndFlush({ timeout: 10_000 });
    expect(errors).toEqual([]);
    const jane = await person(site.secretKey, 'jane@acme.com');
    expect(jane.score).toBeGreaterThan(0);
    expect(jane.explanation.map((e) => e.signal)).toContain('meeting_scheduled');
  });

  it("should score the README's curl example (a pricing page view sent by curl)", async () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const example = /```sh\n(curl -u pk_\.\.\.:[\s\S]*?)\n# 200/.exec(readme)?.[1];
    expect(example).toBeDefined();
    const site = await newSite(t.db);
    const command = (example ?? '').replace('pk_...', site.writeKey).replace('http://127.0.0.1:8787', server.url);
    const out = await run('bash', ['-c', command]);
    expect(JSON.parse(out.stdout)).toMatchObject({ success: true, accepted: 1 });
    const visitor = await person(site.secretKey, 'a1');
    expect(visitor.score).toBeGreaterThan(0);
    expect(visitor.explanation.map((e) => e.signal)).toContain('pricing_page');
  });
});

describe("@segment/analytics-node with the site's secret key in place of the write key", () => {
  it("should be trusted: its identify links the browser's anonymous id, whose public lookup then shows the person", async () => {
    const site = await newSite(t.db);
    const analytics = new Analytics({ writeKey: site.secretKey, host: server.url, maxRetries: 0 });
    const errors: unknown[] = [];
    analytics.on('error', (err) => errors.push(err));
    analytics.track({ userId: 'srv-jane', event: 'Demo Requested' });
    analytics.identify({ userId: 'srv-jane', anonymousId: 'srv-browser', traits: { name: 'Jane' } });
    await analytics.closeAndFlush({ timeout: 10_000 });
    expect(errors).toEqual([]);
    const jane = await person(site.secretKey, 'srv-jane');
    expect(jane.score).toBeGreaterThan(0);
    const res = await fetch(`${server.url}/v1/intent?anonymousId=srv-browser&key=${site.writeKey}`);
    expect(res.status).toBe(200);
    expect((await res.json()).score).toBe(jane.score);
  });
});
