import type { Intent } from '../shared/intent.ts';
import type { CompiledConfig } from '../shared/scoring/index.ts';
import type { Queryable } from './db/client.ts';
import { scoreDevice } from './scoring/device.ts';

interface IntentRow {
  person_id: string;
  account_id: string | null;
  verified: boolean;
  score: number | null;
  tier: Intent['tier'] | null;
  type: Intent['type'];
  trend: Intent['trend'];
  account_score: number | null;
  account_tier: Intent['tier'] | null;
}

/** A visitor's intent and whose it is (for the cache to know what evicts it); null when unknown. */
export interface FoundIntent {
  intent: Intent;
  personId: string;
  /** Null when the answer reveals no account (an unverified device's). */
  accountId: string | null;
  /** The answer is a device's own score (an unverified link), exact until `until` (epoch ms; null = ever). */
  device: boolean;
  until: number | null;
}

/** Each site's scoring model (for a device's own score). */
export type ModelSource = (siteId: string) => Promise<CompiledConfig>;

/**
 * The stored scores of the person an anonymous id belongs to, in one indexed query
 * (identities' primary key, then person_scores', persons' and account_scores' keys). When the
 * id's link to the person is not verified, the answer is what the device earned by itself
 * (its own events scored alone, no account): a browser claiming somebody's user id learns
 * nothing of theirs.
 */
export async function lookupIntent(
  db: Queryable,
  siteId: string,
  anonymousId: string,
  models: ModelSource,
  now = Date.now(),
): Promise<FoundIntent | null> {
  const [row] = await db.query<IntentRow>(
    `select i.person_id, p.account_id, i.verified, ps.score, ps.tier, ps.type, ps.trend,
            acs.score as account_score, acs.tier as account_tier
       from identities i
       left join person_scores ps on ps.site_id = i.site_id and ps.person_id = i.person_id
       join persons p on p.site_id = i.site_id and p.id = i.person_id
       left join account_scores acs on acs.site_id = p.site_id and acs.account_id = p.account_id
      where i.site_id = $1 and i.anonymous_id = $2`,
    [siteId, anonymousId],
  );
  if (!row) return null;
  if (!row.verified) {
    const own = await scoreDevice(db, siteId, anonymousId, await models(siteId), now);
    const intent: Intent = { tier: own.tier, score: own.score, type: own.type, trend: own.trend, account: null };
    return { personId: row.person_id, accountId: null, device: true, until: own.nextChangeAt, intent };
  }
  if (row.score === null || row.tier === null) return null;
  return {
    personId: row.person_id,
    accountId: row.account_id,
    device: false,
    until: null,
    intent: {
      tier: row.tier,
      score: row.score,
      type: row.type,
      trend: row.trend,
      account: row.account_tier === null ? null : { tier: row.account_tier, score: Number(row.account_score) },
    },
  };
}
