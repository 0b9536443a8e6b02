import type { DashboardDeps } from './context.ts';
import { loadTrends, type Trends } from './trends-data.ts';

/**
 * The Today page's charts, kept per (site, period) for `ttlMs`: they read up to 90 days of
 * events and score history, and a minute-old chart is as good as a fresh one, while the
 * lists beside them are read on every request. A failed load is not kept.
 */
export interface TrendsCache {
  get(siteId: string, days: number): Promise<Trends>;
}

export function createTrendsCache(deps: Pick<DashboardDeps, 'db' | 'configs'>, ttlMs = 60_000): TrendsCache {
  const cache = new Map<string, { value: Promise<Trends>; until: number }>();
  return {
    get(siteId, days) {
      const key = `${siteId}:${days}`;
      const now = Date.now();
      const hit = cache.get(key);
      if (hit && hit.until > now) return hit.value;
      if (cache.size > 1_000) cache.clear();
      const value = deps.configs.model(siteId).then((model) => loadTrends(deps.db, siteId, model, now, days));
      value.catch(() => cache.delete(key));
      cache.set(key, { value, until: now + ttlMs });
      return value;
    },
  };
}
