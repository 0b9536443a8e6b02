import type { RuleHit } from './state.ts';

/** A stored hit tuple: a person's `[at, signal, intent, derived]`, an account's `[at, signal, personId]`. */
export type StoredHitTuple = readonly unknown[];

const keyOfStored = (t: StoredHitTuple) => `${t.length === 3 ? String(t[2]) : ''}|${String(t[0])}|${String(t[1])}`;
const keyOfHit = (h: RuleHit) => `${h.personId ?? ''}|${h.at}|${h.signal}`;

/**
 * The hits of `after` that the stored `before` did not have (as many times as they are
 * missing). `before` null means the stored row kept no hits (it predates them): then nothing
 * counts as new, rather than the whole history. `hadRow` false (a first score): all are new.
 */
export function newHits(
  before: readonly StoredHitTuple[] | null,
  after: readonly RuleHit[],
  hadRow: boolean,
): RuleHit[] {
  if (!hadRow) return [...after];
  if (before === null) return [];
  const seen = new Map<string, number>();
  for (const t of before) {
    const k = keyOfStored(t);
    seen.set(k, (seen.get(k) ?? 0) + 1);
  }
  const out: RuleHit[] = [];
  for (const h of after) {
    const k = keyOfHit(h);
    const left = seen.get(k) ?? 0;
    if (left > 0) seen.set(k, left - 1);
    else out.push(h);
  }
  return out;
}
