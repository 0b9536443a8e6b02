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
 * change did not run (or was cut short by a crash) is scored from their events again. The
 * config is read with its object keys sorted: the same config spelled in another key order
 * (the default object, the same config parsed from a `PUT /v1/config`) is the same model.
 */
export function modelKey(model: CompiledConfig): string {
  let key = keys.get(model);
  if (key === undefined) {
    key = createHash('sha256')
      .update(`${DERIVATION}:${JSON.stringify(sortedKeys(model.config))}`)
      .digest('base64url')
      .slice(0, 22);
    keys.set(model, key);
  }
  return key;
}

/** `value` with the keys of every object in it in sorted order (arrays keep theirs). */
function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = sortedKeys((value as Record<string, unknown>)[key]);
  return out;
}
