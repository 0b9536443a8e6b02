import { createHash } from 'node:crypto';
import type { Fold, ScoringEvent } from '../../shared/scoring/index.ts';
import type { EventRow } from '../db/event-row.ts';
import { isJunkId } from '../identity/junk-ids.ts';
import { toScoringEvent } from './events.ts';

/**
 * A person's derivation carried from one scoring to the next (`person_scores.fold`): where
 * `foldSignals` stands after their events, and whose events those were (`ids`, a fingerprint
 * of their user id and anonymous ids). A group of new events is folded on only while both
 * still hold; otherwise the person is derived again from their events.
 */
export interface StoredFold {
  ids: string;
  fold: Fold;
}

/**
 * A group of ingest's rows: those it stored now, and those it was sent again (repeats of
 * stored messages, which a crash may have left unscored: a person with one of them is
 * derived from their events).
 */
export interface GroupRows {
  stored: readonly EventRow[];
  repeated: readonly EventRow[];
}

/** Whose events a person's are (`PERSON_EVENTS` in events.ts): their user id and anonymous ids. */
export interface Owner {
  userId: string | null;
  anonymousIds: readonly string[];
}

/** The fingerprint of whose events a person's are: it changes with any link, merge or new user id. */
export function ownerKey(owner: Owner): string {
  return createHash('sha256')
    .update(JSON.stringify([owner.userId, [...owner.anonymousIds].sort()]))
    .digest('base64url')
    .slice(0, 22);
}

/**
 * The rows of `rows` that are the person's events, as scoring takes them: the same rule as
 * `PERSON_EVENTS` (their user id; or one of their anonymous ids with no user id, theirs, or a
 * junk one).
 */
export function eventsOwnedBy(owner: Owner, rows: readonly EventRow[]): ScoringEvent[] {
  const anons = new Set(owner.anonymousIds);
  const out: ScoringEvent[] = [];
  for (const r of rows) {
    const mine =
      (owner.userId !== null && r.user_id === owner.userId) ||
      (r.anonymous_id !== null &&
        anons.has(r.anonymous_id) &&
        (r.user_id === null || r.user_id === owner.userId || isJunkId(r.user_id)));
    // As scoring reads the stored row back (`loadEventsOfPersons`).
    if (mine)
      out.push(toScoringEvent({ ...r, type: r.type as ScoringEvent['type'], timestamp: new Date(r.timestamp) }));
  }
  return out;
}
