import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCollector } from '../collector/app.ts';
import { newSite, openTestDatabase, type TestDatabase } from './helpers/db.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await openTestDatabase();
});
afterAll(async () => t.close());

describe('database outage', () => {
  it('should answer 503 with Retry-After to ingest and readiness, never 500', async () => {
    const site = await newSite(t.db);
    // A second database handle that we take down, as when the server goes away.
    const doomed = await openTestDatabase();
    const { app } = createCollector({ db: doomed.db });
    const send = () =>
      app.request(`/v1/batch?key=${site.writeKey}`, {
        method: 'POST',
        body: JSON.stringify({ batch: [{ type: 'page', anonymousId: 'a', messageId: `o-${Math.random()}` }] }),
      });
    if (doomed.db.kind === 'postgres') expect((await send()).status).toBe(200);
    await doomed.close();
    const res = await send();
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect((await res.json()).error.code).toBe('unavailable');
    const ready = await app.request('/readyz');
    expect(ready.status).toBe(503);
    expect((await app.request('/healthz')).status).toBe(200);
  });
});
