import type { Database } from './db/client.ts';
import type { Site } from './db/schema.ts';
import { findSiteByWriteKey } from './sites.ts';

/**
 * Write-key lookups on every ingest request are served from memory for `ttlMs`; a
 * rotated or deleted key therefore stops working within that time on every instance.
 */
export interface SiteCache {
  byWriteKey(key: string): Promise<Site | undefined>;
  /** Whether any site accepts this browser origin (answers CORS preflights). */
  originKnown(origin: string): Promise<boolean>;
  clear(): void;
}

export function createSiteCache(db: Database, ttlMs = 10_000): SiteCache {
  const sites = new Map<string, { site: Site | undefined; until: number }>();
  const origins = new Map<string, { ok: boolean; until: number }>();
  const MAX = 10_000;

  return {
    async byWriteKey(key) {
      // No key holds NUL, and PostgreSQL refuses it in text: not a database error, an unknown key.
      if (key.includes('\u0000')) return undefined;
      const now = Date.now();
      const hit = sites.get(key);
      if (hit && hit.until > now) return hit.site;
      const site = await findSiteByWriteKey(db, key);
      if (sites.size >= MAX) sites.clear();
      // Unknown keys are remembered briefly so a misconfigured client cannot hammer the database.
      sites.set(key, { site, until: now + (site ? ttlMs : 1000) });
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
      origins.clear();
    },
  };
}
