import { type CompiledConfig, categorize } from '../../shared/scoring/index.ts';
import type { Queryable } from '../db/client.ts';
import { type DerivedSignal, derivedByEvent, type EventDetails, eventDetails } from './timeline-details.ts';
import { loadEventsBefore, type TimelineEvent, type TimelinePerson } from './timeline-events.ts';

/**
 * How many of a person's events before a page the derived signals look back over. Enough
 * for a session, the previous visit and an email's earlier opens in all but the busiest
 * histories; it bounds what one page reads whatever the person's history.
 */
export const LOOKBACK_EVENTS = 500;

/** One item of `GET /v1/people/:id/signals` and `GET /v1/accounts/:id/signals`. */
export interface TimelineItem {
  id: string;
  type: string;
  event: string | null;
  name: string | null;
  path: string | null;
  timestamp: string;
  signal: string | null;
  label: string | null;
  category: string | null;
  level: string | null;
  points: number | null;
  details: EventDetails;
  derived: DerivedSignal[];
  person?: TimelinePerson;
}

/**
 * The items of a page of events (newest first): each with what it counts as, its details
 * and the derived signals that arose at it. Those come from the pure model over each
 * person's events on the page plus their `LOOKBACK_EVENTS` events before it (one query).
 */
export async function describeTimeline(
  q: Queryable,
  siteId: string,
  model: CompiledConfig,
  page: readonly TimelineEvent[],
  withPerson: boolean,
): Promise<TimelineItem[]> {
  // Each person's events on the page, oldest first; the page holds all of them in its range.
  const byPerson = new Map<string, TimelineEvent[]>();
  for (let i = page.length - 1; i >= 0; i--) {
    const t = page[i]!;
    const list = byPerson.get(t.person.id);
    if (list) list.push(t);
    else byPerson.set(t.person.id, [t]);
  }
  const starts = [...byPerson.entries()].map(([personId, list]) => ({ personId, before: list[0]!.position }));
  const earlier = await loadEventsBefore(q, siteId, starts, LOOKBACK_EVENTS);
  const derived = new Map<string, DerivedSignal[]>();
  for (const [personId, list] of byPerson) {
    const history = [...(earlier.get(personId) ?? []), ...list.map((t) => t.event)];
    for (const [eventId, signals] of derivedByEvent(history, model)) derived.set(eventId, signals);
  }
  return page.map((t) => {
    const e = t.event;
    const signal = categorize(e, model);
    const item: TimelineItem = {
      id: e.id,
      type: e.type,
      event: e.event,
      name: e.name,
      path: e.path,
      timestamp: new Date(e.timestamp).toISOString(),
      signal: signal?.signal ?? null,
      label: signal?.label ?? null,
      category: signal?.category ?? null,
      level: signal?.level ?? null,
      points: signal?.points ?? null,
      details: eventDetails(e),
      derived: derived.get(e.id) ?? [],
    };
    if (withPerson) item.person = t.person;
    return item;
  });
}
