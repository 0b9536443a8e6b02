import { createRequire } from 'node:module';
import { nanoid } from 'nanoid';
import type { Queryable } from '../db/client.ts';

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

/** A company domain from a `group` call's traits (`domain` or `website`), lowercase, without www. */
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
  return /^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(host) ? host : null;
}

export const newAccountId = () => `acc_${nanoid(16)}`;

/** The account of a work email domain, created on first sight. Call under the site's identity lock. */
export async function findOrCreateDomainAccount(tx: Queryable, siteId: string, domain: string): Promise<string> {
  const [found] = await tx.query<{ id: string }>('select id from accounts where site_id = $1 and domain = $2', [
    siteId,
    domain,
  ]);
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
 * The account of a `group` call: by group id; else an account already known by the group's
 * domain takes the group id; else a new one. Name and traits follow the latest call.
 */
export async function upsertGroupAccount(
  tx: Queryable,
  siteId: string,
  groupId: string,
  traits: Record<string, unknown>,
): Promise<string> {
  const name = typeof traits.name === 'string' && traits.name.trim() !== '' ? traits.name.trim().slice(0, 200) : null;
  const domain = domainOf(traits.domain ?? traits.website);
  const [byGroup] = await tx.query<{ id: string }>('select id from accounts where site_id = $1 and group_id = $2', [
    siteId,
    groupId,
  ]);
  let id = byGroup?.id;
  if (!id && domain) {
    const [byDomain] = await tx.query<{ id: string }>(
      'select id from accounts where site_id = $1 and domain = $2 and group_id is null',
      [siteId, domain],
    );
    id = byDomain?.id;
  }
  if (!id) {
    id = newAccountId();
    const taken = domain
      ? (await tx.query('select 1 from accounts where site_id = $1 and domain = $2', [siteId, domain])).length > 0
      : false;
    await tx.query('insert into accounts (site_id, id, group_id, domain, name) values ($1, $2, $3, $4, $5)', [
      siteId,
      id,
      groupId,
      taken ? null : domain,
      name,
    ]);
  }
  await tx.query(
    `update accounts set group_id = $3, name = coalesce($4, name), traits = traits || $5::text::jsonb, updated_at = now()
     where site_id = $1 and id = $2`,
    [siteId, id, groupId, name, JSON.stringify(traits)],
  );
  return id;
}
