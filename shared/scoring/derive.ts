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
import type { PackedHit } from './pack.ts';
import type { ScoringEvent, Signal, SignalHit } from './types.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/**
 * Every signal of one person, oldest first: each categorized event, plus the person-level
 * derived signals (3+ pages in a session, return visit, 3+ opens of one email, 3+ downloads
 * in a session, meeting with multiple attendees). Bots are skipped.
 *
 * A derived signal is dated when it became true (the event that completed it) and then ages
 * like any other. Derivation only looks backwards, and at most 2 x `DERIVED_LOOKBACK_DAYS`
 * (90): a return visit needs its previous visit within 90 days; a repeat or a session counts
 * its occurrences within the last 90 days and fires when that count reaches `min` from below
 * (the count at the previous occurrence, itself over 90 days, tells). So the signals at an
 * instant depend neither on later events nor on events more than 180 days older, which is
 * what lets the collector read only the horizon. Sessions: the person's page, screen and
 * track events, split where `session.inactivityMinutes` (30) or more pass without one.
 */
export function collectSignals(events: readonly ScoringEvent[], model: ScoringModel): SignalHit[] {
  return foldSignals(events, model).hits;
}

/**
 * Where a person's derivation stands after their events up to `through` (the last one folded,
 * by time then message id), as plain JSON: `foldSignals` resumes from it with later events
 * only, and gives the signals that `collectSignals` of all the events gives (the property
 * test in derive-fold.test.ts). Valid only under the model that made it. Bounded: it keeps
 * each counter's occurrences within the look-back of `through`, and a repeat's key only while
 * that key counts something.
 */
export interface Fold {
  through: [number, string] | null;
  /** The last page, screen or track event's time (sessions); null before any. */
  lastActivity: number | null;
  /** One entry per person-level derived rule, in the model's order. */
  rules: { session: FoldCounter; last: number | null; keys: [string, FoldCounter][] }[];
}

type FoldCounter = { times: number[]; previous: number };

/** How far before the last event `foldSignals` sets its `back` checkpoint: at most this long, and this many events. */
export interface BackBy {
  ms: number;
  events: number;
}

/**
 * The signals of `events` (`collectSignals`), resumed from `from` when given: then every event
 * must come after `from.through` (`foldsAfter`), and only their signals are answered. Answers
 * where the derivation stands after them, and, with `backBy`, `back`: where it stood a little
 * earlier (`backPosition`: at most `backBy.ms` and `backBy.events` before the last event,
 * never between two events of one time, at `from` when that is near enough). A late arrival
 * dated after `back.through` resumes from `back` with the events after it (`hitsThrough`
 * keeps the signals up to it).
 */
export function foldSignals(
  events: readonly ScoringEvent[],
  model: ScoringModel,
  from?: Fold,
  backBy?: BackBy,
): { hits: SignalHit[]; fold: Fold; back?: Fold } {
  const compiled = resolveModel(model);
  const rules = compiled.derived.filter((rule) => rule.kind !== 'account_people');
  const state = rules.map(
    (_, i): RuleState =>
      from?.rules[i] ? liveRule(from.rules[i]) : { session: newCounter(), last: Number.NaN, keys: new Map() },
  );
  const hits: SignalHit[] = [];
  let lastActivity = from?.lastActivity ?? Number.NEGATIVE_INFINITY;
  let through = from?.through ?? null;
  const sorted = chronological(events);
  const snapshot = (): Fold => ({
    through,
    lastActivity: Number.isFinite(lastActivity) ? lastActivity : null,
    rules: state.map((s) =>
      storedRule(s, through === null ? Number.NEGATIVE_INFINITY : through[0] - compiled.lookbackMs),
    ),
  });
  const backAt = backBy ? backPosition(sorted, through, backBy) : -1;
  // At 0: where `from` stands (a snapshot of the state before any event).
  let back: Fold | undefined;

  for (let k = 0; k < sorted.length; k++) {
    const event = sorted[k]!;
    if (k === backAt) back = snapshot();
    through = [event.timestamp, event.id];
    if (event.isBot || (event.type !== 'page' && event.type !== 'screen' && event.type !== 'track')) continue;
    const at = event.timestamp;
    const newSession = at - lastActivity >= compiled.sessionGapMs;
    lastActivity = at;
    const signal = categorize(event, compiled);
    if (signal) hits.push(toHit(signal, at, event.id, false));

    rules.forEach((rule, i) => {
      const s = state[i]!;
      if (newSession) s.session = newCounter();
      if (!matchesOf(rule.match, event.type, signal)) return;
      if (fires(rule, s, event, compiled.lookbackMs)) hits.push(derivedHit(compiled, rule, at, event.id));
    });
  }
  if (backAt === sorted.length) back = snapshot();
  return {
    hits,
    // Built when read: `collectSignals` (the pure scorer, calibration) never reads it.
    get fold(): Fold {
      return snapshot();
    },
    back,
  };
}

/**
 * Where `back` goes among `sorted`: before the event of that index (0: where `from`, ending at
 * `through`, stands; the length: after the last). The later of the time bound (after every
 * event dated `backBy.ms` or more before the last) and the count bound (`backBy.events`
 * before the end); then moved earlier, or if it must later, to a change of time: the events
 * folded after `back` must all be dated after it (`hitsThrough` keeps the signals dated up to it).
 */
function backPosition(sorted: readonly ScoringEvent[], through: Fold['through'], backBy: BackBy): number {
  const n = sorted.length;
  const clean = (p: number) =>
    p === n ||
    (p === 0 ? through === null || through[0] < sorted[0]!.timestamp : sorted[p - 1]!.timestamp < sorted[p]!.timestamp);
  const cut = (n > 0 ? sorted[n - 1]!.timestamp : Number.NaN) - backBy.ms;
  let byTime = 0;
  while (byTime < n && sorted[byTime]!.timestamp <= cut) byTime++;
  const target = Math.max(byTime, n - backBy.events);
  let p = target;
  while (p > 0 && !clean(p)) p--;
  if (clean(p)) return p;
  p = target;
  while (!clean(p)) p++;
  return p;
}

/**
 * The stored signals (`packHits` order: oldest first) that events up to `fold.through` gave,
 * when `fold` came after every event dated at or before its own (a `back` of `foldSignals`):
 * those dated at or before it.
 */
export function hitsThrough(hits: readonly PackedHit[], fold: Fold): PackedHit[] {
  if (fold.through === null) return [];
  const end = fold.through[0];
  return hits.filter((h) => h[0] <= end);
}

/** Whether every one of `events` comes after `fold.through`, so that `foldSignals` may resume. */
export function foldsAfter(fold: Fold, events: readonly ScoringEvent[]): boolean {
  if (fold.through === null) return true;
  const [at, id] = fold.through;
  return events.every((e) => e.timestamp > at || (e.timestamp === at && e.id > id));
}

/**
 * A rule's state as stored: occurrences before `horizon` (the look-back of the last event)
 * are left out, since every later occurrence drops them, and so is a key with none left,
 * since it then counts exactly as a new key does (`reaches`).
 */
function storedRule(s: RuleState, horizon: number): Fold['rules'][number] {
  const counter = (c: Counter): FoldCounter => ({
    times: c.times.slice(c.head).filter((t) => t >= horizon),
    previous: c.previous,
  });
  const keys: [string, FoldCounter][] = [];
  for (const [key, c] of s.keys) {
    const stored = counter(c);
    if (stored.times.length > 0) keys.push([key, stored]);
  }
  return { session: counter(s.session), last: Number.isNaN(s.last) ? null : s.last, keys };
}

function liveRule(r: Fold['rules'][number]): RuleState {
  const counter = (c: FoldCounter): Counter => ({ times: [...c.times], head: 0, previous: c.previous });
  return {
    session: counter(r.session),
    last: r.last ?? Number.NaN,
    keys: new Map(r.keys.map(([key, c]) => [key, counter(c)])),
  };
}

/** Occurrence times within the look-back of the latest (from `head` on), and the count at the previous one. */
type Counter = { times: number[]; head: number; previous: number };
type RuleState = { session: Counter; last: number; keys: Map<string, Counter> };

const newCounter = (): Counter => ({ times: [], head: 0, previous: 0 });

/** Counts an occurrence at `at`: whether the occurrences within `lookbackMs` up to `at` just reached `min`. */
function reaches(c: Counter, at: number, lookbackMs: number, min: number): boolean {
  c.times.push(at);
  while (c.times[c.head]! < at - lookbackMs) c.head++;
  if (c.head > 64 && c.head * 2 > c.times.length) {
    c.times = c.times.slice(c.head);
    c.head = 0;
  }
  const count = c.times.length - c.head;
  // The count at the previous occurrence, if that is within the look-back: an occurrence
  // after 90 days without one counts from none, whatever came before (with `min` 1 the count
  // at an occurrence years ago would otherwise hold the signal off for good).
  const previous = count > 1 ? c.previous : 0;
  const fired = count >= min && previous < min;
  c.previous = count;
  return fired;
}

function fires(rule: CompiledDerived, s: RuleState, event: ScoringEvent, lookbackMs: number): boolean {
  const properties = event.properties ?? {};
  switch (rule.kind) {
    case 'session_count':
      return reaches(s.session, event.timestamp, lookbackMs, rule.min);
    case 'return_visit': {
      const gap = event.timestamp - s.last;
      s.last = event.timestamp;
      return gap >= rule.minGapHours * HOUR_MS && gap <= lookbackMs;
    }
    case 'repeat_per_key': {
      const key = firstKey(properties, rule.keys);
      if (key === null) return false;
      let counter = s.keys.get(key);
      if (!counter) {
        counter = newCounter();
        s.keys.set(key, counter);
      }
      return reaches(counter, event.timestamp, lookbackMs, rule.min);
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
 * holds at a counted signal when `minPeople` different contacts have had counted signals
 * within the last `windowDays` (the window includes that instant), and fires there unless it
 * already held at a counted signal within the `windowDays` before. So an account signal at t
 * depends on the contacts' signals in [t - 2 x windowDays, t] only. Cost: O(hits x contacts)
 * over the counted signals only.
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
    let lastHeld = Number.NEGATIVE_INFINITY;
    for (const { hit, person } of counted) {
      lastByPerson.set(person, hit.at);
      let active = 0;
      for (const last of lastByPerson.values()) if (hit.at - last < windowMs) active++;
      if (active < rule.minPeople) continue;
      if (!(hit.at - lastHeld < windowMs)) out.push(derivedHit(compiled, rule, hit.at, hit.eventId));
      lastHeld = hit.at;
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
