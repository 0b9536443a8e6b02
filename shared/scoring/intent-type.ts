import { type CompiledConfig, resolveModel, type ScoringModel } from './compile.ts';
import type { IntentClass, IntentType } from './types.ts';

/** The classes a type can be, in tie-break order. */
export const INTENT_CLASSES = ['buying', 'partnership', 'support', 'job_seeker'] as const;

/** Points of evidence per intent class (neutral signals are not evidence). */
export type IntentEvidence = Record<(typeof INTENT_CLASSES)[number], number>;

/** Only the start of a long message is read: keywords that matter come early, and cost stays bounded. */
const MAX_TEXT = 2000;

/**
 * The intent a chat message's text expresses: the class with the most keyword hits
 * (whole words, case-insensitive), ties broken in the order buying, partnership, support,
 * job_seeker; null when no keyword occurs.
 * @example classifyChatText('Can I get a quote for 40 seats?', model) // 'buying'
 */
export function classifyChatText(text: unknown, model: ScoringModel): IntentClass | null {
  if (typeof text !== 'string' || text === '') return null;
  const { chatKeywords } = resolveModel(model);
  const hits: IntentEvidence = { buying: 0, partnership: 0, support: 0, job_seeker: 0 };
  let any = false;
  for (const word of text
    .slice(0, MAX_TEXT)
    .toLowerCase()
    .split(/[^a-z0-9]+/)) {
    const cls = chatKeywords.get(word);
    if (cls) {
      hits[cls]++;
      any = true;
    }
  }
  return any ? strongest(hits) : null;
}

/**
 * A person's type: the intent class with the most evidence (recency- and frequency-weighted
 * level points of its signals), or `unknown` below `intentType.minEvidence`.
 */
export function intentTypeOf(evidence: IntentEvidence, model: CompiledConfig): IntentType {
  const best = strongest(evidence);
  return evidence[best] > 0 && evidence[best] >= model.config.intentType.minEvidence ? best : 'unknown';
}

function strongest(counts: IntentEvidence): (typeof INTENT_CLASSES)[number] {
  let best: (typeof INTENT_CLASSES)[number] = INTENT_CLASSES[0];
  for (const cls of INTENT_CLASSES) if (counts[cls] > counts[best]) best = cls;
  return best;
}
