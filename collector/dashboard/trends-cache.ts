import type { DashboardDeps } from './context.ts';
import { loadTrends, type Trends } from './trends-data.ts';

/**
 * The Today page's charts, kept per (site, period): they read up to 90 days of events and
 * score history (seconds with a million events), and a minute-old chart is as good as a fresh
 * one, while the lists beside them are read on every request. After `ttlMs` the kept charts
 * are still answered while new ones are computed in the background (one at a time per key),
 * so only the first view of a site's period after a start waits for them. A failed load is
 * not kept.
 */
export interface TrendsCache {
  get(siteId: string, days: number): Promise<Trends>;
}

interface Entry {
  value: Promise<Trends>;
  until: number;
  refreshing: boolean;
}

export function createTrendsCache(deps: Pick<DashboardDeps, 'db' | 'configs' | 'log'>, ttlMs = 60_000): TrendsCache {
  const cache = new Map<string, Entry>();
  const load = (siteId: string, days: number, now: number) =>
    deps.configs.model(siteId).then((model) => loadTrends(deps.db, siteId, model, now, days));

  return {
    get(siteId, days) {
      const key = `${siteId}:${days}`;
      const now = Date.now();
      const hit = cache.get(key);
      if (hit && hit.until > now) return hit.value;
      if (hit) {
        if (!hit.refreshing) {
          hit.refreshing = true;
          load(siteId, days, now).then(
            (fresh) => cache.set(key, { value: Promise.resolve(fresh), until: Date.now() + ttlMs, refreshing: false }),
            (err) => {
              hit.refreshing = false;
              deps.log.warn('dashboard charts not refreshed', { siteId, err });
            },
          );
        }
        return hit.value;
      }
      if (cache.size > 1_000) cache.clear();
      const value = load(siteId, days, now);
      value.catch(() => cache.delete(key));
      cache.set(key, { value, until: now + ttlMs, refreshing: false });
      return value;
    },
  };
}
