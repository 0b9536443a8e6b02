import { LINK_PARAM } from '../shared/links.ts';
import { loc, nav, off } from './env.ts';

export interface PrivacyState {
  key?: string | null;
  /** undefined until the site calls `consent`; false = store and send nothing. */
  consent?: boolean;
  /** Honour Do Not Track and Global Privacy Control. @default true */
  respectDnt?: boolean | string;
}

/**
 * Truthy for every reason not to store or send anything, in one place: no write key, consent
 * withdrawn, Do Not Track / Global Privacy Control (unless the site opted out of honouring
 * them, or the visitor explicitly consented on this site), or a browser driven by
 * automation (`navigator.webdriver`: test runners and headless crawlers).
 */
export function blocked(s: PrivacyState): unknown {
  const n = nav as Navigator & { globalPrivacyControl?: boolean };
  return (
    !s.key ||
    s.consent === false ||
    (s.consent !== true && !off(s.respectDnt) && (n.doNotTrack === '1' || n.globalPrivacyControl)) ||
    n.webdriver
  );
}

/**
 * The URL, absolute, without the stripped query parameters (and never the tracked-link
 * one, `LINK_PARAM`: read on landing, stripped from the address bar and every URL sent). A query with nothing to strip is not re-encoded.
 */
export function clean(url: string, strip: string[]): string {
  try {
    const u = new URL(url, loc.href);
    const q = u.searchParams;
    for (const p of [LINK_PARAM, ...strip]) if (q.has(p)) q.delete(p);
    return u.href;
  } catch {
    return url;
  }
}
