import { Hono } from 'hono';
import type { Database } from '../db/client.ts';
import { InklingError } from '../errors.ts';
import { findPerson, listAnonymousIds, type PersonRow } from '../identity/persons.ts';
import { encodeEventCursor, parseEventCursor } from '../sales/event-keyset.ts';
import { parseLimit } from '../sales/list-params.ts';
import { describePerson } from '../sales/person-detail.ts';
import { describeTimeline } from '../sales/timeline.ts';
import { pagePersonEvents } from '../sales/timeline-events.ts';
import type { ConfigStore } from '../scoring/config-store.ts';
import { type SecretKeyEnv, secretKeyAuth } from './secret-key.ts';

/** The Sales API's person routes (secret key). Only the site's own people are visible. */
export function peopleRoutes(db: Database, configs: ConfigStore): Hono<SecretKeyEnv> {
  const app = new Hono<SecretKeyEnv>();
  app.use('/v1/people/*', secretKeyAuth(db));

  /** A person by person id, user id or anonymous id: ids, traits, account and score. */
  app.get('/v1/people/:id', async (c) => {
    const siteId = c.var.site.id;
    const person = await requirePerson(db, siteId, c.req.param('id'));
    return c.json(await describePerson(db, siteId, person));
  });

  /**
   * The person's events, newest first, each with what it counts as, its details and the
   * derived signals that arose at it; `limit` (<= 500) and `cursor`.
   */
  app.get('/v1/people/:id/signals', async (c) => {
    const siteId = c.var.site.id;
    const person = await requirePerson(db, siteId, c.req.param('id'));
    const limit = parseLimit(c.req.query('limit'));
    const before = parseEventCursor(c.req.query('cursor'));
    const keys = { userId: person.user_id, anonymousIds: await listAnonymousIds(db, siteId, person.id) };
    const who = { id: person.id, userId: person.user_id, email: person.email };
    const rows = await pagePersonEvents(db, siteId, who, keys, limit + 1, before);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return c.json({
      data: await describeTimeline(db, siteId, await configs.model(siteId), page, false),
      nextCursor: rows.length > limit && last ? encodeEventCursor(last.position) : null,
    });
  });

  return app;
}

async function requirePerson(db: Database, siteId: string, id: string): Promise<PersonRow> {
  const person = id.length <= 256 ? await findPerson(db, siteId, id) : undefined;
  if (!person) throw new InklingError(404, 'person_not_found', `No person ${id} on this site.`);
  return person;
}
