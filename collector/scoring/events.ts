import { MAX_FUTURE_MS } from '../../shared/limits.ts';
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

const COLUMN_NAMES = [
  'message_id',
  'type',
  'event',
  'name',
  'path',
  'url',
  'properties',
  '"timestamp"',
  'anonymous_id',
  'user_id',
  'is_bot',
];
/** The EventRecord columns of table alias `a`. */
export const COLUMNS_OF = (a: string) => [`${a}.id::text as id`, ...COLUMN_NAMES.map((c) => `${a}.${c}`)].join(', ');

export function toScoringEvent(r: Omit<EventRecord, 'id'>): ScoringEvent {
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
 * What scoring reads of an event of table alias `a`, named as `ScoringEvent` names it (the
 * driver's row is the event, no copy): its time as epoch ms computed by PostgreSQL (floor,
 * as a Date of the timestamp gives), no row id.
 */
const SCORING_EVENT_OF = (a: string) =>
  [
    `${a}.message_id as id`,
    `${a}.type`,
    `${a}.event`,
    `${a}.name`,
    `${a}.path`,
    `${a}.url`,
    `coalesce(${a}.properties, '{}'::jsonb) as properties`,
    `floor(extract(epoch from ${a}."timestamp") * 1000)::float8 as "timestamp"`,
    `${a}.anonymous_id as "anonymousId"`,
    `${a}.user_id as "userId"`,
    `${a}.is_bot as "isBot"`,
  ].join(', ');
const SCORING_EVENT_NAMES =
  'id, type, event, name, path, url, properties, "timestamp", "anonymousId", "userId", "isBot"';

/**
 * The parameters of a read of the events dated `from` or later: `timestamp >= from` and the
 * bound on `received_at` it implies (`MAX_FUTURE_MS`), which lets PostgreSQL skip the monthly
 * partitions received before it (`events` is partitioned by `received_at`).
 */
export function timeBounds(from: number): [string, string] {
  return [new Date(from).toISOString(), new Date(from - MAX_FUTURE_MS).toISOString()];
}

/**
 * The events of many persons (one site) dated `from` (epoch ms) or later, future-dated ones
 * included, in one query, each person's oldest first: the events `PERSON_EVENTS` selects for
 * each. Scoring passes its horizon (`horizonStart`): nothing older can change a score, and
 * the `(site_id, user_id, "timestamp")` and `(site_id, anonymous_id, "timestamp")` indexes
 * make each id a range scan, so the cost follows the events within the horizon, not the
 * history. An event counts for the person of its user id; an event of one of a person's
 * anonymous ids counts for them when it carries no user id or a junk one (the two branches
 * are disjoint: a person's own user id is never junk).
 */
export async function loadEventsOfPersons(
  q: Queryable,
  siteId: string,
  personIds: readonly string[],
  /**
   * Epoch ms, or each person's own (a person without one gets none): then the persons are
   * read in two classes, those of the earliest time and the others from the earliest of
   * theirs (each person's events before their own time left out), each bound a constant.
   */
  from: number | ReadonlyMap<string, number>,
  /** Only the track events of these names (the alerts' behavior and stop rules); all when undefined. */
  names?: readonly string[],
): Promise<Map<string, ScoringEvent[]>> {
  const byPerson = new Map<string, ScoringEvent[]>();
  const classes = timeClasses(personIds, from);
  if (classes.length === 0) return byPerson;
  // Parsing timestamps and row ids, and copying each row into an event, was a tenth of a
  // rescore's CPU: PostgreSQL answers the events in their final shape, and each row is the
  // event (its extra `person_id` is read by nothing else).
  // Each class's bound is a constant of the statement: as a join on a per-person time the
  // planner could not estimate the range, and read a person's 30,000 older events to filter them.
  const params: unknown[] = [siteId];
  const byName = names ? `and e.event = any($${params.push(names)}::text[])` : '';
  const branches = classes.flatMap(({ ids, since }) => {
    const idsParam = `$${params.push(ids)}::text[]`;
    const [at, received] = timeBounds(since);
    const time = `$${params.push(at)}::timestamptz`;
    const receivedAt = `$${params.push(received)}::timestamptz`;
    return [
      `select p.id as person_id, e.id as row_id, ${SCORING_EVENT_OF('e')}
         from persons p join events e on e.site_id = $1 and e.user_id = p.user_id and e."timestamp" >= ${time}
          and e.received_at >= ${receivedAt} ${byName}
        where p.site_id = $1 and p.id = any(${idsParam})`,
      `select i.person_id, e.id as row_id, ${SCORING_EVENT_OF('e')}
         from identities i join events e on e.site_id = $1 and e.anonymous_id = i.anonymous_id
          and e."timestamp" >= ${time} and e.received_at >= ${receivedAt} ${byName}
        where i.site_id = $1 and i.person_id = any(${idsParam})
          and (e.user_id is null or ${junkIdSql('e.user_id')})`,
    ];
  });
  const rows = await q.query<ScoringEvent & { person_id: string }>(
    `select person_id, ${SCORING_EVENT_NAMES} from (${branches.join('\n union all\n')}) as all_events
     order by person_id, "timestamp", row_id`,
    params,
  );
  const own = typeof from === 'number' ? undefined : from;
  for (const r of rows) {
    if (own && r.timestamp < (own.get(r.person_id) as number)) continue;
    const list = byPerson.get(r.person_id);
    if (list) list.push(r);
    else byPerson.set(r.person_id, [r]);
  }
  return byPerson;
}

/** The persons by time to read from: one class, or those of the earliest time and the rest. */
function timeClasses(
  personIds: readonly string[],
  from: number | ReadonlyMap<string, number>,
): { ids: string[]; since: number }[] {
  if (personIds.length === 0) return [];
  if (typeof from === 'number') return [{ ids: [...personIds], since: from }];
  const ids = personIds.filter((id) => from.has(id));
  if (ids.length === 0) return [];
  const earliest = Math.min(...ids.map((id) => from.get(id) as number));
  const first = ids.filter((id) => from.get(id) === earliest);
  const rest = ids.filter((id) => from.get(id) !== earliest);
  if (rest.length === 0) return [{ ids: first, since: earliest }];
  return [
    { ids: first, since: earliest },
    { ids: rest, since: Math.min(...rest.map((id) => from.get(id) as number)) },
  ];
}
