import { type CompiledConfig, type PackedHit, type SignalHit, unpackHits } from '../../shared/scoring/index.ts';

/**
 * Contacts' stored signals as this process last parsed them. The roll-up of a large account
 * reads every contact's signals on each event of one of them, and all but that one come
 * back as the same text as the time before: that text is parsed (and unpacked under a model)
 * once. An entry is used only when the text read now equals the text it was parsed from, so
 * it is never stale, whoever wrote the row. Bounded: the least recently used go first.
 */

const LIMIT = 20_000;
const parsed = new Map<string, { text: string; packed: PackedHit[] }>();

/** The packed signals of `text` (a `person_scores.hits` value) for the person `key`, or undefined if not cached. */
export function cachedHits(key: string, text: string): PackedHit[] | undefined {
  const entry = parsed.get(key);
  if (!entry || entry.text !== text) return undefined;
  // Most recently used last.
  parsed.delete(key);
  parsed.set(key, entry);
  return entry.packed;
}

/** Remembers what `text` parsed to for the person `key`. */
export function rememberHits(key: string, text: string, packed: PackedHit[]): void {
  parsed.delete(key);
  parsed.set(key, { text, packed });
  if (parsed.size > LIMIT) {
    const oldest = parsed.keys().next().value;
    if (oldest !== undefined) parsed.delete(oldest);
  }
}

const unpacked = new WeakMap<readonly PackedHit[], { model: CompiledConfig; hits: SignalHit[] }>();

/**
 * `unpackHits`, remembered per packed array and model: a cached contact's signals are the same
 * array on the next roll-up, so they are rebuilt only when the model changes.
 */
export function unpackCached(packed: readonly PackedHit[], model: CompiledConfig): SignalHit[] {
  const entry = unpacked.get(packed);
  if (entry && entry.model === model) return entry.hits;
  const hits = unpackHits(packed, model);
  unpacked.set(packed, { model, hits });
  return hits;
}
