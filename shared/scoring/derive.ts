import { categorize } from './categorize.ts';
import {
  type CompiledConfig,
  type CompiledDerived,
  matchesOf,
  readPath,
  resolveModel,
  type ScoringModel,
  toNumber,
  toSignal,
} from './compile.ts';
import type { ScoringEvent, Signal, SignalHit } from './types.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/**
 * Every signal of one person, oldest first: each categorized event, plus the person-level
 * derived signals (3+ pages in a session, return visit, 3+ opens of one email, 3+ downloads
 * in a session, meeting with multiple attendees). Bots are skipped.
 *
 * A derived signal is dated when it became true (the event that completed it) and then ages
 * like any other. Derivation only looks backwards, so the signals up to any instant do not
 * depend on later events. Sessions: the person's page, screen and track events, split where
 * `session.inactivityMinutes` (30) or more pass without one.
 */
export function collectSignals(events: readonly ScoringEvent[], model: ScoringModel): SignalHit[] {
  const compiled = resolveModel(model);
  const rules = compiled.derived.filter((rule) => rule.kind !== 'account_people');
  const state = rules.map(() => ({ count: 0, last: Number.NaN, keys: new Map<string, number>() }));
  const hits: SignalHit[] = [];
  let lastActivity = Number.NEGATIVE_INFINITY;

  for (const event of chronological(events)) {
    if (event.isBot || (event.type !== 'page' && event.type !== 'screen' && event.type !== 'track')) continue;
    const at = event.timestamp;
    const newSession = at - lastActivity >= compiled.sessionGapMs;
    lastActivity = at;
    const signal = categorize(event, compiled);
    if (signal) hits.push(toHit(signal, at, event.id, false));

    rules.forEach((rule, i) => {
      const s = state[i]!;
      if (newSession) s.count = 0;
      if (!matchesOf(rule.match, event.type, signal)) return;
      if (fires(rule, s, event)) hits.push(derivedHit(compiled, rule, at, event.id));
    });
  }
  return hits;
}

type RuleState = { count: number; last: number; keys: Map<string, number> };

function fires(rule: CompiledDerived, s: RuleState, event: ScoringEvent): boolean {
  const properties = event.properties ?? {};
  switch (rule.kind) {
    case 'session_count':
      return ++s.count === rule.min;
    case 'return_visit': {
      const returned = event.timestamp - s.last >= rule.minGapHours * HOUR_MS;
      s.last = event.timestamp;
      return returned;
    }
    case 'repeat_per_key': {
      const key = firstKey(properties, rule.keys);
      if (key === null) return false;
      const count = (s.keys.get(key) ?? 0) + 1;
      s.keys.set(key, count);
      return count === rule.min;
    }
    case 'property_at_least':
      return toNumber(readPath(properties, rule.property.split('.'))) >= rule.min;
    case 'account_people':
      return false;
  }
}

function firstKey(properties: Record<string, unknown>, keys: readonly string[]): string | null {
  for (const key of keys) {
    const value = properties[key];
    if ((typeof value === 'string' && value !== '') || typeof value === 'number') return String(value);
  }
  return null;
}

/** One contact's signals, for account-level derivation. */
export interface ContactSignals {
  personId: string;
  hits: readonly SignalHit[];
}

/**
 * Account-level derived signals (default: 2+ stakeholders active in the deal room). A rule
 * fires at a counted signal when `minPeople` different contacts have had counted signals
 * within the last `windowDays` (the window includes that instant), and at most once per
 * window. Cost: O(hits x contacts) over the counted signals only.
 */
export function deriveAccountSignals(contacts: readonly ContactSignals[], model: ScoringModel): SignalHit[] {
  const compiled = resolveModel(model);
  const out: SignalHit[] = [];
  for (const rule of compiled.derived) {
    if (rule.kind !== 'account_people') continue;
    const counted: { hit: SignalHit; person: number }[] = [];
    contacts.forEach((contact, person) => {
      for (const hit of contact.hits)
        if (matchesOf(rule.match, 'track', hit) && hit.points > 0) counted.push({ hit, person });
    });
    counted.sort((a, b) => a.hit.at - b.hit.at || a.person - b.person);
    const windowMs = rule.windowDays * DAY_MS;
    const lastByPerson = new Map<number, number>();
    let lastFired = Number.NEGATIVE_INFINITY;
    for (const { hit, person } of counted) {
      lastByPerson.set(person, hit.at);
      if (hit.at - lastFired < windowMs) continue;
      let active = 0;
      for (const last of lastByPerson.values()) if (hit.at - last < windowMs) active++;
      if (active >= rule.minPeople) {
        lastFired = hit.at;
        out.push(derivedHit(compiled, rule, hit.at, hit.eventId));
      }
    }
  }
  return out.sort((a, b) => a.at - b.at);
}

function derivedHit(model: CompiledConfig, rule: CompiledDerived, at: number, eventId: string): SignalHit {
  return toHit(toSignal(model, model.signals.get(rule.signal)!), at, eventId, true);
}

// Explicit fields, not a spread: this runs once per event and spreads are several times slower.
function toHit(s: Signal, at: number, eventId: string, derived: boolean): SignalHit {
  const { signal, label, category, level, intent, points } = s;
  return { signal, label, category, level, intent, points, at, eventId, derived };
}

/** Events by time, then id: sorted in O(n) when they already are (the usual case), copied and sorted otherwise. */
export function chronological(events: readonly ScoringEvent[]): readonly ScoringEvent[] {
  for (let i = 1; i < events.length; i++) {
    if (compareEvents(events[i - 1]!, events[i]!) > 0) return [...events].sort(compareEvents);
  }
  return events;
}

function compareEvents(a: ScoringEvent, b: ScoringEvent): number {
  return a.timestamp - b.timestamp || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
