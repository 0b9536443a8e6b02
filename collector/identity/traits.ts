import { ownerFromTraits } from '../../shared/owner.ts';
import type { Database, Queryable } from '../db/client.ts';
import { emailDomain, findOrCreateDomainAccount, isFreeMailDomain, ownerTraitSql } from './accounts.ts';

/**
 * What an `identify` call's traits do to its person: merged into the person's traits, a work
 * email names the account, an `owner` trait sets the owner. Inside the site's identity lock
 * (resolve.ts), or outside it when nothing needs creating (batch.ts).
 */

/** The email an identify names (`traits.email`, else a user id that is one) and its domain. */
function identifyEmail(traits: Record<string, unknown>, user: string | null) {
  const email = typeof traits.email === 'string' && emailDomain(traits.email) ? traits.email : user;
  return { email, domain: emailDomain(email) };
}

/**
 * `identify` traits for a person whose ids are already linked, outside the site's identity
 * lock: answers false, having changed nothing, when the traits would name an account that
 * does not exist yet (creating one needs the lock: the caller takes the locked path).
 */
export async function applyTraitsUnlocked(
  db: Database,
  siteId: string,
  personId: string,
  user: string | null,
  traits: Record<string, unknown>,
): Promise<boolean> {
  const { domain } = identifyEmail(traits, user);
  if (domain && !isFreeMailDomain(domain)) {
    const [row] = await db.query<{ account_id: string | null; known: boolean }>(
      `select p.account_id, exists (select 1 from accounts a where a.site_id = $1 and a.domain = $3) as known
         from persons p where p.site_id = $1 and p.id = $2`,
      [siteId, personId, domain],
    );
    if (!row || (!row.account_id && !row.known)) return false;
  }
  await db.transaction((tx) => applyTraits(tx, siteId, personId, user, traits));
  return true;
}

/**
 * `identify` traits: merged into the person's (the newest call wins); a work email names the
 * account; an `owner` trait sets the owner when its value changed (see `ownerTraitSql`).
 */
export async function applyTraits(
  tx: Queryable,
  siteId: string,
  personId: string,
  user: string | null,
  traits: Record<string, unknown>,
) {
  const { email, domain } = identifyEmail(traits, user);
  const owner = ownerFromTraits(traits);
  const rows = await tx.query<{ account_id: string | null }>(
    `update persons set traits = traits || $3::jsonb, email = coalesce($4, email),
       owner = ${ownerTraitSql('$3', '$5', '$6')}, updated_at = now()
     where site_id = $1 and id = $2 returning account_id`,
    [
      siteId,
      personId,
      JSON.stringify(traits ?? {}),
      domain ? email?.toLowerCase() : null,
      owner !== undefined,
      owner?.owner ?? null,
    ],
  );
  if (!domain || isFreeMailDomain(domain) || rows[0]?.account_id) return;
  await tx.query('update persons set account_id = $3 where site_id = $1 and id = $2', [
    siteId,
    personId,
    await findOrCreateDomainAccount(tx, siteId, domain),
  ]);
}

/**
 * A user id that is a work email names the person's account as an identify's would, when
 * they have none yet and no other email: server-side libraries often send
 * `track({ userId: 'jane@acme.com' })` with no identify. Under the site's identity lock
 * (resolve.ts).
 */
export async function applyUserIdEmail(tx: Queryable, siteId: string, personId: string, user: string) {
  const domain = emailDomain(user);
  if (!domain || isFreeMailDomain(domain)) return;
  const rows = await tx.query<{ account_id: string | null }>(
    `update persons set email = coalesce(email, $3), updated_at = now()
     where site_id = $1 and id = $2 and (email is null or email = $3) and account_id is null returning account_id`,
    [siteId, personId, user.toLowerCase()],
  );
  if (rows.length === 0) return;
  await tx.query('update persons set account_id = $3 where site_id = $1 and id = $2', [
    siteId,
    personId,
    await findOrCreateDomainAccount(tx, siteId, domain),
  ]);
}
