import type { Database } from '../collector/db/client.ts';

/**
 * What each active backend of the other connections to this database (the collectors') is
 * waiting for: `CPU` when nothing, an advisory lock split into the sites' identity locks
 * (`identity/locks.ts`: a bigint key whose high half is `classid`, low half `objid`), the
 * anonymous ids' locks (the two-key space, `objsubid` 2) and the others (the per-person and
 * per-account score locks), else `type/event`.
 */
const SAMPLE_WAITS = `
SELECT CASE
    WHEN a.wait_event = 'advisory' AND EXISTS (
      SELECT 1 FROM pg_locks l WHERE l.pid = a.pid AND NOT l.granted AND l.locktype = 'advisory'
        AND ((l.classid::bigint << 32) | l.objid::bigint) IN (
          SELECT hashtext(s || ':identity')::bigint FROM unnest($1::text[]) AS s))
      THEN 'site identity lock'
    WHEN a.wait_event = 'advisory' AND EXISTS (
      SELECT 1 FROM pg_locks l WHERE l.pid = a.pid AND NOT l.granted AND l.locktype = 'advisory' AND l.objsubid = 2)
      THEN 'anonymous id locks'
    WHEN a.wait_event = 'advisory' THEN 'person/account score locks'
    ELSE coalesce(a.wait_event_type || '/' || a.wait_event, 'CPU') END AS wait,
  count(*)::int AS n
FROM pg_stat_activity a
WHERE a.datname = current_database() AND a.state = 'active' AND a.pid <> pg_backend_pid()
GROUP BY 1`;

/** Samples `SAMPLE_WAITS` every 100 ms until stopped; answers the four commonest with their shares. */
export function sampleWaits(db: Database, siteIds: string[]): { stop: () => void; shares: () => [string, number][] } {
  const counts = new Map<string, number>();
  let total = 0;
  let busy = false;
  const timer = setInterval(async () => {
    if (busy) return;
    busy = true;
    try {
      const rows = await db.query<{ wait: string; n: number }>(SAMPLE_WAITS, [siteIds]);
      for (const r of rows) {
        counts.set(r.wait, (counts.get(r.wait) ?? 0) + r.n);
        total += r.n;
      }
    } catch {
      // A sample lost (the database busy or restarting) only thins the statistics.
    } finally {
      busy = false;
    }
  }, 100);
  return {
    stop: () => clearInterval(timer),
    shares: () =>
      [...counts]
        .map(([w, n]): [string, number] => [w, n / Math.max(1, total)])
        .sort((a, b) => b[1] - a[1])
        .slice(0, 4),
  };
}
