import type { Intent } from '../shared/intent.ts';
import { doc, getItem, safe, setItem } from './env.ts';

export type { Intent };

/**
 * localStorage: the last intent the collector told this browser, applied at once on the
 * next page. The head snippet (sdk/snippet.ts) reads its `tier` before the first paint.
 */
export const INTENT_KEY = 'ink_t';

// Properties ending in `_` are internal: the build shortens them.
export interface Personalizer {
  /**
   * Applies an intent, or the ingest answer that carries one (anything without a tier is
   * ignored), when it changed: stores it for the next page, sets the `<html>` classes, then
   * calls the callbacks. Never throws.
   */
  set_(answer: unknown): void;
  /** Calls `cb` with the intent at once when known, and again whenever it changes. */
  on_(cb: (intent: Intent) => void): void;
  /** A visitor who may not be tracked: the low tier's and unknown type's classes; nothing is stored or called. */
  low_(): void;
}

/**
 * The page side of personalization. It only sets `inkling-tier-<tier>` and
 * `inkling-type-<type>` on `<html>` (replacing the previous ones); the head snippet's CSS
 * shows and hides the `data-inkling-show` / `data-inkling-hide` elements from those
 * classes. The cached intent applies as soon as this is created.
 */
export function createPersonalizer(): Personalizer {
  const h = doc?.documentElement;
  const callbacks: ((intent: Intent) => void)[] = [];
  // The intent applied, as stored.
  let last: string | undefined;

  // `inkling-t` starts both class families.
  const put = (tier: string, type: string) => {
    h.className = `${h.className.replace(/ ?inkling-t\S+/g, '')} inkling-tier-${tier} inkling-type-${type}`;
  };
  const set = (a: Intent & { intent?: Intent }) => {
    const i = a.intent || a;
    const s = JSON.stringify(i);
    if (i.tier && s !== last) {
      last = s;
      setItem(INTENT_KEY, s);
      put(i.tier, i.type);
      for (const cb of callbacks) safe(cb)(i);
    }
  };
  safe(() => set(JSON.parse(getItem(INTENT_KEY) as string)))();

  return {
    set_: safe(set) as (answer: unknown) => void,
    on_(cb) {
      callbacks.push(cb);
      if (last) cb(JSON.parse(last));
    },
    low_: () => put('low', 'unknown'),
  };
}
