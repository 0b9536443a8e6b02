import type { Queryable } from '../db/client.ts';

/** Epoch ms of the site's earliest event, or null when it has none. */
export async function firstEventAt(q: Queryable, siteId: string): Promise<number | null> {
  const [row] = await q.query<{ first: number | null }>(
    `select floor(extract(epoch from min("timestamp")) * 1000)::float8 as first from events where site_id = $1`,
    [siteId],
  );
  return row?.first ?? null;
}

/** How many persons hold each stored score now. */
export async function scoreHistogram(q: Queryable, siteId: string): Promise<{ score: number; subjects: number }[]> {
  return q.query<{ score: number; subjects: number }>(
    'select score, count(*)::int as subjects from person_scores where site_id = $1 group by score',
    [siteId],
  );
}
