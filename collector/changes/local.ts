import type { Database } from '../db/client.ts';
import type { ScoreChange } from './change.ts';

type Sink = (change: ScoreChange) => void;

/** The open feeds of each database object of this process. */
const sinks = new WeakMap<Database, Set<Sink>>();

/** Hands a change `db` just committed to this process's feeds on it. */
export function publishCommitted(db: Database, change: ScoreChange): void {
  for (const sink of sinks.get(db) ?? []) sink(change);
}

/** Receives the changes committed through `db` in this process; answers the way to stop. */
export function receiveCommitted(db: Database, sink: Sink): () => void {
  let set = sinks.get(db);
  if (!set) {
    set = new Set();
    sinks.set(db, set);
  }
  set.add(sink);
  return () => {
    set.delete(sink);
  };
}
