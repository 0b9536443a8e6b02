import { type CompiledConfig, type PackedHit, type SignalHit, unpackHits } from '../../shared/scoring/index.ts';

/**
 * A contact's stored signals (`person_scores.hits`) as a roll-up reads them back, parsed and
 * rebuilt once per stored text: an event of one contact of a large account rolls up every
 * contact, and all but that one read back the same text as last time. Keyed by the text
 * itself, so nothing can go stale; the first `MAX_TEXTS` texts are kept, oldest dropped first.
 * The arrays answered are shared, and frozen: changing one throws.
 */

/**
 * A text of five signals takes about 1.5 KB parsed and rebuilt, and the evaluations the
 * roll-up holds for it (shared/scoring/held.ts) about 2.7 KB more: 5,000 texts, about 20 MB.
 */
const MAX_TEXTS = 5_000;
const parsed = new Map<string, PackedHit[]>();
const rebuilt = new WeakMap<PackedHit[], { model: CompiledConfig; hits: SignalHit[] }>();

/** `JSON.parse` of a stored signals text, once per text. */
export function parseHits(text: string): PackedHit[] {
  let packed = parsed.get(text);
  if (packed === undefined) {
    packed = Object.freeze(JSON.parse(text)) as PackedHit[];
    if (parsed.size >= MAX_TEXTS) parsed.delete(parsed.keys().next().value as string);
    parsed.set(text, packed);
  }
  return packed;
}

/** `unpackHits(packed, model)`, once per parsed array and model. */
export function unpackedHits(packed: PackedHit[], model: CompiledConfig): SignalHit[] {
  const known = rebuilt.get(packed);
  if (known?.model === model) return known.hits;
  const hits = Object.freeze(unpackHits(packed, model)) as SignalHit[];
  rebuilt.set(packed, { model, hits });
  return hits;
}
