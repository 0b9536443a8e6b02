import {
  type BackBy,
  type CompiledConfig,
  eventsInHorizon,
  foldSignals,
  foldsAfter,
  hitsThrough,
  type PackedHit,
  type ScoringEvent,
  type SignalHit,
  unpackHits,
} from '../../shared/scoring/index.ts';
import type { Queryable } from '../db/client.ts';
import { eventsOwnedBy, type GroupRows, ownerKey, type StoredFold } from './fresh-events.ts';

/**
 * How `rescorePersons` (persist.ts) takes each person: from their stored signals alone (the
 * periodic rescore), by resuming their stored derivation with their events after it, or from
 * their events within the horizon (see `PersonScoring`).
 */

export type PersonRow = Awaited<ReturnType<typeof readPersons>>[number];

/** How one person is scored: from their stored signals, by resuming their stored derivation, or from their events. */
export type Plan =
  | { how: 'stored'; person: PersonRow; hits: PackedHit[] }
  | { how: 'resume'; person: PersonRow; hits: PackedHit[]; from: StoredFold }
  | { how: 'events'; person: PersonRow };

/**
 * A fold is stored a little before the person's last event (`foldSignals`' `back`): at most a
 * minute and 8 events before it. A message that arrives late, dated before others already
 * scored (a server library's batch flushed after the browser's events, a retry), is resumed
 * from it as an in-order one is, reading only the person's events after it, rather than all
 * of their events within the horizon; older arrivals read them all.
 */
export const LATE: BackBy = { ms: 60_000, events: 8 };

export function planOf(person: PersonRow, horizon: number, fromStored: boolean, group: GroupRows | undefined): Plan {
  if (person.hits === null) return { how: 'events', person };
  if (fromStored) return { how: 'stored', person, hits: JSON.parse(person.hits) };
  if (group === undefined || person.fold === null) return { how: 'events', person };
  // A repeat may be of an event a crash left unscored: after the fold or not, who knows.
  if (eventsOwnedBy(person, group.repeated).length > 0) return { how: 'events', person };
  const stored = JSON.parse(person.fold) as StoredFold;
  if (stored.ids !== ownerKey(person)) return { how: 'events', person };
  const through = stored.fold.through;
  if (through !== null && through[0] < horizon) return { how: 'events', person };
  const mine = eventsOwnedBy(person, group.stored);
  // One dated at or before the fold (more than `LATE` late), or older than the horizon: derived again.
  if (!foldsAfter(stored.fold, mine) || mine.some((e) => e.timestamp < horizon)) return { how: 'events', person };
  return { how: 'resume', person, hits: JSON.parse(person.hits), from: stored };
}

/** The time each person's events are read from: after their fold, or from the horizon (none for `stored`). */
export function readFrom(plans: readonly Plan[], horizon: number): Map<string, number> {
  const from = new Map<string, number>();
  for (const plan of plans) {
    if (plan.how === 'events') from.set(plan.person.id, horizon);
    else if (plan.how === 'resume') from.set(plan.person.id, plan.from.fold.through?.[0] ?? horizon);
  }
  return from;
}

/**
 * A person derived from fewer events within the horizon stores no fold: reading so few
 * again costs less than carrying a fold in every write of their score (measured on the
 * rules benchmark's load, about 10 events a visitor: 4 % fewer events/s with a fold for
 * everyone). A person past it stores one, and from then on their events are resumed from it.
 */
export const FOLD_MIN_EVENTS = 20;

/** A person's signals, and their fold to store (the stored one for the periodic rescore; null: none). */
export function personSignals(
  plan: Plan,
  events: ReadonlyMap<string, ScoringEvent[]>,
  model: CompiledConfig,
  now: number,
): { hits: SignalHit[]; fold: StoredFold | null } {
  const { person } = plan;
  switch (plan.how) {
    case 'stored':
      return { hits: unpackHits(plan.hits, model), fold: person.fold === null ? null : JSON.parse(person.fold) };
    case 'resume': {
      // Same ids as the stored fold: planOf checked them. Its signals up to it, then the
      // events after it (read from its time on: those at its time and before it are in it).
      const from = plan.from.fold;
      const after = (events.get(person.id) ?? []).filter((e) => foldsAfter(from, [e]));
      const next = foldSignals(after, model, from, LATE);
      return {
        hits: [...unpackHits(hitsThrough(plan.hits, from), model), ...next.hits],
        fold: { ids: plan.from.ids, fold: next.back ?? from },
      };
    }
    case 'events': {
      const read = eventsInHorizon(events.get(person.id) ?? [], model, now);
      const derived = foldSignals(read, model, undefined, LATE);
      return {
        hits: derived.hits,
        fold: read.length >= FOLD_MIN_EVENTS && derived.back ? { ids: ownerKey(person), fold: derived.back } : null,
      };
    }
  }
}

/**
 * The persons of `ids` that exist, with whose events theirs are, and, when `model` (a
 * `modelKey`) derived them, their stored signals and derivation as stored text (null
 * otherwise).
 */
export async function readPersons(tx: Queryable, siteId: string, ids: readonly string[], model: string) {
  // Each by key, as the scores' own read (store-scores.ts).
  const rows = await tx.query<{
    id: string;
    account_id: string | null;
    user_id: string | null;
    anons: string[];
    hits: string | null;
    fold: string | null;
  }>(
    `select p.id, p.account_id, p.user_id,
            array(select anonymous_id from identities where site_id = $1 and person_id = k.id) as anons,
            case when s.model = $3 then s.hits::text end as hits,
            case when s.model = $3 then s.fold::text end as fold
       from unnest($2::text[]) as k(id)
      cross join lateral (select id, account_id, user_id from persons where site_id = $1 and id = k.id limit 1) as p
       left join lateral (
         select model, hits, fold from person_scores where site_id = $1 and person_id = k.id limit 1) as s on true`,
    [siteId, ids, model],
  );
  return rows.map((r) => ({ ...r, userId: r.user_id, anonymousIds: r.anons }));
}
