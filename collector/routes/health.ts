import { Hono } from 'hono';
import type { Database } from '../db/client.ts';
import { RETRY_AFTER_SECONDS } from '../errors.ts';

/** `/healthz`: the process answers. `/readyz`: and the database does too. */
export function healthRoutes(db: Database, isClosing: () => boolean): Hono {
  const app = new Hono();
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    if (isClosing()) return c.json({ status: 'shutting_down' }, 503);
    try {
      await db.query('select 1');
      return c.json({ status: 'ready', database: db.kind });
    } catch {
      c.header('Retry-After', RETRY_AFTER_SECONDS);
      return c.json({ status: 'unavailable', database: db.kind }, 503);
    }
  });
  return app;
}
