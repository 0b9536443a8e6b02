import type { Queryable } from '../db/client.ts';

/**
 * The site's identity lock: every change to a site's identity graph that can move an
 * existing anonymous id, link a user or create an account is made under it (message by
 * message, `resolve.ts`), and so is an erasure (`sales/erase.ts`). Creating new anonymous
 * visitors does not take it (see `lockAnonymousIds`).
 */
export const identityLockSql = `select pg_advisory_xact_lock(hashtext($1 || ':identity'))`;

/**
 * Takes the locks of these anonymous ids of a site, for the rest of the transaction: the
 * one thing the creation of new visitors (`batch.ts`, without the site lock) and the
 * message-by-message path (under it) must not do at once is insert the same anonymous id.
 * Both take these before inserting one. Keys are `(hashtext(site), hashtext(id))` in the
 * two-key space of advisory locks, which no other lock of the project uses, taken in ascending
 * order (distinct: ids of equal hash share one), so two holders of several never deadlock.
 */
export async function lockAnonymousIds(q: Queryable, siteId: string, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  // With the next statement (`later`): it runs once they are held.
  await q.later(
    `select pg_advisory_xact_lock(s, k) from (
       select distinct hashtext($1) as s, hashtext(a) as k from unnest($2::text[]) as a order by k
     ) t`,
    [siteId, ids],
  );
}
