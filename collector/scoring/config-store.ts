import {
  type CompiledConfig,
  compileConfig,
  defaultConfig,
  parseScoringConfig,
  type ScoringConfig,
} from '../../shared/scoring/index.ts';
import type { Database } from '../db/client.ts';

/**
 * Each site's scoring model: its `site_configs` row, or `defaultConfig` without one. Compiled
 * models are kept for `ttlMs`, so a change made on another instance applies within that time
 * (this instance forgets its copy at once when it saves).
 */
export interface ConfigStore {
  config(siteId: string): Promise<ScoringConfig>;
  model(siteId: string): Promise<CompiledConfig>;
  /** Stores a validated config (from `parseScoringConfig`). */
  save(siteId: string, config: ScoringConfig): Promise<void>;
}

export function createConfigStore(db: Database, ttlMs = 5000): ConfigStore {
  const cache = new Map<string, { model: CompiledConfig; text: string; until: number }>();

  const model = async (siteId: string) => {
    const hit = cache.get(siteId);
    if (hit && hit.until > Date.now()) return hit.model;
    const config = await loadSiteConfig(db, siteId);
    // The same config keeps its compiled model (the same object): what is held per model
    // (parsed signals, evaluations between roll-ups) stays valid past the refresh.
    const text = JSON.stringify(config);
    const compiled = hit?.text === text ? hit.model : compileConfig(config);
    if (cache.size > 10_000) cache.clear();
    cache.set(siteId, { model: compiled, text, until: Date.now() + ttlMs });
    return compiled;
  };

  return {
    model,
    async config(siteId) {
      return (await model(siteId)).config;
    },
    async save(siteId, config) {
      await saveSiteConfig(db, siteId, config);
      cache.delete(siteId);
    },
  };
}

/** A site's stored model, or the default. A stored model the schema no longer accepts falls back too. */
export async function loadSiteConfig(db: Database, siteId: string): Promise<ScoringConfig> {
  const [row] = await db.query<{ config: unknown }>('select config from site_configs where site_id = $1', [siteId]);
  if (!row) return defaultConfig;
  const parsed = parseScoringConfig(row.config);
  return parsed.ok ? parsed.config : defaultConfig;
}

export async function saveSiteConfig(db: Database, siteId: string, config: ScoringConfig): Promise<void> {
  await db.query(
    `insert into site_configs (site_id, config, updated_at) values ($1, $2::jsonb, now())
     on conflict (site_id) do update set config = excluded.config, updated_at = excluded.updated_at`,
    [siteId, JSON.stringify(config)],
  );
}
