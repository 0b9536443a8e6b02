import { asc, eq } from 'drizzle-orm';
import type { Database } from './db/client.ts';
import { type Site, sites } from './db/schema.ts';
import { newSecretKey, newSiteId, newVerificationSecret, newWriteKey, secretKeyId, secretMatches } from './keys.ts';

export interface CreatedSite {
  siteId: string;
  name: string;
  origins: string[];
  writeKey: string;
  /** Shown once: only its hash is stored. */
  secretKey: string;
  /** For identity verification: the site's server sends HMAC-SHA256(it, userId) as `user_hash`. */
  verificationSecret: string;
  /** Events older than this many days are deleted; null = the global setting (`collector/retention.ts`). */
  retentionDays: number | null;
}

/** A site as the admin API lists it (no secret). */
export interface SiteSummary {
  siteId: string;
  name: string;
  origins: string[];
  writeKey: string;
  createdAt: Date;
  retentionDays: number | null;
}

export function summarizeSite(s: Site): SiteSummary {
  return {
    siteId: s.id,
    name: s.name,
    origins: s.origins,
    writeKey: s.writeKey,
    createdAt: s.createdAt,
    retentionDays: s.retentionDays,
  };
}

export async function createSite(
  db: Database,
  name: string,
  origins: string[] = [],
  options: { retentionDays?: number | null } = {},
): Promise<CreatedSite> {
  const secret = newSecretKey();
  const row = {
    id: newSiteId(),
    name,
    origins,
    writeKey: newWriteKey(),
    secretKeyId: secret.id,
    secretKeyHash: secret.hash,
    verificationSecret: newVerificationSecret(),
    retentionDays: options.retentionDays ?? null,
  };
  await db.orm.insert(sites).values(row);
  return {
    siteId: row.id,
    name,
    origins,
    writeKey: row.writeKey,
    secretKey: secret.key,
    verificationSecret: row.verificationSecret,
    retentionDays: row.retentionDays,
  };
}

/**
 * Sets a site's event retention (validated by the caller: null or at least
 * `MIN_RETENTION_DAYS`); answers the site, or undefined when there is none.
 */
export async function setSiteRetention(
  db: Database,
  siteId: string,
  retentionDays: number | null,
): Promise<SiteSummary | undefined> {
  const [row] = await db.orm.update(sites).set({ retentionDays }).where(eq(sites.id, siteId)).returning();
  return row && summarizeSite(row);
}

export async function listSites(db: Database): Promise<Site[]> {
  return db.orm.select().from(sites).orderBy(asc(sites.createdAt), asc(sites.id));
}

export async function findSiteById(db: Database, id: string): Promise<Site | undefined> {
  const [row] = await db.orm.select().from(sites).where(eq(sites.id, id)).limit(1);
  return row;
}

export async function findSiteByWriteKey(db: Database, writeKey: string): Promise<Site | undefined> {
  const [row] = await db.orm.select().from(sites).where(eq(sites.writeKey, writeKey)).limit(1);
  return row;
}

/** Finds the site of a secret key, comparing hashes in constant time. */
export async function findSiteBySecretKey(db: Database, key: string): Promise<Site | undefined> {
  const id = secretKeyId(key);
  if (!id) return undefined;
  const [row] = await db.orm.select().from(sites).where(eq(sites.secretKeyId, id)).limit(1);
  return row && secretMatches(key, row.secretKeyHash) ? row : undefined;
}

export interface RotatedKeys {
  siteId: string;
  writeKey?: string;
  secretKey?: string;
  verificationSecret?: string;
}

/**
 * Replaces a site's write key, secret key and/or identity-verification secret; the old ones
 * stop working (a new verification secret also makes the pages' old `user_hash`es invalid).
 */
export async function rotateSiteKeys(
  db: Database,
  siteId: string,
  which: { write: boolean; secret: boolean; verification?: boolean },
): Promise<RotatedKeys | undefined> {
  const out: RotatedKeys = { siteId };
  const patch: Partial<Site> = {};
  if (which.write) patch.writeKey = out.writeKey = newWriteKey();
  if (which.secret) {
    const secret = newSecretKey();
    patch.secretKeyId = secret.id;
    patch.secretKeyHash = secret.hash;
    out.secretKey = secret.key;
  }
  if (which.verification) patch.verificationSecret = out.verificationSecret = newVerificationSecret();
  const updated = await db.orm.update(sites).set(patch).where(eq(sites.id, siteId)).returning({ id: sites.id });
  return updated.length ? out : undefined;
}

/** Whether a browser origin may talk to this site (empty list = any origin). */
export function originAllowed(site: Pick<Site, 'origins'>, origin: string): boolean {
  return site.origins.length === 0 || site.origins.includes('*') || site.origins.includes(origin);
}
