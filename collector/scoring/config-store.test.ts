import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../shared/scoring/index.ts';
import { newSite, openTestDatabase, type TestDatabase } from '../../test/helpers/db.ts';
import { createConfigStore, saveSiteConfig } from './config-store.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await openTestDatabase();
});
afterAll(async () => {
  await t.close();
});

describe('the compiled models of the sites (config store)', () => {
  it('should keep the same compiled model past a refresh while the stored config is the same', async () => {
    const site = await newSite(t.db);
    // Refreshed on every call: the stored config is read each time.
    const store = createConfigStore(t.db, 0);
    const first = await store.model(site.siteId);
    expect(await store.model(site.siteId)).toBe(first);
    // A stored config: compiled once, then the same model at each refresh.
    const higher = { ...defaultConfig, tiers: { ...defaultConfig.tiers, high: defaultConfig.tiers.high + 5 } };
    await saveSiteConfig(t.db, site.siteId, higher);
    const stored = await store.model(site.siteId);
    expect(stored.config.tiers.high).toBe(higher.tiers.high);
    expect(await store.model(site.siteId)).toBe(stored);
    expect(await store.model(site.siteId)).toBe(stored);
  });

  it('should compile the new config once it changed, on this instance or another one', async () => {
    const site = await newSite(t.db);
    const store = createConfigStore(t.db, 0);
    const first = await store.model(site.siteId);
    const higher = { ...defaultConfig, tiers: { ...defaultConfig.tiers, high: defaultConfig.tiers.high + 5 } };
    // Another instance saves it: this one reads it at its next refresh.
    await saveSiteConfig(t.db, site.siteId, higher);
    const second = await store.model(site.siteId);
    expect(second).not.toBe(first);
    expect(second.config.tiers.high).toBe(higher.tiers.high);
    // This instance saves it: the next call compiles it.
    await store.save(site.siteId, defaultConfig);
    const third = await store.model(site.siteId);
    expect(third).not.toBe(second);
    expect(third.config.tiers.high).toBe(defaultConfig.tiers.high);
  });
});
