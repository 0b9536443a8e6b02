import { doc, getItem, loc, setItem, uid } from './env.ts';
import { INTENT_KEY } from './personalize.ts';

/** Storage names: the anonymous id (cookie and localStorage) and the known user id. */
const AID = 'ink_aid';
const UID = 'ink_uid';

// Properties ending in `_` are internal: the build shortens them (esbuild mangleProps).
export interface Identity {
  /** The anonymous id, created and stored on first use. */
  anonymousId_(): string;
  userId_(): string | undefined;
  setUserId_(id?: string): void;
  /**
   * Forgets the user, the anonymous id and its cached intent, in memory and in storage
   * (logout, consent withdrawn); the next message starts a fresh anonymous id.
   */
  forget_(): void;
}

/**
 * The visitor's ids. The anonymous id lives in a first-party cookie (1 year, SameSite=Lax,
 * optional domain so that subdomains share it) with a localStorage copy as fallback; the
 * cookie wins when they disagree. Nothing is written before the first message, so a
 * visitor who may not be tracked never gets a cookie.
 */
export function createIdentity(cookieDomain?: string | null): Identity {
  let aid: string | undefined;
  // In memory too, so that a page with storage disabled keeps its user for the visit.
  let user = getItem(UID) || undefined;

  // (doc.cookie throws only in a sandboxed frame; the caller's guard then drops the event.)
  const store = (id?: string) => {
    aid = id;
    doc.cookie = `${AID}=${id || ''};path=/;max-age=${id ? 31_536_000 : 0};SameSite=Lax${
      cookieDomain ? `;domain=${cookieDomain}` : ''
    }${loc.protocol === 'https:' ? ';Secure' : ''}`;
    setItem(AID, id);
  };
  const setUser = (id?: string) => {
    user = id;
    setItem(UID, id);
  };

  return {
    // Storing again refreshes the cookie's year and repairs a missing copy.
    anonymousId_() {
      if (!aid) store(doc.cookie.match(/(^|; )ink_aid=(\w+)/)?.[2] || getItem(AID) || uid());
      return aid as string;
    },
    userId_: () => user,
    setUserId_: setUser,
    forget_() {
      setUser();
      store();
      setItem(INTENT_KEY);
    },
  };
}
