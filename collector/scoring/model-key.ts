import { createHash } from 'node:crypto';
import type { CompiledConfig } from '../../shared/scoring/index.ts';

const keys = new WeakMap<CompiledConfig, string>();

/**
 * Part of every key: raise it when a change of the code changes which signals the same
 * events and config give (`collectSignals`), so that signals stored before are derived again.
 */
const DERIVATION = 1;

/**
 * A short fingerprint of the config a model was compiled from, stored with the signals it
 * derived (`person_scores.model`): stored signals are reused only under the model that
 * derived them. A changed config gets a new key, so a person whose rescore after a config
 * change did not run (or was cut short by a crash) is scored from their events again.
 */
export function modelKey(model: CompiledConfig): string {
  let key = keys.get(model);
  if (key === undefined) {
    key = createHash('sha256')
      .update(`${DERIVATION}:${JSON.stringify(model.config)}`)
      .digest('base64url')
      .slice(0, 22);
    keys.set(model, key);
  }
  return key;
}
