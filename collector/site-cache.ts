import type { Database } from './db/client.ts';
import type { Site } from './db/schema.ts';
import { hashSecret, isWriteKeyShaped } from './keys.ts';
import { findSiteBySecretKey, findSiteByWriteKey } from './sites.ts';

/**
 * Write-key (and secret-key) lookups on every ingest request are served from memory for `ttlMs`; a
 * rotated or deleted key therefore stops working within that time on every instance.
 * Unknown keys cost no database work: a key not shaped like a write key is refused
 * without a lookup, and a well-shaped unknown one is looked up once, then remembered as
 * unknown for `missTtlMs` (at most `maxMisses` of them, oldest out). Concurrent lookups
 * of one key share one query.
 */
export interface SiteCache {
  byWriteKey(key: string): Promise<Site | undefined>;
  /** The site of a secret key (`sk_...`, server-side senders), remembered by the key's hash. */
  bySecretKey(key: string): Promise<Site | undefined>;
  /** Whether any site accepts this browser origin (answers CORS preflights). */
  originKnown(origin: string): Promise<boolean>;
  clear(): void;
}

export interface SiteCacheOptions {
  /** @default 10000 */
  ttlMs?: number;
  /** How long an unknown (well-shaped) key is refused without a lookup. @default 60000 */
  missTtlMs?: number;
  /** @default 10000 */
  maxMisses?: number;
  /** The database lookup (a test counts its calls). @default findSiteByWriteKey */
  find?: (db: Database, key: string) => Promise<Site | undefined>;
}

export function createSiteCache(db: Database, options: SiteCacheOptions = {}): SiteCache {
  const { ttlMs = 10_000, missTtlMs = 60_000, maxMisses = 10_000, find = findSiteByWriteKey } = options;
  const sites = new Map<string, { site: Site; until: number }>();
  // Apart from the known keys, so a flood of unknown keys cannot push the known ones out.
  const misses = new Map<string, number>();
  const looking = new Map<string, Promise<Site | undefined>>();
  const secrets = new Map<string, { site: Site | undefined; until: number }>();
  const origins = new Map<string, { ok: boolean; until: number }>();
  const MAX = 10_000;

  async function lookUp(key: string, now: number): Promise<Site | undefined> {
    const site = await find(db, key);
    if (site) {
      if (sites.size >= MAX) sites.clear();
      sites.set(key, { site, until: now + ttlMs });
    } else {
      if (misses.size >= maxMisses) misses.delete(misses.keys().next().value as string);
      misses.set(key, now + missTtlMs);
    }
    return site;
  }

  return {
    async byWriteKey(key) {
      if (!isWriteKeyShaped(key)) return undefined;
      const now = Date.now();
      const hit = sites.get(key);
      if (hit && hit.until > now) return hit.site;
      const missUntil = misses.get(key);
      if (missUntil !== undefined) {
        if (missUntil > now) return undefined;
        misses.delete(key);
      }
      const pending = looking.get(key);
      if (pending) return pending;
      const lookup = lookUp(key, now).finally(() => looking.delete(key));
      looking.set(key, lookup);
      return lookup;
    },
    async bySecretKey(key) {
      const now = Date.now();
      // Why the hash: the key itself is never kept, not even in memory.
      const id = hashSecret(key);
      const hit = secrets.get(id);
      if (hit && hit.until > now) return hit.site;
      const site = await findSiteBySecretKey(db, key);
      if (secrets.size >= MAX) secrets.clear();
      secrets.set(id, { site, until: now + (site ? ttlMs : 1000) });
      return site;
    },
    async originKnown(origin) {
      const now = Date.now();
      const hit = origins.get(origin);
      if (hit && hit.until > now) return hit.ok;
      const rows = await db.query(
        `select 1 from sites where cardinality(origins) = 0 or $1 = any(origins) or '*' = any(origins) limit 1`,
        [origin],
      );
      if (origins.size >= MAX) origins.clear();
      origins.set(origin, { ok: rows.length > 0, until: now + ttlMs });
      return rows.length > 0;
    },
    clear() {
      sites.clear();
      misses.clear();
      secrets.clear();
      origins.clear();
    },
  };
}
