import type { Database } from '../db/client.ts';
import type { Logger } from '../log.ts';
import { type Periodic, startPeriodic } from '../periodic.ts';
import type { ConfigStore } from '../scoring/config-store.ts';
import { rescore } from '../scoring/rescore.ts';
import { recoverUnscored } from './recover.ts';

export type RescoreTimer = Periodic;

/**
 * Every `intervalMs` (unref'd: it never keeps the process alive) recovers the events left
 * unscored by a crash (older than the grace period: any collector's leftovers), then runs
 * `rescore` for due scores.
 */
export function startRescoreTimer(
  db: Database,
  configs: ConfigStore,
  log: Logger,
  intervalMs = 60_000,
  /** See `recoverUnscored`. @default RECOVER_GRACE_MS */
  recoverGraceMs?: number,
): RescoreTimer {
  return startPeriodic(async () => {
    // Each step runs even when the other fails.
    await recoverUnscored(db, configs, { graceMs: recoverGraceMs })
      .then((recovered) => {
        if (recovered.events) log.warn('scored events a crash left unscored', { ...recovered });
      })
      .catch((err) => log.error('recovering unscored events failed', { err }));
    await rescore(db, configs)
      .then((r) => {
        if (r.persons || r.accounts) log.info('rescored', { ...r });
      })
      .catch((err) => log.error('rescore failed', { err }));
  }, intervalMs);
}
