import { type CompiledConfig, toSignal } from '../scoring/compile.ts';
import type { IntentClass, SignalHit } from '../scoring/types.ts';

/**
 * A subject's signals kept between reading and scoring, in typed arrays: its times and one
 * code per hit into a shared table of (signal, intent, derived). About 10 bytes a hit, where a
 * `SignalHit` object is ten times that: the report keeps every person's hits of a large site.
 */
export interface CompactHits {
  at: Float64Array;
  code: Uint16Array;
}

/** The (signal, intent, derived) triples that codes point at, shared by every subject of one report. */
export class HitCodes {
  private readonly codes = new Map<string, number>();
  readonly entries: { signal: string; intent: IntentClass; derived: boolean }[] = [];

  pack(hits: readonly SignalHit[]): CompactHits {
    const at = new Float64Array(hits.length);
    const code = new Uint16Array(hits.length);
    hits.forEach((h, i) => {
      at[i] = h.at;
      code[i] = this.codeOf(h);
    });
    return { at, code };
  }

  /** The hits rebuilt under `model` (points by the model's own rule; `eventId` empty): see `repoint`. */
  unpack(compact: CompactHits, model: CompiledConfig): SignalHit[] {
    const out: SignalHit[] = [];
    for (let i = 0; i < compact.at.length; i++) {
      const entry = this.entries[compact.code[i]!]!;
      const def = model.signals.get(entry.signal);
      if (!def) continue;
      out.push({ ...toSignal(model, def, entry.intent), at: compact.at[i]!, eventId: '', derived: entry.derived });
    }
    return out;
  }

  private codeOf(h: SignalHit): number {
    const key = `${h.signal}\u0001${h.intent}\u0001${h.derived ? 1 : 0}`;
    let code = this.codes.get(key);
    if (code === undefined) {
      code = this.entries.length;
      if (code > 0xffff) throw new Error('more than 65,536 distinct signals');
      this.codes.set(key, code);
      this.entries.push({ signal: h.signal, intent: h.intent, derived: h.derived });
    }
    return code;
  }
}
