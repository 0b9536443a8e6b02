import { Hono } from 'hono';
import type { Database } from '../db/client.ts';
import { InklingError } from '../errors.ts';
import { encodeListCursor, parseListParams } from '../sales/list-params.ts';
import { type AccountDetailRow, type AccountListRow, findAccountDetail, pageAccounts } from '../sales/lists.ts';
import { type SecretKeyEnv, secretKeyAuth } from './secret-key.ts';

export const accountSummaryOf = (a: AccountListRow) => ({
  id: a.id,
  groupId: a.group_id,
  domain: a.domain,
  name: a.name,
  owner: a.owner,
  score: a.score,
  tier: a.tier,
  trend: a.trend,
  change7d: a.change_7d,
});

/** An account as `GET /v1/accounts/:id` (and `PUT`) answers it. */
export const accountDetailOf = (row: AccountDetailRow) => ({
  ...accountSummaryOf(row),
  traits: row.traits,
  contacts: row.contacts ?? [],
  categories: row.categories ?? {},
  explanation: row.explanation ?? [],
});

/** The Sales API's account routes (secret key): one account, and lists of accounts. */
export function accountRoutes(db: Database): Hono<SecretKeyEnv> {
  const app = new Hono<SecretKeyEnv>();
  const auth = secretKeyAuth(db);
  app.use('/v1/accounts', auth);
  app.use('/v1/accounts/*', auth);

  /** A page of accounts: `tier`, `list=rising|cooling`, `sort=-score|score`, `limit`, `cursor`. */
  app.get('/v1/accounts', async (c) => {
    const params = parseListParams(c.req.query(), 'account');
    const rows = await pageAccounts(db, c.var.site.id, params);
    const page = rows.slice(0, params.limit);
    const last = page[page.length - 1];
    return c.json({
      data: page.map(accountSummaryOf),
      nextCursor: rows.length > params.limit && last ? encodeListCursor('account', last.score, last.id) : null,
    });
  });

  /**
   * An account by id, domain, group id or a name it absorbed in a merge, with its contacts (each
   * with score) and signal mix.
   */
  app.get('/v1/accounts/:id', async (c) => {
    const id = c.req.param('id');
    const row = id.length <= 256 ? await findAccountDetail(db, c.var.site.id, id) : undefined;
    if (!row) throw new InklingError(404, 'account_not_found', `No account ${id} on this site.`);
    return c.json(accountDetailOf(row));
  });

  return app;
}
