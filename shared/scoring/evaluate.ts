import type { CompiledConfig } from './compile.ts';
import { nextBoundary } from './decay.ts';
import type { IntentEvidence } from './intent-type.ts';
import type { Contribution, Signal, SignalHit } from './types.ts';

type Bucket = { signal: Signal; counts: number[]; first: number; last: number };

/** One signal (and intent) of one person at an instant, after recency and frequency. */
export interface SignalGroup {
  signal: Signal;
  count: number;
  /** Points before the diversity multiplier: points x weight. */
  points: number;
  /** The sum over the occurrences counted of recency x repeatFactor^rank (what one point would be worth). */
  weight: number;
  /** Epoch ms of the earliest and the latest occurrence counted. */
  first: number;
  last: number;
}

/** A set of signals summed at an instant, before the diversity multiplier. */
export interface Evaluation {
  groups: SignalGroup[];
  positive: number;
  negative: number;
  /** Categories with positive points. */
  categories: Set<string>;
  evidence: IntentEvidence;
  count: number;
}

/** What a baseline needs of an evaluation: the points and the categories with positive points. */
export type Points = Pick<Evaluation, 'positive' | 'negative' | 'categories'>;

/**
 * Sums signals at instant `at`. Occurrences of one signal are ranked freshest first and the
 * k-th (from 0) counts `repeatFactor^k`: with 0.6, three fresh pricing visits are worth
 * 1 + 0.6 + 0.36 = 1.96 visits, and no number of repeats is worth more than 2.5. Counting
 * occurrences per recency step makes this O(n) without sorting.
 */
export function evaluate(hits: readonly SignalHit[], model: CompiledConfig, at: number): Evaluation {
  const { levels } = model.config;
  const result: Evaluation = {
    groups: [],
    positive: 0,
    negative: 0,
    categories: new Set(),
    evidence: { buying: 0, partnership: 0, support: 0, job_seeker: 0 },
    count: 0,
  };
  for (const { signal, counts, first, last } of bucketsAt(hits, model, at)) {
    const [weight, count] = weightOf(counts, model);
    const points = signal.points * weight;
    result.groups.push({ signal, count, points, weight, first, last });
    result.count += count;
    if (points > 0) {
      result.positive += points;
      result.categories.add(signal.category);
    } else result.negative += points;
    if (signal.intent !== 'neutral' && levels[signal.level] > 0)
      result.evidence[signal.intent] += levels[signal.level] * weight;
  }
  return result;
}

/**
 * `evaluate`'s points and categories alone, summed in the same order (so to the same bits),
 * without the groups and evidence: what the 7-day and trend baselines read.
 */
export function pointsAt(hits: readonly SignalHit[], model: CompiledConfig, at: number): Points {
  const result: Points = { positive: 0, negative: 0, categories: new Set() };
  for (const { signal, counts } of bucketsAt(hits, model, at)) {
    const points = signal.points * weightOf(counts, model)[0];
    if (points > 0) {
      result.positive += points;
      result.categories.add(signal.category);
    } else result.negative += points;
  }
  return result;
}

/** The hits that count at `at`, bucketed by signal and intent (in order of first appearance), counted per recency step. */
function bucketsAt(hits: readonly SignalHit[], model: CompiledConfig, at: number): Bucket[] {
  const { stepMs } = model;
  const steps = stepMs.length;
  const buckets: Bucket[] = [];
  // A person has a handful of distinct signals: a scan of the buckets found so far beats
  // building maps; past SCAN_LIMIT of them, a map keyed by signal then intent takes over.
  let bySignal: Map<string, Map<string, Bucket>> | null = null;
  for (const hit of hits) {
    // recencyStep, inlined: this is the innermost loop of scoring.
    const age = at - hit.at;
    if (age < 0) continue;
    let step = 0;
    while (step < steps && !(age < stepMs[step]!)) step++;
    if (step === steps) continue;
    let bucket: Bucket | undefined;
    if (bySignal === null) {
      for (let i = 0; i < buckets.length; i++) {
        const b = buckets[i]!;
        if (b.signal.signal === hit.signal && b.signal.intent === hit.intent) {
          bucket = b;
          break;
        }
      }
    } else bucket = bySignal.get(hit.signal)?.get(hit.intent);
    if (!bucket) {
      bucket = { signal: hit, counts: new Array<number>(steps).fill(0), first: hit.at, last: hit.at };
      buckets.push(bucket);
      if (bySignal !== null) addBucket(bySignal, bucket);
      else if (buckets.length > SCAN_LIMIT) {
        bySignal = new Map();
        for (const b of buckets) addBucket(bySignal, b);
      }
    }
    bucket.counts[step]!++;
    if (hit.at < bucket.first) bucket.first = hit.at;
    if (hit.at > bucket.last) bucket.last = hit.at;
  }
  return buckets;
}

/** Buckets past which `bucketsAt` looks them up in maps rather than scanning. */
const SCAN_LIMIT = 12;

function addBucket(bySignal: Map<string, Map<string, Bucket>>, bucket: Bucket): void {
  let byIntent = bySignal.get(bucket.signal.signal);
  if (!byIntent) {
    byIntent = new Map();
    bySignal.set(bucket.signal.signal, byIntent);
  }
  byIntent.set(bucket.signal.intent, bucket);
}

/**
 * A bucket's weight (sum of recency x repeatFactor^rank) and count. A plain loop that skips
 * empty steps (they add exactly 0): this runs for every signal of every subject at several
 * instants, and a closure per bucket was a fifth of rescoring.
 */
function weightOf(counts: readonly number[], model: CompiledConfig): [weight: number, count: number] {
  const r = model.config.frequency.repeatFactor;
  const { stepFactors } = model;
  let weight = 0;
  let rank = 0;
  for (let step = 0; step < counts.length; step++) {
    const c = counts[step]!;
    if (c === 0) continue;
    // sum of r^k for k in [rank, rank + c): a geometric series
    const series = r === 1 ? c : (r ** rank - r ** (rank + c)) / (1 - r);
    weight += stepFactors[step]! * series;
    rank += c;
  }
  return [weight, rank];
}

/** The earliest instant after `at` when any of these signals changes step or starts counting. */
export function earliestBoundary(hits: readonly SignalHit[], model: CompiledConfig, at: number): number {
  let next = Number.POSITIVE_INFINITY;
  for (const hit of hits) {
    const boundary = nextBoundary(hit.at, at, model);
    if (boundary < next) next = boundary;
  }
  return next;
}

/**
 * Groups merged by signal id (a chat message's intents), scaled, sorted by |points| then id,
 * top n; each line dated by its earliest and latest occurrence counted.
 */
export function topContributions(groups: readonly SignalGroup[], scale: number, n: number): Contribution[] {
  type Line = Omit<Contribution, 'firstAt' | 'lastAt'> & { first: number; last: number };
  const merged = new Map<string, Line>();
  for (const { signal, count, points, first, last } of groups) {
    const scaled = points > 0 ? points * scale : points;
    const line = merged.get(signal.signal);
    if (line) {
      line.count += count;
      line.points += scaled;
      line.first = Math.min(line.first, first);
      line.last = Math.max(line.last, last);
    } else {
      const { label, category, level } = signal;
      merged.set(signal.signal, { signal: signal.signal, label, category, level, count, points: scaled, first, last });
    }
  }
  // Rounded, sorted and cut before the ISO dates are written, with explicit fields (no rest
  // spread): this runs at every instant a result is computed.
  const lines = [...merged.values()].filter((line) => line.count > 0);
  for (const line of lines) line.points = round1(line.points);
  lines.sort((a, b) => Math.abs(b.points) - Math.abs(a.points) || (a.signal < b.signal ? -1 : 1));
  return lines.slice(0, n).map((line) => ({
    signal: line.signal,
    label: line.label,
    category: line.category,
    level: line.level,
    count: line.count,
    points: line.points,
    firstAt: isoTime(line.first),
    lastAt: isoTime(line.last),
  }));
}

/** Points per category (positive points scaled), rounded, without zeros, keys sorted. */
export function categoryPoints(groups: readonly SignalGroup[], scale: number): Record<string, number> {
  const sums = new Map<string, number>();
  for (const { signal, points } of groups) {
    sums.set(signal.category, (sums.get(signal.category) ?? 0) + (points > 0 ? points * scale : points));
  }
  const out: Record<string, number> = {};
  for (const key of [...sums.keys()].sort()) {
    const value = round1(sums.get(key)!);
    if (value !== 0) out[key] = value;
  }
  return out;
}

const DAY_MS = 86_400_000;
/** Epoch ms of 10000-01-01: from there `toISOString` writes a signed six-digit year. */
const YEAR_10000 = 253_402_300_800_000;
const dayPrefixes = new Map<number, string>();
const TWO = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const THREE = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

/**
 * `new Date(ms).toISOString()`, the same string, with the date part memoized per day: a
 * fifth of the scorer's time went to formatting the explanation's dates.
 */
export function isoTime(ms: number): string {
  if (!(Number.isInteger(ms) && ms >= 0 && ms < YEAR_10000)) return new Date(ms).toISOString();
  const day = Math.floor(ms / DAY_MS);
  let prefix = dayPrefixes.get(day);
  if (prefix === undefined) {
    if (dayPrefixes.size >= 20_000) dayPrefixes.clear();
    prefix = new Date(day * DAY_MS).toISOString().slice(0, 11);
    dayPrefixes.set(day, prefix);
  }
  const inDay = ms - day * DAY_MS;
  const seconds = Math.floor(inDay / 1000);
  return `${prefix}${TWO[Math.floor(seconds / 3600)]}:${TWO[Math.floor(seconds / 60) % 60]}:${TWO[seconds % 60]}.${THREE[inDay % 1000]}Z`;
}

export function round1(value: number): number {
  return Math.round(value * 10) / 10 + 0;
}
