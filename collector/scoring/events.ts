import type { ScoringEvent } from '../../shared/scoring/index.ts';
import type { Queryable } from '../db/client.ts';
import { junkIdSql } from '../identity/junk-ids.ts';

/** Whose events: the person's user id and anonymous ids. */
export interface PersonKeys {
  userId: string | null;
  anonymousIds: string[];
}

/**
 * Events are never rewritten on a merge: a person's events are those of their user id, and
 * those of their anonymous ids that carry no other (real) user id. $1 site, $2 user, $3 anons.
 */
export const PERSON_EVENTS = `site_id = $1 and (user_id = $2 or (anonymous_id = any($3::text[])
  and (user_id is null or user_id = $2 or ${junkIdSql('user_id')})))`;

export interface EventRecord {
  id: string;
  message_id: string;
  type: ScoringEvent['type'];
  event: string | null;
  name: string | null;
  path: string | null;
  url: string | null;
  properties: Record<string, unknown>;
  timestamp: Date;
  anonymous_id: string | null;
  user_id: string | null;
  is_bot: boolean;
}

const COLUMNS =
  'id::text as id, message_id, type, event, name, path, url, properties, "timestamp", anonymous_id, user_id, is_bot';

export function toScoringEvent(r: EventRecord): ScoringEvent {
  return {
    id: r.message_id,
    type: r.type,
    event: r.event,
    name: r.name,
    path: r.path,
    url: r.url,
    properties: r.properties ?? {},
    timestamp: r.timestamp.getTime(),
    anonymousId: r.anonymous_id,
    userId: r.user_id,
    isBot: r.is_bot,
  };
}

/**
 * All of a person's events, oldest first. All of them, not only the scoring window: derived
 * signals (a return visit) look back to earlier events.
 */
export async function loadPersonEvents(q: Queryable, siteId: string, keys: PersonKeys): Promise<ScoringEvent[]> {
  if (!keys.userId && keys.anonymousIds.length === 0) return [];
  const rows = await q.query<EventRecord>(
    `select ${COLUMNS} from events where ${PERSON_EVENTS} order by "timestamp", id`,
    [siteId, keys.userId, keys.anonymousIds],
  );
  return rows.map(toScoringEvent);
}

/** A page of a person's events, newest first, after the (timestamp, id) position `before`. */
export async function pagePersonEvents(
  q: Queryable,
  siteId: string,
  keys: PersonKeys,
  limit: number,
  before: { timestamp: Date; id: number } | null,
): Promise<(ScoringEvent & { rowId: number })[]> {
  if (!keys.userId && keys.anonymousIds.length === 0) return [];
  const params: unknown[] = [siteId, keys.userId, keys.anonymousIds, limit];
  let after = '';
  if (before) {
    params.push(before.timestamp.toISOString(), before.id);
    after = 'and ("timestamp", id) < ($5::timestamptz, $6::bigint)';
  }
  const rows = await q.query<EventRecord>(
    `select ${COLUMNS} from events where ${PERSON_EVENTS} ${after} order by "timestamp" desc, id desc limit $4`,
    params,
  );
  return rows.map((r) => ({ ...toScoringEvent(r), rowId: Number(r.id) }));
}
