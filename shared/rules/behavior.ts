import { type ConditionInput, DAY_MS, type Fire, isoOf, tierRank } from './state.ts';
import type { RuleCondition } from './types.ts';

type Behavior = Extract<RuleCondition, { type: 'behavior' }>;

/** The longest behavior window: the events loaded for scoring always cover it (see the README). */
export const MAX_BEHAVIOR_DAYS = 90;

interface Occurrence {
  key: string;
  at: number;
  signal?: { signal: string; points: number };
}

/** Whether every `where` property equals the event's (numbers, strings and booleans compared as such). */
export function matchesWhere(properties: Record<string, unknown>, where: Behavior['where']): boolean {
  if (!where) return true;
  return Object.entries(where).every(([k, v]) => Object.hasOwn(properties, k) && properties[k] === v);
}

function occurrences(when: Behavior, input: ConditionInput): Occurrence[] {
  const out: Occurrence[] = [];
  if (when.event !== undefined) {
    for (const e of input.events) {
      if (e.name === when.event && matchesWhere(e.properties, when.where)) out.push({ key: `e:${e.id}`, at: e.at });
    }
  } else if (when.signal !== undefined) {
    for (const h of input.hits) {
      if (h.signal === when.signal) {
        out.push({ key: `s:${h.personId ?? ''}:${h.at}`, at: h.at, signal: { signal: h.signal, points: h.points } });
      }
    }
  }
  return out.sort((a, b) => a.at - b.at || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

function inTier(when: Behavior, input: ConditionInput): boolean {
  const rank = tierRank(input.after.tier);
  if (when.tier && rank < tierRank(when.tier)) return false;
  if (when.notTier && rank >= tierRank(when.notTier)) return false;
  return true;
}

/**
 * "Did X at least `times` within `days`, and is (not) in a tier": an occurrence *reaches*
 * the count when it is the `times`-th within the `days` ending at it. The newest occurrence
 * that reaches it, still within `days` of now and not older than the rule, fires once (its
 * key names it), when the subject is in `tier` or above and below `notTier` at that moment.
 * A subject that keeps doing X does not fire again until a quiet spell of `days` lets the
 * count start over.
 */
export function behavior(when: Behavior, input: ConditionInput): Fire | null {
  if (!inTier(when, input)) return null;
  const all = occurrences(when, input);
  const span = when.days * DAY_MS;
  const from = Math.max(input.now - span, input.since);
  let start = 0;
  let reached: { occ: Occurrence; index: number; start: number } | null = null;
  for (let i = 0; i < all.length; i++) {
    const occ = all[i]!;
    while (all[start]!.at <= occ.at - span) start++;
    if (i - start + 1 === when.times && occ.at >= from) reached = { occ, index: i, start };
  }
  if (!reached) return null;
  const what = when.event ?? `signal ${when.signal}`;
  const counted = all.slice(reached.start, reached.index + 1);
  return {
    changeKey: `did:${reached.occ.key}`,
    reason: `${what} ${when.times}x within ${when.days}d`,
    signals: counted.flatMap((o) => (o.signal ? [{ ...o.signal, at: isoOf(o.at) }] : [])),
  };
}
