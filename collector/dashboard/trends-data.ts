import { type CompiledConfig, categorize } from '../../shared/scoring/index.ts';
import type { Queryable } from '../db/client.ts';
import { timeBounds } from '../scoring/events.ts';

const DAY_MS = 86_400_000;

/** The Today page's charts, for the last `days` days (UTC days, oldest first). */
export interface Trends {
  /** Each day's start, epoch seconds (uPlot's x axis). */
  days: number[];
  /** Signals per day by category: what the site's model counts of the events received (bots and uncounted events left out). */
  volume: { category: string; label: string; counts: number[] }[];
  /** The mean of the accounts' scores each day (each account's last score recorded that day), null for a day without any. */
  averageScore: (number | null)[];
  /**
   * Time to high intent: the median, over the accounts that first reached High within the
   * period, of the time from the account's creation (its first event) to that first High row
   * of `score_history`; null when none did.
   */
  timeToHigh: { medianHours: number | null; accounts: number };
}

/** UTC midnight `days - 1` days before `now`'s day: the first day of the charts. */
export function firstDay(now: number, days: number): number {
  return Math.floor(now / DAY_MS) * DAY_MS - (days - 1) * DAY_MS;
}

/**
 * Signals per day and category. Events are counted in SQL by (day, type, name, path), over
 * the `(site_id, timestamp)` index bounded by time (and so by partition), then each distinct
 * kind is categorized once by the site's model. Rules with property conditions are matched
 * against no properties, so they count only when they need none; derived signals (3+ pages in
 * a session) are not per event and are left out.
 */
export async function loadSignalVolume(
  q: Queryable,
  siteId: string,
  model: CompiledConfig,
  from: number,
  days: number,
): Promise<Trends['volume']> {
  const [since, receivedSince] = timeBounds(from);
  const rows = await q.query<{ day: number; type: string; event: string | null; path: string | null; n: number }>(
    `select floor(extract(epoch from "timestamp") / 86400)::int as day, type, event, path, count(*)::int as n
     from events
     where site_id = $1 and "timestamp" >= $2 and received_at >= $3 and not is_bot and type in ('track', 'page')
     group by 1, 2, 3, 4`,
    [siteId, since, receivedSince],
  );
  const firstDayIndex = Math.floor(from / DAY_MS);
  const byCategory = new Map<string, number[]>();
  const memo = new Map<string, string | null>();
  for (const r of rows) {
    const key = `${r.type}\u0000${r.event ?? ''}\u0000${r.path ?? ''}`;
    let category = memo.get(key);
    if (category === undefined) {
      const signal = categorize(
        {
          id: key,
          type: r.type as 'track' | 'page',
          event: r.event,
          name: null,
          path: r.path,
          url: null,
          properties: {},
          timestamp: 0,
          anonymousId: null,
          userId: null,
          isBot: false,
        },
        model,
      );
      category = signal && signal.points > 0 ? signal.category : null;
      memo.set(key, category);
    }
    const index = r.day - firstDayIndex;
    if (!category || index < 0 || index >= days) continue;
    let counts = byCategory.get(category);
    if (!counts) {
      counts = new Array(days).fill(0);
      byCategory.set(category, counts);
    }
    counts[index] = (counts[index] as number) + r.n;
  }
  return [...byCategory]
    .map(([category, counts]) => ({ category, label: model.config.categories[category]?.label ?? category, counts }))
    .sort((a, b) => a.label.localeCompare(b.label));
}

/** Each day's mean account score (each account's last score that day), from `score_history`. */
export async function loadAverageScore(
  q: Queryable,
  siteId: string,
  from: number,
  days: number,
): Promise<(number | null)[]> {
  const rows = await q.query<{ day: number; avg: number }>(
    `select day, round(avg(score))::int as avg from (
       select distinct on (subject_id, day) subject_id, score,
         floor(extract(epoch from at) / 86400)::int as day
       from score_history
       where site_id = $1 and subject_kind = 'account' and at >= $2
       order by subject_id, day, at desc, id desc) last
     group by day`,
    [siteId, new Date(from)],
  );
  const out: (number | null)[] = new Array(days).fill(null);
  const firstDayIndex = Math.floor(from / DAY_MS);
  for (const r of rows) {
    const index = r.day - firstDayIndex;
    if (index >= 0 && index < days) out[index] = r.avg;
  }
  return out;
}

/** See `Trends.timeToHigh`. */
export async function loadTimeToHigh(q: Queryable, siteId: string, from: number): Promise<Trends['timeToHigh']> {
  const [row] = await q.query<{ median_s: number | null; n: number }>(
    `select percentile_cont(0.5) within group (order by extract(epoch from h.first_high - a.created_at))::float8 as median_s,
       count(*)::int as n
     from (select subject_id, min(at) as first_high from score_history
           where site_id = $1 and subject_kind = 'account' and tier = 'high' and at >= $2
           group by subject_id) h
     join accounts a on a.site_id = $1 and a.id = h.subject_id
     where not exists (select 1 from score_history e
                       where e.site_id = $1 and e.subject_kind = 'account' and e.subject_id = h.subject_id
                         and e.tier = 'high' and e.at < $2)`,
    [siteId, new Date(from)],
  );
  const seconds = row?.median_s;
  return {
    medianHours: seconds === null || seconds === undefined ? null : Math.max(0, Math.round((seconds / 3600) * 10) / 10),
    accounts: row?.n ?? 0,
  };
}

/** Everything the Today page charts, for the last `days` days. */
export async function loadTrends(
  q: Queryable,
  siteId: string,
  model: CompiledConfig,
  now: number,
  days: number,
): Promise<Trends> {
  const from = firstDay(now, days);
  const [volume, averageScore, timeToHigh] = await Promise.all([
    loadSignalVolume(q, siteId, model, from, days),
    loadAverageScore(q, siteId, from, days),
    loadTimeToHigh(q, siteId, from),
  ]);
  return {
    days: Array.from({ length: days }, (_, i) => (from + i * DAY_MS) / 1000),
    volume,
    averageScore,
    timeToHigh,
  };
}
