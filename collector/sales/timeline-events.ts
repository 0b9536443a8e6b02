import type { ScoringEvent } from '../../shared/scoring/index.ts';
import type { Queryable } from '../db/client.ts';
import { junkIdSql } from '../identity/junk-ids.ts';
import { type EventRecord, PERSON_EVENTS, type PersonKeys, toScoringEvent } from '../scoring/events.ts';
import { type EventPosition, positionAfter, positionColumns, positionOf } from './event-keyset.ts';

/** Whose event a timeline item is. */
export interface TimelinePerson {
  id: string;
  userId: string | null;
  email: string | null;
}

/** One event of a timeline: the event, its keyset position and its person. */
export interface TimelineEvent {
  event: ScoringEvent;
  position: EventPosition;
  person: TimelinePerson;
}

type TimelineRecord = Omit<EventRecord, 'id'> & {
  ts_us: number;
  row_id: number;
  person_id: string;
  person_user_id: string | null;
  person_email: string | null;
};

const FIELDS = ['message_id', 'type', 'event', 'name', 'path', 'url', 'properties', '"timestamp"'];
const MORE_FIELDS = ['anonymous_id', 'user_id', 'is_bot'];
/** The columns of events `a` that a timeline reads, with its position (`ts_us`, `row_id`). */
const columnsOf = (a: string) =>
  [positionColumns(a), ...[...FIELDS, ...MORE_FIELDS].map((c) => `${a}.${c}`)].join(', ');
/** Newest first, on the typed columns the cursor compares. */
const NEWEST_FIRST = 'order by e."timestamp" desc, e.id desc';

const toTimelineEvent = (r: TimelineRecord): TimelineEvent => ({
  event: toScoringEvent(r),
  position: positionOf(r),
  person: { id: r.person_id, userId: r.person_user_id, email: r.person_email },
});

/** A page of a person's events (those `PERSON_EVENTS` selects), newest first, before `before`. */
export async function pagePersonEvents(
  q: Queryable,
  siteId: string,
  person: TimelinePerson,
  keys: PersonKeys,
  limit: number,
  before: EventPosition | null,
): Promise<TimelineEvent[]> {
  if (!keys.userId && keys.anonymousIds.length === 0) return [];
  const params: unknown[] = [siteId, keys.userId, keys.anonymousIds, limit];
  let after = '';
  if (before) {
    params.push(before.tsUs, before.rowId);
    after = `and ${positionAfter('e', '<', '$5', '$6')}`;
  }
  const rows = await q.query<Omit<TimelineRecord, 'person_id' | 'person_user_id' | 'person_email'>>(
    `select ${columnsOf('e')} from events e where ${PERSON_EVENTS} ${after} ${NEWEST_FIRST} limit $4`,
    params,
  );
  return rows.map((r) => ({ event: toScoringEvent(r), position: positionOf(r), person }));
}

/**
 * A page of the events of every contact of an account, newest first, before `before`, each
 * with its person. A contact's events are those `PERSON_EVENTS` selects: their user id's,
 * and their anonymous ids' that carry no user id or a junk one (the two branches are disjoint).
 */
export async function pageAccountEvents(
  q: Queryable,
  siteId: string,
  accountId: string,
  limit: number,
  before: EventPosition | null,
): Promise<TimelineEvent[]> {
  const after = before ? `and ${positionAfter('e', '<', '$4', '$5')}` : '';
  const params: unknown[] = [siteId, accountId, limit];
  if (before) params.push(before.tsUs, before.rowId);
  const person = 'p.id as person_id, p.user_id as person_user_id, p.email as person_email';
  const rows = await q.query<TimelineRecord>(
    `with p as (select id, user_id, email from persons where site_id = $1 and account_id = $2)
     select * from (
       (select ${person}, ${columnsOf('e')}
          from p join events e on e.site_id = $1 and e.user_id = p.user_id
         where true ${after} ${NEWEST_FIRST} limit $3)
       union all
       (select ${person}, ${columnsOf('e')}
          from p join identities i on i.site_id = $1 and i.person_id = p.id
          join events e on e.site_id = $1 and e.anonymous_id = i.anonymous_id
         where (e.user_id is null or ${junkIdSql('e.user_id')}) ${after} ${NEWEST_FIRST} limit $3)
     ) as contact_events
     order by "timestamp" desc, row_id desc limit $3`,
    params,
  );
  return rows.map(toTimelineEvent);
}

/**
 * For each (person, position): up to `limit` of the person's events just before that
 * position, oldest first, in one query. The look-back that derived signals need before a
 * page's oldest event of that person.
 */
export async function loadEventsBefore(
  q: Queryable,
  siteId: string,
  starts: readonly { personId: string; before: EventPosition }[],
  limit: number,
): Promise<Map<string, ScoringEvent[]>> {
  const byPerson = new Map<string, ScoringEvent[]>();
  if (starts.length === 0) return byPerson;
  const rows = await q.query<TimelineRecord>(
    `select s.person_id, p.user_id as person_user_id, p.email as person_email, e.*
     from unnest($2::text[], $3::int8[], $4::int8[]) as s(person_id, ts_us, row_id)
     join persons p on p.site_id = $1 and p.id = s.person_id
     cross join lateral (
       select ${columnsOf('e')} from events e
        where e.site_id = $1 and (e.user_id = p.user_id or (e.anonymous_id in (
            select i.anonymous_id from identities i where i.site_id = $1 and i.person_id = p.id)
          and (e.user_id is null or ${junkIdSql('e.user_id')})))
          and ${positionAfter('e', '<', 's.ts_us', 's.row_id')}
        ${NEWEST_FIRST} limit $5) as e
     order by s.person_id, e."timestamp", e.row_id`,
    [siteId, starts.map((s) => s.personId), starts.map((s) => s.before.tsUs), starts.map((s) => s.before.rowId), limit],
  );
  for (const r of rows) {
    const list = byPerson.get(r.person_id);
    if (list) list.push(toScoringEvent(r));
    else byPerson.set(r.person_id, [toScoringEvent(r)]);
  }
  return byPerson;
}
