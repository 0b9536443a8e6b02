import { MAX_BEHAVIOR_DAYS } from '../../shared/rules/behavior.ts';
import { DEFAULT_COOLING_DAYS } from '../../shared/rules/cooling.ts';
import { evaluateCondition, mayFire } from '../../shared/rules/evaluate.ts';
import { newHits } from '../../shared/rules/new-hits.ts';
import { DEFAULT_SPIKE_HOURS } from '../../shared/rules/spike.ts';
import {
  type ConditionInput,
  DAY_MS,
  HOUR_MS,
  type RuleEvent,
  type RuleHit,
  type ScoreState,
} from '../../shared/rules/state.ts';
import type { RuleCondition } from '../../shared/rules/types.ts';
import type { ScoresStored, StoredScore } from '../changes/stored.ts';
import { onScoresStored, type ReadAlong } from '../changes/stored.ts';
import type { Database, Queryable } from '../db/client.ts';
import { loadEventsOfPersons } from '../scoring/events.ts';
import {
  type FactRow,
  loadAccountEvents,
  loadPairFacts,
  type PairFacts,
  pairFactsStatement,
  pairKey,
  parsePairFacts,
  toRuleEvent,
} from './facts.ts';
import { DEFAULT_GIVE_UP_MS, markStopped, type StopPair } from './outbox.ts';
import { type Candidate, recordFirings } from './record-firings.ts';
import { enabledRules, type StoredRule } from './rules-store.ts';

/**
 * Evaluates the site's enabled rules on every score the scoring transactions store (persons
 * and accounts, on ingest and in the periodic rescore), inside those transactions: a firing
 * and its outbox rows commit with the change that caused them, or not at all. The subjects
 * are under their scoring locks, so two collectors never evaluate one subject's change twice
 * at once, and a replay sees the stored state equal to the new one (nothing moved, no new
 * hit); the unique (rule, subject, change key) of `firings` guards the rest.
 */
export function registerRuleEvaluator(db: Database, giveUpMs = DEFAULT_GIVE_UP_MS): () => void {
  // Once per database object, however many collectors share it (tests, benches): the first
  // one's give-up time applies to the deliveries of new firings.
  let entry = registered.get(db);
  if (!entry) {
    entry = {
      users: 0,
      stop: onScoresStored(db, (tx, stored, along) => evaluateStored(tx, stored, giveUpMs, along as Ahead), factsAhead),
    };
    registered.set(db, entry);
  }
  entry.users++;
  let stopped = false;
  return () => {
    if (stopped || !entry) return;
    stopped = true;
    if (--entry.users === 0) {
      entry.stop();
      registered.delete(db);
    }
  };
}

const registered = new WeakMap<Database, { users: number; stop: () => void }>();

interface Subject {
  stored: StoredScore;
  /** The stored score and tier before the change (0, low for a first score) and after it. */
  before: ScoreState;
  after: ScoreState;
  /** Every hit now, and those this change added: computed only when a rule looks at hits. */
  hits: RuleHit[];
  newHits: RuleHit[];
  newSignals: ReadonlySet<string>;
}

const hitsOf = (s: StoredScore, kind: 'person' | 'account'): RuleHit[] =>
  s.contacts.flatMap((c) =>
    c.hits.map((h) => ({
      signal: h.signal,
      points: h.points,
      at: h.at,
      ...(kind === 'account' ? { personId: c.personId } : {}),
    })),
  );

const NONE: ReadonlySet<string> = new Set();

function subjectOf(s: StoredScore, kind: 'person' | 'account', withHits: boolean): Subject {
  const before: ScoreState = s.before ? { score: s.before.score, tier: s.before.tier } : { score: 0, tier: 'low' };
  const after: ScoreState = { score: s.after.score, tier: s.after.tier };
  const state = { stored: s, before, after };
  if (!withHits) return { ...state, hits: [], newHits: [], newSignals: NONE };
  const hits = hitsOf(s, kind);
  const fresh = newHits(s.before ? s.before.hits : [], hits, s.before !== null);
  return { ...state, hits, newHits: fresh, newSignals: new Set(fresh.map((h) => h.signal)) };
}

/** Whether the condition looks at signal hits (so the subjects' hits are worth comparing). */
const looksAtHits = (when: RuleCondition) =>
  when.type === 'signal' || (when.type === 'behavior' && when.signal !== undefined);

/** How far back a condition looks at stored scores (spike, cooling by points), or null. */
function historySpan(when: RuleCondition): number | null {
  if (when.type === 'spike') return (when.hours ?? DEFAULT_SPIKE_HOURS) * HOUR_MS;
  if (when.type === 'cooling' && when.points !== undefined) return (when.days ?? DEFAULT_COOLING_DAYS) * DAY_MS;
  return null;
}

/**
 * The facts of a small change (an ingest group's subjects) are read along with its scores'
 * upsert, for every subject and rule of its kind, before knowing which may fire: a round trip
 * costs more than reading them (about 1 ms against a fraction of one for 20 subjects). A
 * bigger change (a rescore's 250 people, most of whom fire nothing) reads them afterwards,
 * only for the pairs that may fire.
 */
const AHEAD_MAX_SUBJECTS = 64;

/** Facts read along with the upsert, and what they cover. */
interface Ahead {
  facts: PairFacts;
  /** The rules whose pairs' `rule_subjects` rows were read, and how far back the history goes. */
  rules: ReadonlySet<string>;
  span: number;
}

const factsAhead: ReadAlong = async (tx, { site, kind, now, ids }) => {
  if (ids.length > AHEAD_MAX_SUBJECTS) return null;
  const rules = (await enabledRules(tx, site)).filter((r) => r.subject === kind);
  if (rules.length === 0) return null;
  const span = Math.max(0, ...rules.map((r) => historySpan(r.definition.when) ?? 0));
  const window = { historyIds: span > 0 ? ids : [], from: now - span, now };
  const pairs = rules.filter(remembers).flatMap((r) => ids.map((id) => ({ ruleId: r.id, subjectId: id })));
  return {
    ...pairFactsStatement(site, kind, window, ids, pairs),
    answer: (rows): Ahead => ({
      facts: parsePairFacts(rows as unknown as FactRow[], window),
      rules: new Set(rules.map((r) => r.id)),
      span,
    }),
  };
};

async function evaluateStored(tx: Queryable, stored: ScoresStored, giveUpMs: number, ahead?: Ahead): Promise<void> {
  const rules = (await enabledRules(tx, stored.site)).filter((r) => r.subject === stored.kind);
  if (rules.length === 0) return;
  const stops = goalStops(stored, rules);
  // Facts read ahead serve when they cover every rule now enabled (the cache may have moved).
  const covered =
    ahead && rules.every((r) => ahead.rules.has(r.id) && (historySpan(r.definition.when) ?? 0) <= ahead.span)
      ? ahead.facts
      : undefined;
  const held = await conditionsThatHold(tx, stored, rules, covered);
  if (!held) return markStopped(tx, stored.site, stops, stored.now);
  // The stop conditions of the conditions that hold need their subjects' events too.
  // (Not for pairs already stopped: those end there.)
  await held.events.load(
    held.candidates
      .filter(
        (c) => c.rule.definition.stopWhen && !held.facts.known.get(pairKey(c.rule.id, c.subject.stored.id))?.stopped,
      )
      .map((c) => c.subject.stored.id),
  );
  await recordFirings(tx, stored, held.candidates, held.events.of, held.facts, giveUpMs, stops);
}

/** Whether the rule remembers its subjects: a cap counts their firings, a stop condition ends them. */
const remembers = (rule: StoredRule) => rule.definition.cap !== undefined || rule.definition.stopWhen !== undefined;

/**
 * The rules whose condition holds on the change, with what was read to decide (null when
 * none does): the candidate pairs' facts in one statement, and the events the behaviour rules
 * count.
 */
async function conditionsThatHold(
  tx: Queryable,
  stored: ScoresStored,
  rules: StoredRule[],
  ahead: PairFacts | undefined,
): Promise<{ candidates: Candidate[]; facts: PairFacts; events: ReturnType<typeof eventSource> } | null> {
  const { kind, now } = stored;
  const withHits = rules.some((r) => looksAtHits(r.definition.when));
  const subjects = stored.subjects.map((s) => ({ ...subjectOf(s, kind, withHits), arrived: arrivedFor(stored, s.id) }));
  const pairs: { rule: StoredRule; subject: (typeof subjects)[number] }[] = [];
  for (const rule of rules)
    for (const subject of subjects) if (mayFire(rule.definition.when, subject)) pairs.push({ rule, subject });
  if (pairs.length === 0) return null;

  // What the candidate pairs need, unless read ahead: in one statement for all of them, the
  // history windows of the conditions that look back, what each pair recorded, the subjects'
  // names and owners.
  const facts = ahead ?? (await loadFactsOfPairs(tx, stored, pairs));
  const events = eventSource(tx, stored, eventNames(rules));
  await events.load(
    pairs
      .filter((p) => p.rule.definition.when.type === 'behavior' && p.rule.definition.when.event !== undefined)
      .map((p) => p.subject.stored.id),
  );

  const candidates: Candidate[] = [];
  for (const { rule, subject } of pairs) {
    const id = subject.stored.id;
    const input: ConditionInput = {
      before: subject.stored.before,
      after: subject.stored.after,
      newHits: subject.newHits,
      hits: subject.hits,
      events: events.of(id),
      history: facts.history.get(id) ?? [],
      now,
      since: rule.createdAt.getTime(),
    };
    const fire = evaluateCondition(rule.definition.when, input);
    if (fire) candidates.push({ rule, subject, fire });
  }
  return candidates.length === 0 ? null : { candidates, facts, events };
}

/** `loadPairFacts` for the pairs that may fire (a rescore's change, or facts not read ahead). */
function loadFactsOfPairs(
  tx: Queryable,
  { site, kind, now }: ScoresStored,
  pairs: readonly { rule: StoredRule; subject: { stored: StoredScore } }[],
): Promise<PairFacts> {
  const span = Math.max(0, ...pairs.map((p) => historySpan(p.rule.definition.when) ?? 0));
  const historyIds = [
    ...new Set(pairs.filter((p) => historySpan(p.rule.definition.when)).map((p) => p.subject.stored.id)),
  ];
  return loadPairFacts(
    tx,
    site,
    kind,
    { historyIds, from: now - span, now },
    [...new Set(pairs.map((p) => p.subject.stored.id))],
    pairs.filter((p) => remembers(p.rule)).map((p) => ({ ruleId: p.rule.id, subjectId: p.subject.stored.id })),
  );
}

/**
 * A person's goal event ends the rules that stop on it as soon as scoring sees it (their
 * events are in memory): `rule_subjects.stopped_at` is set in this transaction (with the
 * firings, or alone), whether or not a condition holds. An account's stop is found when one
 * of its rules would fire (its contacts' events are read back only then).
 */
function goalStops(stored: ScoresStored, rules: StoredRule[]): StopPair[] {
  const { events, arrived } = stored;
  if (stored.kind !== 'person' || !events) return [];
  const stopping = rules.filter((r) => r.definition.stopWhen);
  if (stopping.length === 0) return [];
  const goals = new Set(stopping.map((r) => r.definition.stopWhen?.event));
  const pairs: StopPair[] = [];
  for (const s of stored.subjects) {
    // A goal that did not arrive with this change was recorded when it did (or is found by a
    // firing's own stop check): only the subject's arrivals are looked at, or on a rescore
    // the events scoring read (none for a person scored from stored signals).
    let names: ReadonlySet<string>;
    if (arrived) names = arrived.get(s.id) ?? NONE;
    else {
      const seen = new Set<string>();
      for (const e of events.get(s.id) ?? []) if (e.event !== null && goals.has(e.event)) seen.add(e.event);
      names = seen;
    }
    if (names.size === 0) continue;
    for (const r of stopping)
      if (names.has(r.definition.stopWhen?.event ?? '')) pairs.push({ ruleId: r.id, subjectId: s.id });
  }
  return pairs;
}

/** What arrived for the subject with the change; undefined when unknown (a rescore). */
const arrivedFor = (stored: ScoresStored, id: string): ReadonlySet<string> | undefined =>
  stored.arrived && (stored.arrived.get(id) ?? NONE);

/** The event names the rules count (behavior) or stop on: all an account's rules read of its events. */
const eventNames = (rules: readonly StoredRule[]): string[] => [
  ...new Set(
    rules.flatMap((r) => {
      const { when, stopWhen } = r.definition;
      return [
        ...(when.type === 'behavior' && when.event !== undefined ? [when.event] : []),
        ...(stopWhen ? [stopWhen.event] : []),
      ];
    }),
  ),
];

/**
 * The subjects' events, for the rules that look at them, loaded on demand: a person's from
 * the change when scoring read them, else read back (a person scored from stored signals,
 * an account's contacts), only the `names` the rules look at, once per subject.
 */
function eventSource(tx: Queryable, stored: ScoresStored, names: readonly string[]) {
  const loaded = new Map<string, RuleEvent[]>();
  const from = stored.now - MAX_BEHAVIOR_DAYS * DAY_MS;
  return {
    async load(ids: readonly string[]): Promise<void> {
      const missing = [...new Set(ids)].filter((id) => !loaded.has(id));
      if (missing.length === 0) return;
      if (stored.kind === 'account') {
        const read = await loadAccountEvents(tx, stored.site, missing, from, names);
        for (const id of missing) loaded.set(id, read.get(id) ?? []);
        return;
      }
      const unread = missing.filter((id) => !stored.events?.has(id));
      const read = await loadEventsOfPersons(tx, stored.site, unread, from, names);
      for (const id of missing) loaded.set(id, (stored.events?.get(id) ?? read.get(id) ?? []).map(toRuleEvent));
    },
    of: (id: string): RuleEvent[] => loaded.get(id) ?? [],
  };
}
