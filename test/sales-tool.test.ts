import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newSite, openTestDatabase, type TestDatabase } from './helpers/db.ts';
import { intentClient, mid, page, track } from './helpers/intent.ts';
import { runScript } from './helpers/process.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

const SCRIPT = 'examples/sales-tool/hot-accounts.mjs';

let tdb: TestDatabase;
let server: TestServer;

beforeAll(async () => {
  tdb = await openTestDatabase();
  server = await startTestServer(tdb.db);
});
afterAll(async () => {
  await server?.close();
  await tdb?.close();
});

/** A contact of `domain` who identifies with a work email, then sends `then`. */
function contact(domain: string, name: string, then: (anon: string) => object[]) {
  const anon = `${name}-${domain}`;
  return [
    {
      type: 'identify',
      messageId: mid(),
      anonymousId: anon,
      userId: `${name}@${domain}`,
      traits: { email: `${name}@${domain}` },
    },
    ...then(anon),
  ];
}

describe('examples/sales-tool', () => {
  it("should print today's hot and rising accounts with their reasons, and leave quiet ones out", async () => {
    const site = await newSite(tdb.db);
    const api = intentClient(server.collector, site);
    const buying = (anon: string) => [
      page(anon, '/pricing'),
      page(anon, '/case-studies/acme'),
      track({ anonymousId: anon }, 'Demo Requested'),
    ];
    for (const name of ['ana', 'bo', 'cy']) await api.send(contact('hot.example', name, buying));
    await api.send(contact('quiet.example', 'dee', (anon) => [page(anon, '/blog/hello')]));
    const hot = (await (await api.get('/v1/accounts/hot.example')).json()) as {
      tier: string;
      explanation: { label: string }[];
    };
    const quiet = (await (await api.get('/v1/accounts/quiet.example')).json()) as { tier: string; score: number };
    expect(hot.tier).toBe('high');
    expect(quiet.tier).toBe('low');
    expect(quiet.score).toBeLessThan(20);

    const run = await runScript(SCRIPT, [], { INKLING_URL: server.url, INKLING_SECRET_KEY: site.secretKey });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const [hotPart, risingPart] = run.stdout.split('Rising accounts') as [string, string];
    expect(hotPart).toMatch(/Hot accounts \(High tier\), \d{4}-\d{2}-\d{2}/);
    expect(hotPart).toMatch(/1\. hot\.example: \d+ \(high, rising, \+\d+ in 7 days\)/);
    expect(hotPart).toContain(`why: ${hot.explanation[0]?.label}`);
    expect(hotPart).toContain('contacts: 3, 3 engaged');
    expect(risingPart).toContain('hot.example');
    expect(run.stdout).not.toContain('quiet.example');

    const json = await runScript(SCRIPT, ['--json'], { INKLING_URL: server.url, INKLING_SECRET_KEY: site.secretKey });
    const doc = JSON.parse(json.stdout) as { hot: { domain: string }[]; rising: { domain: string }[] };
    expect(doc.hot.map((a) => a.domain)).toEqual(['hot.example']);
    expect(doc.rising.map((a) => a.domain)).toEqual(['hot.example']);
  });

  it('should exit 1 with the API error when the key is wrong, and say when no key is set', async () => {
    const site = await newSite(tdb.db);
    const wrong = await runScript(SCRIPT, [], { INKLING_URL: server.url, INKLING_SECRET_KEY: site.writeKey });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/^hot-accounts: \/v1\/accounts\?.*: 401 /);
    const none = await runScript(SCRIPT, [], { INKLING_URL: server.url, INKLING_SECRET_KEY: '' });
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('Set INKLING_SECRET_KEY');
  });
});
