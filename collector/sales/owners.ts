import type { Database } from '../db/client.ts';
import { identityLockSql } from '../identity/locks.ts';
import { findPerson } from '../identity/persons.ts';
import { accountIdByRef } from './account-ref.ts';

/**
 * Owners set through the Sales API (`PUT /v1/accounts/:id`, `PUT /v1/people/:id`). Each runs
 * under the site's identity lock, the one merges take: the subject a reference names cannot
 * be merged away between finding it and writing its owner. Each answers the id written, or
 * undefined when the reference names nothing on the site.
 */

/** Sets (or, with null, clears) the owner of the account `ref` names (see `accountIdByRef`). */
export async function setAccountOwner(
  db: Database,
  siteId: string,
  ref: string,
  owner: string | null,
): Promise<string | undefined> {
  return db.transaction(async (tx) => {
    await tx.query(identityLockSql, [siteId]);
    const [row] = await tx.query<{ id: string }>(
      `update accounts set owner = $3, updated_at = now()
       where site_id = $1 and id = ${accountIdByRef('$1', '$2')} returning id`,
      [siteId, ref, owner],
    );
    return row?.id;
  });
}

/** Sets (or clears) the owner of the person `ref` names: person id, user id or anonymous id. */
export async function setPersonOwner(
  db: Database,
  siteId: string,
  ref: string,
  owner: string | null,
): Promise<string | undefined> {
  return db.transaction(async (tx) => {
    await tx.query(identityLockSql, [siteId]);
    const person = await findPerson(tx, siteId, ref);
    if (!person) return undefined;
    await tx.query('update persons set owner = $3, updated_at = now() where site_id = $1 and id = $2', [
      siteId,
      person.id,
      owner,
    ]);
    return person.id;
  });
}
