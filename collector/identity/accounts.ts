import { createRequire } from 'node:module';
import { nanoid } from 'nanoid';
import { OWNER_TRAIT, ownerFromTraits } from '../../shared/owner.ts';
import type { Queryable } from '../db/client.ts';
import { addAccountAlias, findAccountBy, findEmailDomainAccountOf, mergeAccounts } from './account-merge.ts';

// email-providers: a maintained list of free-mail and disposable domains (ISC).
const freeMail: ReadonlySet<string> = new Set(createRequire(import.meta.url)('email-providers/all.json') as string[]);

/** The lowercase domain of an email address, or null when it is not one. */
export function emailDomain(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const match = /^[^\s@]+@([a-z0-9-]+(\.[a-z0-9-]+)+)$/i.exec(value.trim());
  return match ? match[1]!.toLowerCase() : null;
}

/** Whether a domain is a free-mail provider (gmail.com, …): such a domain names no company. */
export function isFreeMailDomain(domain: string): boolean {
  return freeMail.has(domain.toLowerCase());
}

/**
 * A company domain, lowercase and without www: from a `group` call's `domain` or `website`
 * trait, or a group id that is one (`acme-corp.com`, `https://www.acme-corp.com/`). The last
 * label must hold a letter, so that numbers (`1.5`) and IP addresses name no company.
 */
export function domainOf(value: unknown): string | null {
  if (typeof value !== 'string' || value.trim() === '') return null;
  const raw = value.trim().toLowerCase();
  let host = raw;
  try {
    host = new URL(raw.includes('://') ? raw : `https://${raw}`).hostname;
  } catch {
    return null;
  }
  host = host.replace(/^www\./, '');
  return /^[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z0-9-]*[a-z][a-z0-9-]*$/.test(host) ? host : null;
}

/** The domain a group id is (`acme-corp.com`); an email address or a free-mail domain names no company. */
function groupIdDomain(groupId: string): string | null {
  const domain = groupId.includes('@') ? null : domainOf(groupId);
  return domain && !isFreeMailDomain(domain) ? domain : null;
}

/**
 * SQL for the owner an `update ... set traits = traits || <traits>` leaves on a person or an
 * account, with `traits` the placeholder of the call's traits (JSON text), `given` whether
 * they carry a usable `owner` trait and `owner` its value. The trait wins only when its value
 * differs from the one stored with the earlier traits: a client that resends the same traits
 * on every call (analytics.js does) never undoes an owner set by `PUT` since, while a new
 * value does. In a SET list `traits` is the row's value before the update.
 */
export const ownerTraitSql = (traits: string, given: string, owner: string) =>
  `case when ${given}::boolean and (traits -> '${OWNER_TRAIT}') is distinct from (${traits}::jsonb -> '${OWNER_TRAIT}')
     then ${owner}::text else owner end`;

export const newAccountId = () => `acc_${nanoid(16)}`;

/**
 * The account of a work email domain (its own, or the survivor of a merge that took it), created
 * on first sight. Call under the site's identity lock.
 */
export async function findOrCreateDomainAccount(tx: Queryable, siteId: string, domain: string): Promise<string> {
  const found = await findAccountBy(tx, siteId, 'domain', domain);
  if (found) return found.id;
  const id = newAccountId();
  await tx.query('insert into accounts (site_id, id, domain, name) values ($1, $2, $3, $4)', [
    siteId,
    id,
    domain,
    domain,
  ]);
  return id;
}

/**
 * The account of a `group` call. A group names its company by group id and, when its traits
 * carry `domain`/`website` or the group id is a domain, by that domain: one company, one
 * account. The account of the group id and that of the domain are one: when only one exists
 * it takes the other name (a work email's domain account takes the group id); when both
 * exist they are merged into the domain's account (see `mergeAccounts`). A group that names
 * no domain and has none takes its member's: when the member is in a work email's domain
 * account that no group has named yet, that account is the group's company, taken (a new
 * group id) or merged as above (a known one), rather than left behind emptied, a second
 * account of one company whose score falls to 0 (a false cooling alert). Name and traits follow
 * the latest call; an `owner` trait sets the owner when its value changed (see
 * `ownerTraitSql`). Answers the account and the accounts merged away.
 */
export async function upsertGroupAccount(
  tx: Queryable,
  siteId: string,
  groupId: string,
  traits: Record<string, unknown>,
  /** The person the call is about. */
  memberId: string,
): Promise<{ id: string; merged: string[] }> {
  const name = typeof traits.name === 'string' && traits.name.trim() !== '' ? traits.name.trim().slice(0, 200) : null;
  const named = domainOf(traits.domain) ?? domainOf(traits.website) ?? groupIdDomain(groupId);
  const byGroup = await findAccountBy(tx, siteId, 'group', groupId);
  // A group that names no domain and has none: its member's work email names it (see above).
  // (`byGroup` has a group id, so it is never that account.)
  const theirs = named || byGroup?.domain ? undefined : await findEmailDomainAccountOf(tx, siteId, memberId);
  const domain = named ?? theirs?.domain ?? null;
  const byDomain = named ? await findAccountBy(tx, siteId, 'domain', named) : theirs;
  const merged: string[] = [];
  let id = (byDomain ?? byGroup)?.id;
  if (byGroup && byDomain && byGroup.id !== byDomain.id) {
    await mergeAccounts(tx, siteId, byGroup, byDomain);
    merged.push(byGroup.id);
  }
  if (!id) {
    id = newAccountId();
    await tx.query('insert into accounts (site_id, id, group_id, domain, name) values ($1, $2, $3, $4, $5)', [
      siteId,
      id,
      groupId,
      domain,
      name,
    ]);
  }
  // Neither name can belong to another account here: both lookups above found this one or none.
  const owner = ownerFromTraits(traits);
  const [kept] = await tx.query<{ group_id: string | null; domain: string | null }>(
    `update accounts set group_id = coalesce(group_id, $3), domain = coalesce(domain, $4), name = coalesce($5, name),
       traits = traits || $6::jsonb, owner = ${ownerTraitSql('$6', '$7', '$8')}, updated_at = now()
     where site_id = $1 and id = $2 returning group_id, domain`,
    [siteId, id, groupId, domain, name, JSON.stringify(traits), owner !== undefined, owner?.owner ?? null],
  );
  // An account already known by another group id or domain keeps it; this one becomes an alias.
  if (kept?.group_id !== groupId) await addAccountAlias(tx, siteId, 'group', groupId, id);
  if (domain && kept?.domain !== domain) await addAccountAlias(tx, siteId, 'domain', domain, id);
  return { id, merged };
}
