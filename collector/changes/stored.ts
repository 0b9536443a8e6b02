import type { ScoringEvent } from '../../shared/scoring/index.ts';
import type { Database, Queryable } from '../db/client.ts';
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

/** Runs inside the transaction that stores the scores; what it writes commits with them. */
export type StoredScoresHandler = (tx: Queryable, stored: ScoresStored) => Promise<void>;

const handlers = new WeakMap<Database, Set<StoredScoresHandler>>();

/**
 * Registers `handler` for every score stored through `db` in this process (the alerts
 * evaluator: `app.ts`). Answers the way to stop.
 */
export function onScoresStored(db: Database, handler: StoredScoresHandler): () => void {
  let set = handlers.get(db);
  if (!set) {
    set = new Set();
    handlers.set(db, set);
  }
  set.add(handler);
  return () => {
    set.delete(handler);
  };
}

/**
 * Announces scores `tx` just stored: the notices (`notifyChanged`) of every subject, then
 * each handler registered for the database, in the same transaction, so what a handler
 * records (a rule firing) commits or rolls back with the scores. A handler that throws
 * rolls the transaction back: the change is then retried whole.
 */
export async function announceScores(tx: Queryable, stored: ScoresStored): Promise<void> {
  await notifyChanged(
    tx,
    stored.site,
    stored.kind,
    stored.subjects.map((s) => s.id),
  );
  for (const handler of handlers.get(tx.database) ?? []) await handler(tx, stored);
}
