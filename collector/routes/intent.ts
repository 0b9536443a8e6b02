import { Hono } from 'hono';
import { z } from 'zod';
import type { Queryable } from '../db/client.ts';
import { authenticate, checkOrigin } from '../ingest/routes.ts';
import type { SiteCache } from '../site-cache.ts';
import { type Intent, intentSchema } from './answers.ts';

export { type Intent, intentSchema };

export const intentQuerySchema = z.object({ anonymousId: z.string().min(1).max(256) });

/** The answer for an id nobody knows: the same shape, so the endpoint is no oracle. */
export const NEUTRAL_INTENT: Intent = { tier: 'low', score: 0, type: 'unknown', trend: 'stable', account: null };

interface IntentRow {
  person_id: string;
  account_id: string | null;
  score: number;
  tier: Intent['tier'];
  type: Intent['type'];
  trend: Intent['trend'];
  account_score: number | null;
  account_tier: Intent['tier'] | null;
}

/** A visitor's intent and whose it is (for the cache to know what evicts it); null when unknown. */
export interface FoundIntent {
  intent: Intent;
  personId: string;
  accountId: string | null;
}

/**
 * The stored scores of the person an anonymous id belongs to, in one indexed query
 * (identities' primary key, then person_scores', persons' and account_scores' keys).
 */
export async function lookupIntent(db: Queryable, siteId: string, anonymousId: string): Promise<FoundIntent | null> {
  const [row] = await db.query<IntentRow>(
    `select i.person_id, p.account_id, ps.score, ps.tier, ps.type, ps.trend,
            acs.score as account_score, acs.tier as account_tier
       from identities i
       join person_scores ps on ps.site_id = i.site_id and ps.person_id = i.person_id
       join persons p on p.site_id = i.site_id and p.id = i.person_id
       left join account_scores acs on acs.site_id = p.site_id and acs.account_id = p.account_id
      where i.site_id = $1 and i.anonymous_id = $2`,
    [siteId, anonymousId],
  );
  if (!row) return null;
  return {
    personId: row.person_id,
    accountId: row.account_id,
    intent: {
      tier: row.tier,
      score: row.score,
      type: row.type,
      trend: row.trend,
      account: row.account_tier === null ? null : { tier: row.account_tier, score: Number(row.account_score) },
    },
  };
}

/** What a lookup answers: the stored intent, or the neutral shape for an unknown id. */
export type IntentSource = (siteId: string, anonymousId: string) => Promise<Intent>;

/**
 * `GET /v1/intent?anonymousId=` with the write key (Basic username or `?key=`), for the
 * site's own pages (CORS for its origins). A visitor reads only what its own anonymous id
 * leads to; an unknown id, or another site's key, answers the neutral shape.
 */
export function intentRoutes(intentOf: IntentSource, sites: SiteCache): Hono {
  const app = new Hono();
  app.get('/v1/intent', async (c) => {
    const { site } = await authenticate(c, {}, sites);
    checkOrigin(c, site);
    c.header('Cache-Control', 'no-store');
    const parsed = intentQuerySchema.safeParse({ anonymousId: c.req.query('anonymousId') });
    if (!parsed.success) {
      return c.json({ error: { code: 'invalid_query', message: 'anonymousId must be 1 to 256 characters.' } }, 400);
    }
    return c.json(await intentOf(site.id, parsed.data.anonymousId));
  });
  return app;
}
