import type { Queryable } from '../db/client.ts';
import { COOLING_POINTS, RISING_POINTS } from '../sales/list-params.ts';

/** One line of a Today list: an account with its score and what drives it. */
export interface TodayAccount {
  id: string;
  name: string | null;
  domain: string | null;
  owner: string | null;
  score: number;
  tier: string;
  trend: string;
  change7d: number;
  /** The labels of its top signals (from the stored explanation), largest first. */
  signals: string[];
}

export type TodayList = 'high' | 'rising' | 'cooling';

/** How many accounts each list shows. */
export const LIST_SIZE = 15;

interface Row {
  id: string;
  name: string | null;
  domain: string | null;
  owner: string | null;
  score: number;
  tier: string;
  trend: string;
  change_7d: number;
  explanation: unknown;
}

/** Each list's filter and order, over `account_scores s` (indexes: (site_id, score) and (site_id, change_7d)). */
const LISTS: Record<TodayList, { where: string; order: string }> = {
  high: { where: "s.tier = 'high'", order: 's.score desc, s.account_id' },
  rising: { where: `s.change_7d >= ${RISING_POINTS}`, order: 's.change_7d desc, s.score desc, s.account_id' },
  cooling: { where: `s.change_7d <= ${-COOLING_POINTS}`, order: 's.change_7d asc, s.score desc, s.account_id' },
};

function topSignals(explanation: unknown, n = 3): string[] {
  if (!Array.isArray(explanation)) return [];
  return explanation
    .filter(
      (line): line is { label: string; points: number } => typeof line?.label === 'string' && Number(line?.points) > 0,
    )
    .slice(0, n)
    .map((line) => line.label);
}

/**
 * A Today list of a site's accounts: high intent (score descending), rising (+20 or more in 7
 * days) or cooling (-15 or less). `owner`: only the accounts this dashboard user owns ("mine").
 */
export async function listTodayAccounts(
  q: Queryable,
  siteId: string,
  list: TodayList,
  owner?: string,
): Promise<TodayAccount[]> {
  const { where, order } = LISTS[list];
  const rows = await q.query<Row>(
    `select s.account_id as id, a.name, a.domain, a.owner, s.score, s.tier, s.trend, s.change_7d, s.explanation
     from account_scores s join accounts a on a.site_id = s.site_id and a.id = s.account_id
     where s.site_id = $1 and ${where} and ($2::text is null or lower(a.owner) = $2)
     order by ${order} limit ${LIST_SIZE}`,
    [siteId, owner?.toLowerCase() ?? null],
  );
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    domain: r.domain,
    owner: r.owner,
    score: r.score,
    tier: r.tier,
    trend: r.trend,
    change7d: r.change_7d,
    signals: topSignals(r.explanation),
  }));
}

/** How many of the site's scored accounts are in each tier. */
export async function countAccountTiers(
  q: Queryable,
  siteId: string,
): Promise<Record<'high' | 'medium' | 'low', number>> {
  const rows = await q.query<{ tier: string; n: number }>(
    'select tier, count(*)::int as n from account_scores where site_id = $1 group by tier',
    [siteId],
  );
  const out = { high: 0, medium: 0, low: 0 };
  for (const r of rows) if (r.tier in out) out[r.tier as keyof typeof out] = r.n;
  return out;
}
