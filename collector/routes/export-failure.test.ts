import { describe, expect, it } from 'vitest';
import { useTestCollector } from '../../test/helpers/collector.ts';
import { newSite } from '../../test/helpers/db.ts';
import { insertEvents } from '../../test/helpers/events.ts';
import { createCollector } from '../app.ts';
import type { Database } from '../db/client.ts';
import { createLogger } from '../log.ts';
import { EXPORT_PAGE_ROWS } from '../sales/export.ts';

let db: Database;
useTestCollector((env) => {
  ({ db } = env);
});

describe('GET /v1/export failing mid-stream', () => {
  it('should log one JSON error line with the stack as a field and end the download in an error', async () => {
    const site = await newSite(db);
    await insertEvents(db, site.siteId, {
      count: EXPORT_PAGE_ROWS + 1,
      firstId: 9_000_000,
      timestamp: new Date(Date.now() - 3_600_000).toISOString(),
      anonymousId: 'exp-fail',
      prefix: 'exp-fail-',
    });
    const lines: string[] = [];
    const log = createLogger('info', { write: (line: string) => void lines.push(line) });
    const collector = createCollector({ db, log, rescoreIntervalMs: 0 });
    try {
      const res = await collector.app.request('/v1/export?what=signals&format=ndjson', {
        headers: { authorization: `Bearer ${site.secretKey}` },
      });
      expect(res.status).toBe(200);
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      const text = new TextDecoder();
      let received = '';
      let failure: unknown;
      let renamed = false;
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          received += text.decode(value);
          // Halfway through the first page (fetched whole): the next page's query finds no table.
          if (!renamed && received.split('\n').length > EXPORT_PAGE_ROWS / 2) {
            await db.query('alter table events rename to events_away');
            renamed = true;
          }
        }
      } catch (err) {
        failure = err;
      } finally {
        if (renamed) await db.query('alter table events_away rename to events');
      }
      expect(failure).toBeDefined();
      expect(received.trimEnd().split('\n')).toHaveLength(EXPORT_PAGE_ROWS);
      expect(lines).toHaveLength(1);
      const entry = JSON.parse(lines[0] ?? '');
      expect(entry).toMatchObject({ level: 'error', msg: 'export failed mid-stream', what: 'signals' });
      expect(entry.err.message).toMatch(/events/);
      expect(entry.err.stack).toEqual(expect.any(String));
      expect(entry.err.stack).toContain('\n');
      expect(lines[0]?.trimEnd()).not.toContain('\n');
    } finally {
      await collector.drain();
    }
  });
});
