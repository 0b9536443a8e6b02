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
/** `SCORING_EVENT_NAMES` of a subquery alias `a`. */
const SCORING_EVENT_NAMES_OF = (a: string) =>
  SCORING_EVENT_NAMES.split(', ')
    .map((n) => `${a}.${n}`)
    .join(', ');

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
  /** Epoch ms, or each person's own (a person without one gets none). */
  from: number | ReadonlyMap<string, number>,
  /** Only the track events of these names (the alerts' behavior and stop rules); all when undefined. */
  names?: readonly string[],
): Promise<Map<string, ScoringEvent[]>> {
  const byPerson = new Map<string, ScoringEvent[]>();
  if (personIds.length === 0) return byPerson;
  if (typeof from !== 'number') return loadEventsSince(q, siteId, personIds, from, byPerson);
  // Parsing timestamps and row ids, and copying each row into an event, was a tenth of a
  // rescore's CPU: PostgreSQL answers the events in their final shape, and each row is the
  // event (its extra `person_id` is read by nothing else).
  const rows = await q.query<ScoringEvent & { person_id: string }>(
    eventsOfSql('select id, user_id, id as key from persons where site_id = $1 and id = any($2::text[])', names),
    names ? [siteId, personIds, ...timeBounds(from), names] : [siteId, personIds, ...timeBounds(from)],
  );
  return groupByPerson(rows, byPerson);
}

/**
 * The events of the contacts of many accounts (one site) dated `from` or later, only the
 * track events named `names`, by account id, in one query (the rules of an account count its
 * contacts' events): `loadEventsOfPersons` of every person whose `account_id` is one of them.
 */
export async function loadEventsOfAccounts(
  q: Queryable,
  siteId: string,
  accountIds: readonly string[],
  from: number,
  names: readonly string[],
): Promise<Map<string, ScoringEvent[]>> {
  const byAccount = new Map<string, ScoringEvent[]>();
  if (accountIds.length === 0) return byAccount;
  const rows = await q.query<ScoringEvent & { person_id: string }>(
    eventsOfSql(
      'select id, user_id, account_id as key from persons where site_id = $1 and account_id = any($2::text[])',
      names,
    ),
    [siteId, accountIds, ...timeBounds(from), names],
  );
  return groupByPerson(rows, byAccount);
}

/**
 * The read of `loadEventsOfPersons`: `persons` selects (id, user_id, key) of the people
 * whose events to read ($1 site, $2 ids), and each event is answered under its person's key
 * (as `person_id`); $3, $4 the time bounds, $5 the names when given.
 */
function eventsOfSql(persons: string, names: readonly string[] | undefined): string {
  const byName = names ? 'and e.event = any($5::text[])' : '';
  return `with p as (${persons})
     select person_id, ${SCORING_EVENT_NAMES} from (
       select p.key as person_id, e.id as row_id, ${SCORING_EVENT_OF('e')}
         from p join events e on e.site_id = $1 and e.user_id = p.user_id and e."timestamp" >= $3::timestamptz
          and e.received_at >= $4::timestamptz ${byName}
       union all
       select p.key, e.id as row_id, ${SCORING_EVENT_OF('e')}
         from p join identities i on i.site_id = $1 and i.person_id = p.id
         join events e on e.site_id = $1 and e.anonymous_id = i.anonymous_id
          and e."timestamp" >= $3::timestamptz and e.received_at >= $4::timestamptz ${byName}
        where (e.user_id is null or ${junkIdSql('e.user_id')})
     ) as all_events
     order by person_id, "timestamp", row_id`;
}

/**
 * `loadEventsOfPersons` with a time of its own for each person (`since`): scoring reads a
 * person whose stored derivation it resumes from only after it, the others from the horizon.
 * Each id's events are a lateral range scan of its own index, in its order, from its own time:
 * as a plain join the planner read a 30,000-event history whole to filter it (no estimate of
 * the per-person range), and with the earliest time as a constant bound it took the site's
 * `(site_id, "timestamp")` index for a recent time (statistics end before the newest rows)
 * and read the site's last minutes for every group (ingest at 40 % of its rate).
 */
async function loadEventsSince(
  q: Queryable,
  siteId: string,
  personIds: readonly string[],
  since: ReadonlyMap<string, number>,
  byPerson: Map<string, ScoringEvent[]>,
): Promise<Map<string, ScoringEvent[]>> {
  const ids = personIds.filter((id) => since.has(id));
  if (ids.length === 0) return byPerson;
  const times = ids.map((id) => since.get(id) as number);
  const [, received] = timeBounds(Math.min(...times));
  const rows = await q.query<ScoringEvent & { person_id: string }>(
    `with k as (select * from unnest($2::text[], $3::timestamptz[]) as k(id, since)),
     p as (select k.id, k.since, persons.user_id from k cross join lateral (
       select user_id from persons where site_id = $1 and id = k.id limit 1) as persons)
     select person_id, ${SCORING_EVENT_NAMES} from (
       select p.id as person_id, e.row_id, ${SCORING_EVENT_NAMES_OF('e')}
         from p cross join lateral (
           select e.id as row_id, ${SCORING_EVENT_OF('e')} from events e
            where e.site_id = $1 and e.user_id = p.user_id and e."timestamp" >= p.since
              and e.received_at >= $4::timestamptz
            order by e."timestamp") as e
       union all
       select k.id, e.row_id, ${SCORING_EVENT_NAMES_OF('e')}
         from k join identities i on i.site_id = $1 and i.person_id = k.id
         cross join lateral (
           select e.id as row_id, ${SCORING_EVENT_OF('e')} from events e
            where e.site_id = $1 and e.anonymous_id = i.anonymous_id and e."timestamp" >= k.since
              and e.received_at >= $4::timestamptz and (e.user_id is null or ${junkIdSql('e.user_id')})
            order by e."timestamp") as e
     ) as all_events
     order by person_id, "timestamp", row_id`,
    [siteId, ids, times.map((t) => new Date(t).toISOString()), received],
  );
  return groupByPerson(rows, byPerson);
}

function groupByPerson(
  rows: readonly (ScoringEvent & { person_id: string })[],
  byPerson: Map<string, ScoringEvent[]>,
): Map<string, ScoringEvent[]> {
  for (const r of rows) {
    const list = byPerson.get(r.person_id);
    if (list) list.push(r);
    else byPerson.set(r.person_id, [r]);
  }
  return byPerson;
}
