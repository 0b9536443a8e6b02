import type { ScoringEvent } from '../../shared/scoring/index.ts';
import type { Database, Queryable, Statement } from '../db/client.ts';
import { notifyChanged } from './notices.ts';

/** A signal hit as a stored score carries it. */
export interface StoredHit {
  at: number;
  signal: string;
  points: number;
}

/** One subject's stored score: as it was, and as it is now. */
export interface StoredScore {
  id: string;
  /** Null when the subject had no score row (a first score). */
  before: {
    score: number;
    tier: 'high' | 'medium' | 'low';
    /**
     * The signal hits stored with it, as `[at, signal, ...]` (a person's) or `[at, signal,
     * personId]` (an account's); null when the row stored none (scored before hits were kept).
     */
    hits: readonly (readonly unknown[])[] | null;
  } | null;
  after: {
    score: number;
    tier: 'high' | 'medium' | 'low';
    /** The top contributions (`explanation`). */
    explanation: readonly { signal: string; points: number; lastAt?: string }[];
  };
  /** The hits stored now, by contact (a person: one entry, its own). */
  contacts: readonly { personId: string; hits: readonly StoredHit[] }[];
}

/** One transaction's stored scores of one site and kind. */
export interface ScoresStored {
  site: string;
  kind: 'person' | 'account';
  /** The instant they were computed at. */
  now: number;
  subjects: readonly StoredScore[];
  /**
   * Persons: the events each was scored from (within the horizon), by person id; a person
   * scored from stored signals (the periodic rescore) is not in it.
   */
  events?: ReadonlyMap<string, readonly ScoringEvent[]>;
  /**
   * The names of the track events that arrived with the change, by subject: a person's own,
   * an account's contacts'. A subject not in the map got none. Undefined when unknown (the
   * periodic rescore, a config change, an erasure): any event may count.
   */
  arrived?: ReadonlyMap<string, ReadonlySet<string>>;
}

/**
 * Runs inside the transaction that stores the scores; what it writes commits with them.
 * `along` is the answer of its `ReadAlong`, when one was sent with the scores' upsert.
 */
export type StoredScoresHandler = (tx: Queryable, stored: ScoresStored, along?: unknown) => Promise<void>;

/** The subjects a transaction is about to store the scores of. */
export interface ScoresAhead {
  site: string;
  kind: 'person' | 'account';
  now: number;
  ids: readonly string[];
}

/** A read sent in the same round trip as the scores' upsert (after it), and what its rows mean. */
export interface Along extends Statement {
  answer(rows: Record<string, unknown>[]): unknown;
}

/**
 * What a handler wants read along with the upsert of `ahead` (null for nothing): a read of
 * what the change does not touch, so that the handler's own read costs no round trip.
 */
export type ReadAlong = (tx: Queryable, ahead: ScoresAhead) => Promise<Along | null>;

interface Registered {
  handler: StoredScoresHandler;
  readAlong?: ReadAlong;
}

const handlers = new WeakMap<Database, Set<Registered>>();

/**
 * Registers `handler` for every score stored through `db` in this process (the alerts
 * evaluator: `app.ts`), with what it reads along with the upsert. Answers the way to stop.
 */
export function onScoresStored(db: Database, handler: StoredScoresHandler, readAlong?: ReadAlong): () => void {
  let set = handlers.get(db);
  if (!set) {
    set = new Set();
    handlers.set(db, set);
  }
  const entry: Registered = { handler, ...(readAlong ? { readAlong } : {}) };
  set.add(entry);
  return () => {
    set.delete(entry);
  };
}

/** Each handler's answer to what it read along with the upsert. */
export type AlongAnswers = ReadonlyMap<Registered, unknown>;

/** The reads the handlers want sent with the upsert of `ahead`. */
export interface AlongReads {
  statements: readonly Statement[];
  /** The handlers' answers, from the rows of `statements` (in their order). */
  answers(rows: readonly Record<string, unknown>[][]): AlongAnswers;
}

/** Asks each handler what to read along with the upsert of `ahead`. */
export async function readsAlong(tx: Queryable, ahead: ScoresAhead): Promise<AlongReads> {
  const reads: { entry: Registered; along: Along }[] = [];
  for (const entry of handlers.get(tx.database) ?? []) {
    const along = await entry.readAlong?.(tx, ahead);
    if (along) reads.push({ entry, along });
  }
  return {
    statements: reads.map((r) => r.along),
    answers: (rows) => new Map(reads.map((r, i) => [r.entry, r.along.answer(rows[i] ?? [])])),
  };
}

/**
 * Announces scores `tx` just stored: the notices (`notifyChanged`) of every subject, then
 * each handler registered for the database, in the same transaction, so what a handler
 * records (a rule firing) commits or rolls back with the scores. A handler that throws
 * rolls the transaction back: the change is then retried whole. A handler gets its answer
 * from `answers` when its read went along with the upsert.
 */
export async function announceScores(
  tx: Queryable,
  stored: ScoresStored,
  answers: AlongAnswers = new Map(),
): Promise<void> {
  await notifyChanged(
    tx,
    stored.site,
    stored.kind,
    stored.subjects.map((s) => s.id),
  );
  for (const entry of handlers.get(tx.database) ?? []) await entry.handler(tx, stored, answers.get(entry));
}
