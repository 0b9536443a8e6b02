import { type CompiledConfig, resolveModel, type ScoringModel } from './compile.ts';
import { type ContactSignals, collectSignals, deriveAccountSignals } from './derive.ts';
import {
  categoryPoints,
  type Evaluation,
  type Points,
  pointsAt,
  round1,
  type SignalGroup,
  topContributions,
} from './evaluate.ts';
import { earliestBoundaryHeld, evaluateHeld, pointsAtHeld } from './held.ts';
import { eventsInHorizon, hitsKept } from './horizon.ts';
import { intentTypeOf } from './intent-type.ts';
import { changeAt, differsFrom, diversityOf, personPoints, pointsToScore } from './score.ts';
import { tierOf } from './tier.ts';
import { trendOf } from './trend.ts';
import type { AccountContact, AccountContribution, AccountScoreResult, IntentType, SignalHit, Tier } from './types.ts';

interface Rollup<E extends Points = Evaluation> {
  points: number;
  /** Positive points are multiplied by diversity x breadth. */
  scale: number;
  contacts: E[];
  account: E;
  engaged: boolean[];
}

/**
 * An account's score at `now`, rolled up from its contacts (each with all of their events).
 *
 * points = max(0, (sum of contacts' positive points + account-level points) x diversity(categories
 * of all contacts) x breadth + sum of negative points), where breadth = min(breadthMax,
 * 1 + breadthStep x (engaged contacts - 1)) and a contact is engaged with at least
 * `account.engagedMinPoints` net points. Frequency damping is per contact, so three
 * stakeholders with a signal each outrank one contact repeating it three times; an account
 * of one contact scores exactly as that contact. Same curve, tiers and trend as a person.
 * @example
 * const result = scoreAccount([{ personId: 'p1', events }, { personId: 'p2', events: other }], defaultConfig, now);
 */
export function scoreAccount(
  contacts: readonly AccountContact[],
  model: ScoringModel,
  now: number,
): AccountScoreResult {
  const compiled = resolveModel(model);
  const signals = contacts.map((c) => ({
    personId: c.personId,
    hits: collectSignals(eventsInHorizon(c.events, compiled, now), compiled),
  }));
  return scoreAccountFromHits(signals, compiled, now);
}

/**
 * `scoreAccount` from each contact's signals (`collectSignals` of their events, e.g. as
 * stored when the contact was scored): only the signals dated `now - keptMs` or later are
 * read, so signals stored at an earlier instant give the same result as fresh ones.
 */
export function scoreAccountFromHits(
  contacts: readonly ContactSignals[],
  model: ScoringModel,
  now: number,
): AccountScoreResult {
  const compiled = resolveModel(model);
  // Sorted by person id: the same contacts in any order give the same floating-point sums.
  const people = [...contacts].sort((a, b) => (a.personId < b.personId ? -1 : a.personId > b.personId ? 1 : 0));
  const hits = people.map((c) => hitsKept(c.hits, compiled, now));
  const accountHits = deriveAccountSignals(
    people.map((c, i) => ({ personId: c.personId, hits: hits[i]! })),
    compiled,
  );

  const result = accountResult(people, hits, accountHits, compiled, now);
  const whole = differsFrom(result, (t) => accountResult(people, hits, accountHits, compiled, t));
  // Points are a field of the result: when they moved, the result did, without building the
  // 400 lines of a large account's breakdown at that instant.
  const differsAt = (t: number) =>
    round1(rollup(hits, accountHits, compiled, t, pointsAtHeld).points) !== result.points || whole(t);
  const nextChangeAt = changeAt([...hits, accountHits], compiled, now, differsAt, earliestBoundaryHeld);
  return { ...result, nextChangeAt };
}

/**
 * An account's points at `at` (what `scoreAccountFromHits` rolls up, without the breakdown,
 * baselines or next change): from each contact's signals, in person-id order, and the
 * account-level signals `deriveAccountSignals` made of them. What the calibration report
 * reads at each weekly snapshot.
 */
export function accountPointsAt(
  contactHits: readonly (readonly SignalHit[])[],
  accountHits: readonly SignalHit[],
  model: ScoringModel,
  at: number,
): number {
  return rollup(contactHits, accountHits, resolveModel(model), at, pointsAt).points;
}

function accountResult(
  people: readonly { personId: string }[],
  hits: readonly (readonly SignalHit[])[],
  accountHits: readonly SignalHit[],
  compiled: CompiledConfig,
  now: number,
): Omit<AccountScoreResult, 'nextChangeAt'> {
  const { config } = compiled;
  // Each contact's evaluations are held between roll-ups while exact (./held.ts): on an event
  // of one contact, the others' are looked up, not computed again.
  const current = rollup(hits, accountHits, compiled, now, evaluateHeld);
  // The baselines need only the points.
  const scoreAt = (at: number) => pointsToScore(rollup(hits, accountHits, compiled, at, pointsAtHeld).points, config);
  const score = pointsToScore(current.points, config);
  const previousScore = scoreAt(now - compiled.trendWindowMs);

  // Each contact's own person score (what scorePerson answers), from the evaluation at `now`
  // the rollup already made.
  const persons = current.contacts.map((ev) => ownOf(ev, compiled).person);
  const contactLines = people
    .map((c, i) => {
      const ev = current.contacts[i]!;
      return {
        personId: c.personId,
        score: persons[i]!.score,
        tier: persons[i]!.tier,
        type: persons[i]!.type,
        points: round1(ev.positive * current.scale + ev.negative),
        engaged: current.engaged[i]!,
      };
    })
    .sort((a, b) => b.points - a.points || (a.personId < b.personId ? -1 : 1));

  const allGroups: SignalGroup[] = [];
  for (const ev of current.contacts) for (const g of ev.groups) allGroups.push(g);
  for (const g of current.account.groups) allGroups.push(g);
  return {
    score,
    tier: tierOf(score, config),
    trend: trendOf(score, previousScore, config),
    points: round1(current.points),
    previousScore,
    change7d: score - scoreAt(now - compiled.changeWindowMs),
    contacts: contactLines,
    categories: categoryPoints(allGroups, current.scale),
    explanation: explain(current, allGroups, config.explanation.topSignals, compiled),
    engagedContacts: current.engaged.filter(Boolean).length,
  };
}

function rollup<E extends Points>(
  hits: readonly (readonly SignalHit[])[],
  accountHits: readonly SignalHit[],
  model: CompiledConfig,
  at: number,
  evaluateAt: (hits: readonly SignalHit[], model: CompiledConfig, at: number) => E,
): Rollup<E> {
  const { config } = model;
  const contacts = hits.map((h) => evaluateAt(h, model, at));
  const account = evaluateAt(accountHits, model, at);
  let positive = account.positive;
  let negative = account.negative;
  const categories = new Set(account.categories);
  for (const ev of contacts) {
    positive += ev.positive;
    negative += ev.negative;
    for (const category of ev.categories) categories.add(category);
  }
  const engaged = contacts.map(
    (ev) => ev.positive + ev.negative > 0 && ev.positive + ev.negative >= config.account.engagedMinPoints,
  );
  const count = engaged.filter(Boolean).length;
  const breadth = Math.min(config.account.breadthMax, 1 + config.account.breadthStep * Math.max(0, count - 1));
  const scale = diversityOf(categories.size, config) * breadth;
  return { points: Math.max(0, positive * scale + negative), scale, contacts, account, engaged };
}

/**
 * What is worked out of one contact's evaluation alone, once per evaluation: an evaluation
 * held between roll-ups (./held.ts) is the same object, so an event of one contact of a large
 * account works out that contact's, not the other 399 again. An evaluation is made under one
 * model (held per model), so it answers for that model only.
 */
interface Own {
  /** The contact's own person score, tier and type (what `scorePerson` answers for them). */
  person: { score: number; tier: Tier; type: IntentType };
  /** The signals the contact has counted occurrences of, each once. */
  signals: string[];
}
const owns = new WeakMap<Evaluation, Own>();

function ownOf(ev: Evaluation, model: CompiledConfig): Own {
  const known = owns.get(ev);
  if (known) return known;
  const { config } = model;
  const score = pointsToScore(personPoints(ev, config), config);
  const signals = new Set<string>();
  // A signal twice in one contact's groups (a chat message's intents) counts the contact once.
  for (const g of ev.groups) if (g.count > 0) signals.add(g.signal.signal);
  const own = {
    person: { score, tier: tierOf(score, config), type: intentTypeOf(ev.evidence, model) },
    signals: [...signals],
  };
  owns.set(ev, own);
  return own;
}

function explain(
  current: Rollup,
  groups: readonly SignalGroup[],
  n: number,
  model: CompiledConfig,
): AccountContribution[] {
  const withContacts = new Map<string, number>();
  for (const ev of current.contacts) {
    for (const id of ownOf(ev, model).signals) withContacts.set(id, (withContacts.get(id) ?? 0) + 1);
  }
  return topContributions(groups, current.scale, n).map((line) => ({
    ...line,
    contacts: withContacts.get(line.signal) ?? 0,
  }));
}
