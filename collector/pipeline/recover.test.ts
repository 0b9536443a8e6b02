import { describe, expect, it, vi } from 'vitest';
import { useTestCollector } from '../../test/helpers/collector.ts';
import { newSite } from '../../test/helpers/db.ts';
import { intentClient, page, track } from '../../test/helpers/intent.ts';
import { type Collector, createCollector } from '../app.ts';
import type { Database } from '../db/client.ts';
import { recoverUnscored } from './recover.ts';

let db: Database;
let collector: Collector;
useTestCollector((env) => {
  ({ db, collector } = env);
});

const buying = (anon: string) => [
  page(anon, '/pricing'),
  page(anon, '/case-studies/acme'),
  track({ anonymousId: anon }, 'Demo Requested'),
];

async function marks(siteId: string): Promise<number> {
  const [row] = await db.query<{ n: number }>('select count(*)::int as n from unscored where site_id = $1', [siteId]);
  return row?.n ?? 0;
}

/** A collector on the same database whose scoring fails right after the insert commits. */
function failingAfterStore(): Collector {
  return createCollector({
    db,
    rescoreIntervalMs: 0,
    afterStored: () => {
      throw new Error('crashed between storing and scoring');
    },
  });
}

async function sendUnscored(site: Awaited<ReturnType<typeof newSite>>, batch: object[]) {
  const failing = failingAfterStore();
  await expect(intentClient(failing, site).send(batch)).rejects.toThrow(/503/);
  await failing.drain();
}

describe('events stored but never scored (a crash between the two)', () => {
  it('should leave no mark once an ingest is answered', async () => {
    const site = await newSite(db);
    await intentClient(collector, site).send(buying('mark-0'));
    expect(await marks(site.siteId)).toBe(0);
  });

  it('should score them on recovery, without a client retry, and clear their marks', async () => {
    const site = await newSite(db);
    const api = intentClient(collector, site);
    await sendUnscored(site, buying('lost-1'));
    await expect(api.person('lost-1')).rejects.toThrow(/404/);
    expect(await marks(site.siteId)).toBe(3);

    const done = await recoverUnscored(db, collector.configs, { graceMs: 0 });
    expect(done.events).toBeGreaterThanOrEqual(3);
    expect((await api.person('lost-1')).score).toBeGreaterThan(0);
    expect(await marks(site.siteId)).toBe(0);
  });

  it('should give the same score as scoring at ingest, identity calls included', async () => {
    const site = await newSite(db);
    const control = await newSite(db);
    const batch = [
      ...buying('same-1'),
      { type: 'identify', anonymousId: 'same-1', userId: 'u-same', traits: { email: 'kim@acme-co.example' } },
      track({ userId: 'u-same' }, 'Demo Requested'),
    ];
    await sendUnscored(site, batch);
    await recoverUnscored(db, collector.configs, { graceMs: 0 });
    await intentClient(collector, control).send(batch);
    const recovered = await intentClient(collector, site).person('u-same');
    const live = await intentClient(collector, control).person('u-same');
    expect(recovered.score).toBe(live.score);
    expect(recovered.anonymousIds).toEqual(live.anonymousIds);
    expect(recovered.account?.score).toBe(live.account?.score);
  });

  it('should leave a mark younger than the grace period to the collector still scoring it', async () => {
    const site = await newSite(db);
    await sendUnscored(site, buying('young-1'));
    await recoverUnscored(db, collector.configs, { graceMs: 3_600_000 });
    expect(await marks(site.siteId)).toBe(3);
    await expect(intentClient(collector, site).person('young-1')).rejects.toThrow(/404/);
    await recoverUnscored(db, collector.configs, { graceMs: 0 });
    expect(await marks(site.siteId)).toBe(0);
  });

  it("should be repaired by another collector's periodic job, without a restart", async () => {
    const site = await newSite(db);
    await sendUnscored(site, buying('other-1'));
    const repairer = createCollector({ db, rescoreIntervalMs: 10, recoverGraceMs: 0 });
    try {
      // Eventually, however slow the machine: no timing is asserted.
      await vi.waitFor(async () => expect(await marks(site.siteId)).toBe(0), { timeout: 120_000, interval: 50 });
    } finally {
      await repairer.drain();
    }
    expect((await intentClient(collector, site).person('other-1')).score).toBeGreaterThan(0);
  }, 180_000);

  it('should not bring an erased person back', async () => {
    const site = await newSite(db);
    const api = intentClient(collector, site);
    await api.send([{ type: 'identify', anonymousId: 'gone-1', userId: 'u-gone' }]);
    await sendUnscored(site, buying('gone-1'));
    const { id } = await api.person('u-gone');
    const res = await collector.app.request(`/v1/people/${id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${site.secretKey}` },
    });
    expect(res.status).toBe(200);
    expect(await marks(site.siteId)).toBe(0);

    await recoverUnscored(db, collector.configs, { graceMs: 0 });
    expect((await api.get(`/v1/people/${id}`)).status).toBe(404);
    await expect(api.person('gone-1')).rejects.toThrow(/404/);
  });

  it('should clear the marks of events that are gone without scoring anything', async () => {
    const site = await newSite(db);
    await sendUnscored(site, buying('vanished-1'));
    // As if an erasure had deleted the events and missed the marks.
    await db.query('delete from events where site_id = $1', [site.siteId]);
    await recoverUnscored(db, collector.configs, { graceMs: 0 });
    expect(await marks(site.siteId)).toBe(0);
    await expect(intentClient(collector, site).person('vanished-1')).rejects.toThrow(/404/);
  });
});
