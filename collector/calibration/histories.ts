import {
  type CompiledConfig,
  collectSignals,
  normalizeEventName,
  type ScoringEvent,
  type SignalHit,
} from '../../shared/scoring/index.ts';
import type { Queryable } from '../db/client.ts';
import { loadEventsOfPersons } from '../scoring/events.ts';

/**
 * The site's people read for the calibration report in bounded pages: the list of persons
 * (id, account) first, then the events of about `PAGE_PERSONS` of them at a time through the
 * scorer's own read (`loadEventsOfPersons`: identity as resolved, the same events a rescore
 * scores), each page with whole accounts so that an account is rolled up from all its contacts.
 * Only each person's signals and outcome times leave a page: its events are dropped with it.
 */

/** Persons whose events are read in one query. */
export const PAGE_PERSONS = 1000;

/** One person as the report keeps them: signals (outcomes left out), outcome times, first seen. */
export interface PersonHistory {
  id: string;
  accountId: string | null;
  hits: SignalHit[];
  /** Epoch ms of each outcome event, ascending. */
  outcomes: number[];
  /** Epoch ms of their earliest event (not a bot's); null when none. */
  firstSeen: number | null;
  events: number;
}

interface PersonRef {
  id: string;
  account_id: string | null;
}

/** The site's persons, those without an account first, then by account and id. */
async function listPersons(q: Queryable, siteId: string): Promise<PersonRef[]> {
  return q.query<PersonRef>(
    `select id, account_id from persons where site_id = $1 order by account_id nulls first, id`,
    [siteId],
  );
}

/** Pages of persons of at most `size` (an account with more contacts is a page of its own), accounts never split. */
export function pagesOf(persons: readonly PersonRef[], size: number): PersonRef[][] {
  const pages: PersonRef[][] = [];
  let page: PersonRef[] = [];
  for (let i = 0; i < persons.length; ) {
    let j = i + 1;
    const account = persons[i]!.account_id;
    if (account !== null) while (j < persons.length && persons[j]!.account_id === account) j++;
    if (page.length > 0 && page.length + (j - i) > size) {
      pages.push(page);
      page = [];
    }
    for (let m = i; m < j; m++) page.push(persons[m]!);
    i = j;
  }
  if (page.length > 0) pages.push(page);
  return pages;
}

/** Whether an event is one of the site's outcomes (a track call of a named outcome, not a bot's). */
export function outcomeTest(events: readonly string[]): (e: ScoringEvent) => boolean {
  const names = new Set(events.map(normalizeEventName));
  return (e) => e.type === 'track' && !e.isBot && e.event !== null && names.has(normalizeEventName(e.event));
}

/** Each page of the site's persons with their signals under `model` and their outcomes. */
export async function* readHistories(
  q: Queryable,
  siteId: string,
  model: CompiledConfig,
  outcomeEvents: readonly string[],
): AsyncGenerator<PersonHistory[]> {
  const isOutcome = outcomeTest(outcomeEvents);
  for (const page of pagesOf(await listPersons(q, siteId), PAGE_PERSONS)) {
    const events = await loadEventsOfPersons(
      q,
      siteId,
      page.map((p) => p.id),
      0,
    );
    yield page.map((p) => {
      const own = events.get(p.id) ?? [];
      const outcomes: number[] = [];
      const signals: ScoringEvent[] = [];
      let firstSeen: number | null = null;
      for (const e of own) {
        if (!e.isBot && (firstSeen === null || e.timestamp < firstSeen)) firstSeen = e.timestamp;
        if (isOutcome(e)) outcomes.push(e.timestamp);
        else signals.push(e);
      }
      outcomes.sort((a, b) => a - b);
      return {
        id: p.id,
        accountId: p.account_id,
        hits: collectSignals(signals, model),
        outcomes,
        firstSeen,
        events: own.length,
      };
    });
  }
}
