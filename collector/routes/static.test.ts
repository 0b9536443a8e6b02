import { describe, expect, it } from 'vitest';
import { useTestCollector } from '../../test/helpers/collector.ts';
import { newSite } from '../../test/helpers/db.ts';
import type { Database } from '../db/client.ts';
import { staticRoutes } from './static.ts';

let db: Database;
useTestCollector((env) => {
  ({ db } = env);
});

describe('GET /examples/', () => {
  it("should load the script from the configured public URL, never from the request's Host header", async () => {
    const site = await newSite(db);
    const app = staticRoutes(db, { publicUrl: 'https://ink.example.com' });
    const res = await app.request(`http://evil.test/examples/?key=${site.writeKey}`, {
      headers: { host: 'evil.test', 'x-forwarded-host': 'evil.test' },
    });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('https://ink.example.com/inkling.js');
    expect(html).not.toContain('evil.test');
    expect(html).toContain(site.writeKey);
  });
});
