import { Hono } from 'hono';
import type { Database } from '../db/client.ts';
import { encodeListCursor, parseListParams } from '../sales/list-params.ts';
import { pagePeople } from '../sales/lists.ts';
import { type SecretKeyEnv, secretKeyAuth } from './secret-key.ts';

/** `GET /v1/people` (secret key): a page of the site's people, filtered and sorted by score. */
export function peopleListRoutes(db: Database): Hono<SecretKeyEnv> {
  const app = new Hono<SecretKeyEnv>();
  app.get('/v1/people', secretKeyAuth(db), async (c) => {
    const params = parseListParams(c.req.query(), 'person');
    const rows = await pagePeople(db, c.var.site.id, params);
    const page = rows.slice(0, params.limit);
    const last = page[page.length - 1];
    return c.json({
      data: page.map((p) => ({
        id: p.id,
        userId: p.user_id,
        email: p.email,
        accountId: p.account_id,
        owner: p.owner,
        score: p.score,
        tier: p.tier,
        type: p.type,
        trend: p.trend,
        change7d: p.change_7d,
      })),
      nextCursor: rows.length > params.limit && last ? encodeListCursor('person', last.score, last.id) : null,
    });
  });
  return app;
}
