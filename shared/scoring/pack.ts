import { type CompiledConfig, toSignal } from './compile.ts';
import type { IntentClass, SignalHit } from './types.ts';

/**
 * A signal hit as stored per person for the account rollup: only what the model cannot
 * rebuild from the config (label, category, level and points come from the signal's
 * definition and the intent). `[at (epoch ms), signal id, intent, derived (0|1)]`.
 */
export type PackedHit = [at: number, signal: string, intent: string, derived: 0 | 1];

/** The compact form of `hits`, in the same order. */
export function packHits(hits: readonly SignalHit[]): PackedHit[] {
  return hits.map((h) => [h.at, h.signal, h.intent, h.derived ? 1 : 0]);
}

/**
 * The hits `packHits` stored, rebuilt under `model` (their `eventId` is empty: a rollup does
 * not read it). A signal the config no longer defines is left out; the collector rescores
 * every person when the config changes, so that only happens in between.
 */
export function unpackHits(packed: readonly PackedHit[], model: CompiledConfig): SignalHit[] {
  const out: SignalHit[] = [];
  for (const [at, id, intent, derived] of packed) {
    const def = model.signals.get(id);
    if (!def) continue;
    const { signal, label, category, level, points } = toSignal(model, def, intent as IntentClass);
    out.push({
      signal,
      label,
      category,
      level,
      intent: intent as IntentClass,
      points,
      at,
      eventId: '',
      derived: derived === 1,
    });
  }
  return out;
}
