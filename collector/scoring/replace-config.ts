import { type ConfigIssue, parseScoringConfig, type ScoringConfig } from '../../shared/scoring/index.ts';
import type { Database } from '../db/client.ts';
import type { ConfigStore } from './config-store.ts';
import { type RescoreResult, rescore } from './rescore.ts';

export type ReplaceConfigResult =
  | { ok: true; config: ScoringConfig; rescored: RescoreResult }
  | { ok: false; issues: ConfigIssue[] };

/**
 * Replaces a site's scoring model: validates `body` (a whole config), stores it, then rescores
 * every person and account of the site before answering, so no stored score is left under the
 * old model. The one way a model changes: `PUT /v1/config` and the dashboard's "Apply this
 * proposal" both call it. An invalid body stores nothing and answers its issues.
 */
export async function replaceConfig(
  db: Database,
  configs: ConfigStore,
  siteId: string,
  body: unknown,
): Promise<ReplaceConfigResult> {
  const parsed = parseScoringConfig(body);
  if (!parsed.ok) return { ok: false, issues: parsed.issues };
  await configs.save(siteId, parsed.config);
  const rescored = await rescore(db, configs, { siteId, all: true });
  return { ok: true, config: parsed.config, rescored };
}
