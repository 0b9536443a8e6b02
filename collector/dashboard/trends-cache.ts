import type { DashboardDeps } from './context.ts';
import { loadTrends, type Trends } from './trends-data.ts';

/**
 * The Today page's charts, kept per (site, period): they read up to 90 days of events and
 * score history (seconds with a million events), and a minute-old chart is as good as a fresh
 * one, while the lists beside them are read on every request. After `ttlMs` the kept charts
 * are still answered while new ones are computed in the background (one at a time per key),
 * so only the first view of a site's period after a start waits for them. Charts that took
 * less than `cheapMs` to compute (a small site, e.g. the demo site of a first `npm start`)
 * are not kept: the next view computes them again and shows the visits of a moment ago. A
 * failed load is not kept.
 */
export interface TrendsCache {
  get(siteId: string, days: number): Promise<Trends>;
}

export interface TrendsCacheOptions {
  /** How long expensive charts are answered before they are recomputed in the background. @default 60_000 */
  ttlMs?: number;
  /** Charts computed faster than this are not kept. @default 200 */
  cheapMs?: number;
}

interface Entry {
  value: Promise<Trends>;
  until: number;
  refreshing: boolean;
}

export function createTrendsCache(
  deps: Pick<DashboardDeps, 'db' | 'configs' | 'log'>,
  options: TrendsCacheOptions = {},
): TrendsCache {
  const { ttlMs = 60_000, cheapMs = 200 } = options;
  const cache = new Map<string, Entry>();
  /** Computes the charts; answers them, whether they are kept (not computed cheaply) and until when. */
  const load = async (siteId: string, days: number, now: number) => {
    const started = performance.now();
    const model = await deps.configs.model(siteId);
    const value = await loadTrends(deps.db, siteId, model, now, days);
    const kept = performance.now() - started >= cheapMs;
    return { value, kept, until: Date.now() + ttlMs };
  };

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
            (fresh) => cache.set(key, { value: Promise.resolve(fresh.value), until: fresh.until, refreshing: false }),
            (err) => {
              hit.refreshing = false;
              deps.log.warn('dashboard charts not refreshed', { siteId, err });
            },
          );
        }
        return hit.value;
      }
      if (cache.size > 1_000) cache.clear();
      // Until computed, concurrent views share this load; its cost then decides whether it is kept
      // (answered stale after `ttlMs`, then refreshed) or dropped (the next view computes anew).
      const loaded = load(siteId, days, now);
      const entry: Entry = {
        value: loaded.then((fresh) => fresh.value),
        until: Number.POSITIVE_INFINITY,
        refreshing: false,
      };
      loaded.then(
        (fresh) => {
          if (fresh.kept) entry.until = fresh.until;
          else if (cache.get(key) === entry) cache.delete(key);
        },
        () => {
          if (cache.get(key) === entry) cache.delete(key);
        },
      );
      cache.set(key, entry);
      return entry.value;
    },
  };
}
