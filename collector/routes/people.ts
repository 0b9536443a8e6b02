import { Hono } from 'hono';
import { categorize } from '../../shared/scoring/index.ts';
import type { Database } from '../db/client.ts';
import { InklingError } from '../errors.ts';
import { findPerson, listAnonymousIds, type PersonRow } from '../identity/persons.ts';
import { parseLimit } from '../sales/list-params.ts';
import type { ConfigStore } from '../scoring/config-store.ts';
import { pagePersonEvents } from '../scoring/events.ts';
import { type SecretKeyEnv, secretKeyAuth } from './secret-key.ts';

/** The Sales API's person routes (secret key). Only the site's own people are visible. */
export function peopleRoutes(db: Database, configs: ConfigStore): Hono<SecretKeyEnv> {
  const app = new Hono<SecretKeyEnv>();
  app.use('/v1/people/*', secretKeyAuth(db));

  /** A person by person id, user id or anonymous id: ids, traits, account and score. */
  app.get('/v1/people/:id', async (c) => {
    const siteId = c.var.site.id;
    const person = await requirePerson(db, siteId, c.req.param('id'));
    const [score] = await db.query<Record<string, unknown>>(
      `select score, tier, type, trend, change_7d, explanation, next_change_at
       from person_scores where site_id = $1 and person_id = $2`,
      [siteId, person.id],
    );
    const [account] = person.account_id
      ? await db.query<Record<string, unknown>>(
          `select a.id, a.group_id, a.domain, a.name, s.score, s.tier, s.trend, s.change_7d
           from accounts a left join account_scores s on s.site_id = a.site_id and s.account_id = a.id
           where a.site_id = $1 and a.id = $2`,
          [siteId, person.account_id],
        )
      : [];
    return c.json({
      id: person.id,
      userId: person.user_id,
      anonymousIds: await listAnonymousIds(db, siteId, person.id),
      email: person.email,
      traits: person.traits,
      account: account
        ? {
            id: account.id,
            groupId: account.group_id,
            domain: account.domain,
            name: account.name,
            score: account.score ?? 0,
            tier: account.tier ?? 'low',
            trend: account.trend ?? 'stable',
            change7d: account.change_7d ?? 0,
          }
        : null,
      score: score?.score ?? 0,
      tier: score?.tier ?? 'low',
      type: score?.type ?? 'unknown',
      trend: score?.trend ?? 'stable',
      change7d: score?.change_7d ?? 0,
      explanation: score?.explanation ?? [],
      nextChangeAt: score?.next_change_at ?? null,
    });
  });

  /** The person's events, newest first, each with what it counts as; `limit` (<= 500) and `cursor`. */
  app.get('/v1/people/:id/signals', async (c) => {
    const siteId = c.var.site.id;
    const person = await requirePerson(db, siteId, c.req.param('id'));
    const limit = parseLimit(c.req.query('limit'));
    const before = parseCursor(c.req.query('cursor'));
    const keys = { userId: person.user_id, anonymousIds: await listAnonymousIds(db, siteId, person.id) };
    const rows = await pagePersonEvents(db, siteId, keys, limit + 1, before);
    const model = await configs.model(siteId);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return c.json({
      data: page.map((e) => {
        const signal = categorize(e, model);
        return {
          id: e.id,
          type: e.type,
          event: e.event,
          name: e.name,
          path: e.path,
          timestamp: new Date(e.timestamp).toISOString(),
          signal: signal?.signal ?? null,
          category: signal?.category ?? null,
          level: signal?.level ?? null,
          points: signal?.points ?? null,
        };
      }),
      nextCursor: rows.length > limit && last ? encodeCursor(last.timestamp, last.rowId) : null,
    });
  });

  return app;
}

async function requirePerson(db: Database, siteId: string, id: string): Promise<PersonRow> {
  const person = id.length <= 256 ? await findPerson(db, siteId, id) : undefined;
  if (!person) throw new InklingError(404, 'person_not_found', `No person ${id} on this site.`);
  return person;
}

/** Opaque to clients: the (timestamp, row id) of the last event of the previous page. */
function encodeCursor(timestamp: number, rowId: number): string {
  return Buffer.from(`${timestamp}.${rowId}`).toString('base64url');
}

function parseCursor(value: string | undefined): { timestamp: Date; id: number } | null {
  if (!value) return null;
  const match = /^(\d{1,15})\.(\d{1,18})$/.exec(Buffer.from(value, 'base64url').toString());
  if (!match) throw new InklingError(400, 'invalid_cursor', 'cursor is not one this API returned.');
  return { timestamp: new Date(Number(match[1])), id: Number(match[2]) };
}
