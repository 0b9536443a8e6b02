import { Hono } from 'hono';
import type { Database } from '../db/client.ts';
import { InklingError } from '../errors.ts';
import { findAccountId } from '../sales/account-ref.ts';
import { encodeEventCursor, parseEventCursor } from '../sales/event-keyset.ts';
import { parseLimit } from '../sales/list-params.ts';
import { describeTimeline } from '../sales/timeline.ts';
import { pageAccountEvents } from '../sales/timeline-events.ts';
import type { ConfigStore } from '../scoring/config-store.ts';
import { type SecretKeyEnv, secretKeyAuth } from './secret-key.ts';

/**
 * `GET /v1/accounts/:id/signals` (secret key; account id, domain or group id): the events
 * of every contact of the account, newest first, each naming its person and saying what
 * happened; `limit` (<= 500) and `cursor`.
 */
export function accountSignalRoutes(db: Database, configs: ConfigStore): Hono<SecretKeyEnv> {
  const app = new Hono<SecretKeyEnv>();
  app.get('/v1/accounts/:id/signals', secretKeyAuth(db), async (c) => {
    const siteId = c.var.site.id;
    const ref = c.req.param('id');
    const accountId = ref.length <= 256 ? await findAccountId(db, siteId, ref) : undefined;
    if (!accountId) throw new InklingError(404, 'account_not_found', `No account ${ref} on this site.`);
    const limit = parseLimit(c.req.query('limit'));
    const before = parseEventCursor(c.req.query('cursor'));
    const rows = await pageAccountEvents(db, siteId, accountId, limit + 1, before);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return c.json({
      data: await describeTimeline(db, siteId, await configs.model(siteId), page, true),
      nextCursor: rows.length > limit && last ? encodeEventCursor(last.position) : null,
    });
  });
  return app;
}
