import { parseDuration } from './duration.ts';
import type { RuleDefinition } from './types.ts';

/** What a rule remembers of a subject's earlier counted firings. */
export interface CapState {
  /** Counted firings in all (fired and held out). */
  count: number;
  /** Epoch ms of recent counted firings. */
  recent: readonly number[];
}

/**
 * Whether one more firing at `now` goes over the cap: `lifetime` counted firings in all, or
 * `max` (1 when only `within` is given) within the last `within`.
 */
export function isCapped(cap: RuleDefinition['cap'], state: CapState, now: number): boolean {
  if (!cap) return false;
  if (cap.lifetime !== undefined && state.count >= cap.lifetime) return true;
  const window = cap.within ? parseDuration(cap.within) : null;
  if (window === null) return false;
  const max = cap.max ?? 1;
  return state.recent.filter((at) => at > now - window).length >= max;
}

/** The recent firings to keep after counting one at `now`: those the window can still see. */
export function recordFiring(cap: RuleDefinition['cap'], state: CapState, now: number): CapState {
  const window = cap?.within ? parseDuration(cap.within) : null;
  const recent = window === null ? [] : [...state.recent.filter((at) => at > now - window), now];
  return { count: state.count + 1, recent };
}
