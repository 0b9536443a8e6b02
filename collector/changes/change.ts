/**
 * Score changes are announced on this channel from inside the transaction that makes them,
 * so PostgreSQL delivers them to every collector process only once that transaction
 * commits; the process that made them also hands them to its own subscribers right after
 * the commit (see `feed.ts`).
 */
export const INTENT_CHANNEL = 'inkling_intent';

/** `anonymous`: these anonymous ids now lead to a (different) scored person. */
export type SubjectKind = 'person' | 'account' | 'anonymous';

/** What one notice says: these subjects of this site changed (or are gone). */
export interface ScoreChange {
  site: string;
  kind: SubjectKind;
  ids: string[];
}
