import { describe, expect, it } from 'vitest';
import { useTestCollector } from '../../test/helpers/collector.ts';
import { newSite } from '../../test/helpers/db.ts';
import { identify, intentClient, page } from '../../test/helpers/intent.ts';
import type { Collector } from '../app.ts';
import { onScoresStored } from '../changes/stored.ts';
import type { Database } from '../db/client.ts';
import { rescore } from '../scoring/rescore.ts';

let db: Database;
let collector: Collector;
useTestCollector((env) => {
  ({ db, collector } = env);
});

/**
 * Scoring transactions whose loss in a crash is recovered (ingest's, with their unscored
 * marks; the periodic rescore's) commit without waiting for the WAL flush; the others (a
 * config change's rescore of everything) wait, as every other transaction does.
 */
describe('commits that need not wait for the disk', () => {
  it("should commit ingest's and the periodic rescore's scores without the flush, a rescore of all with it", async () => {
    const site = await newSite(db);
    const seen: { how: string; kind: string; setting: string }[] = [];
    let how = 'ingest';
    const stop = onScoresStored(db, async (tx, stored) => {
      if (stored.site !== site.siteId) return;
      const [row] = await tx.query<{ v: string }>(`select current_setting('synchronous_commit') as v`);
      seen.push({ how, kind: stored.kind, setting: row?.v ?? '' });
    });
    try {
      await intentClient(collector, site).send([
        identify('rec-ann', 'rec-ann-user', { email: 'ann@recoverable.com' }),
        page('rec-ann', '/pricing'),
      ]);
      how = 'periodic';
      await rescore(db, collector.configs, { siteId: site.siteId, now: Date.now() + 400 * 86_400_000 });
      how = 'all';
      await rescore(db, collector.configs, { siteId: site.siteId, all: true });
    } finally {
      stop();
    }
    const settings = (h: string, kind: string) => [
      ...new Set(seen.filter((s) => s.how === h && s.kind === kind).map((s) => s.setting)),
    ];
    // The embedded engine ignores a transaction's settings (one process, nothing to flush to
    // another): its default holds throughout.
    const off =
      db.kind === 'postgres'
        ? 'off'
        : (await db.query<{ v: string }>(`select current_setting('synchronous_commit') as v`))[0]?.v;
    expect(settings('ingest', 'person')).toEqual([off]);
    expect(settings('ingest', 'account')).toEqual([off]);
    expect(settings('periodic', 'person')).toEqual([off]);
    expect(settings('periodic', 'account')).toEqual([off]);
    expect(settings('all', 'person')).toEqual(['on']);
    expect(settings('all', 'account')).toEqual(['on']);
  });
});
