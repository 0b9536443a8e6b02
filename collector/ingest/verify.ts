import type { EventRow } from '../db/event-row.ts';
import type { Site } from '../db/schema.ts';
import { userHashMatches } from '../keys.ts';

/** The trait (or context field) that carries identity verification, as Intercom names it. */
export const USER_HASH = 'user_hash';

/**
 * Decides whether what a message says about identity is trusted, and strips its `user_hash`
 * (never stored). Trusted: sent with the secret key (a server), or a message whose user id
 * comes with a valid `user_hash` (`traits.user_hash` or `context.user_hash`: the hex
 * HMAC-SHA256 of the user id under the site's verification secret), or one with no user id.
 */
export function markVerified(row: EventRow, site: Pick<Site, 'verificationSecret'>, trusted: boolean): EventRow {
  const hash = row.traits[USER_HASH] ?? row.context[USER_HASH];
  if (USER_HASH in row.traits) {
    const { [USER_HASH]: _, ...traits } = row.traits;
    row.traits = traits;
  }
  if (USER_HASH in row.context) {
    const { [USER_HASH]: _, ...context } = row.context;
    row.context = context;
  }
  const secret = site.verificationSecret;
  row.verified = trusted || row.user_id === null || (secret !== null && userHashMatches(secret, row.user_id, hash));
  return row;
}
