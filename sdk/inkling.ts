import { MAX_MESSAGE_BYTES } from '../shared/limits.ts';
import { LINK_LANDED, LINK_PARAM } from '../shared/links.ts';
import type { Message, MessageType } from '../shared/messages.ts';
import { autocapture } from './autocapture.ts';
import { bytes, doc, getItem, loc, nav, off, on, safe, uid, win } from './env.ts';
import { createIdentity } from './identity.ts';
import { createPersonalizer, INTENT_KEY, type Intent } from './personalize.ts';
import { blocked, clean } from './privacy.ts';
import { createRetryQueue } from './retry-queue.ts';
import { createTransport } from './transport.ts';
import { VERSION } from './version.ts';

type Props = Record<string, unknown>;

/**
 * Options. The script tag passes its data- attributes as they are (`data-respect-dnt="false"`
 * is `respectDnt: 'false'`), so strings are accepted where a bundler would pass a boolean.
 */
export interface InklingOptions {
  /** The site's write key (`pk_...`). Without it nothing is sent. */
  key?: string | null;
  /** Collector origin, e.g. `https://collector.example.com`. @default '' (this page's origin) */
  api?: string;
  /** Page views, clicks and forms. @default true */
  autocapture?: boolean | string;
  /** Honour Do Not Track and Global Privacy Control. @default true */
  respectDnt?: boolean | string;
  /** Cookie domain for the anonymous id, e.g. `.example.com` to share it with subdomains. */
  cookieDomain?: string | null;
  /** Query parameters removed from every URL sent, e.g. `['token', 'email']` or `'token,email'`. */
  stripParams?: string[] | string;
  /** Initial consent; `false` stores and sends nothing until `consent(true)`. */
  consent?: boolean;
  /** Calls made before the script loaded (the snippet's `inkling.q`), replayed in order before the first page view. */
  queue?: (ArrayLike<unknown> & Iterable<unknown>)[];
}

export interface Inkling {
  track(event: string, properties?: Props): void;
  /** A page view of the current page; `name` defaults to the document title. */
  page(name?: string, properties?: Props): void;
  identify(userId?: string | null, traits?: Props): void;
  group(groupId: string, traits?: Props): void;
  /** Links the current id (user id, else anonymous id) to `userId`. */
  alias(userId: string): void;
  /** Logout: forgets the user and starts a fresh anonymous id. */
  reset(): void;
  /** `false` drops what waits and what is stored, and sends nothing until `true`. */
  consent(granted: boolean): void;
  /** Sends what waits now, skipping any backoff. */
  flush(): void;
  /**
   * Calls `callback` with the visitor's intent (`{tier, score, type, trend, account}`, as
   * `GET /v1/intent` answers it) once known, and again whenever it changes: at once from
   * the last visit's cache, then from the collector's answers (the page view's ingest
   * answer carries it; without autocapture, a lookup when the page starts). Never called
   * for a visitor who may not be tracked (the page gets the low tier's classes), nor while
   * the collector cannot be reached: a page that waits on it needs its own timeout.
   * @example inkling.tier(({ tier }) => tier === 'high' && openChat());
   */
  tier(callback: (intent: Intent) => void): void;
}

/**
 * Creates the tracker: autocapture starts at once (after replaying `queue`). Every method
 * returns quietly whatever it is given: nothing is ever thrown into the host page.
 *
 * @example
 * import { createInkling } from 'inkling';
 * const inkling = createInkling({ key: 'pk_...', api: 'https://collector.example.com' });
 * inkling.track('Signup Started', { plan: 'pro' });
 */
export function createInkling(options: InklingOptions): Inkling {
  const o = { ...options };
  const strip = `${o.stripParams || ''}`.split(',').map((p) => p.trim());
  const url = (u: string) => clean(u, strip);
  const id = createIdentity(o.cookieDomain);
  const p = createPersonalizer();
  // Without a key nothing is ever sent (blocked).
  const [post, beacon, lookup] = createTransport(o.api || '', o.key as string, p.set_);
  const queue = createRetryQueue(post, `ink_q_${o.key}`);
  const auto = !off(o.autocapture);

  // `user`: identify and alias set the user id, but only once the privacy check has passed.
  const send = (type: MessageType, fields: Partial<Message>, properties?: Props, user?: unknown) => {
    if (blocked(o)) return;
    if (type === 'alias') fields.previousId = id.userId_() || id.anonymousId_();
    if (user) id.setUserId_(`${user}`);
    const u = new URL(url(loc.href));
    const page = { url: u.href, path: u.pathname, referrer: url(doc.referrer), title: doc.title };
    const m: Message = {
      type,
      messageId: uid(),
      anonymousId: id.anonymousId_(),
      userId: id.userId_(),
      timestamp: new Date().toISOString(),
      context: {
        page,
        locale: nav.language,
        screen: { width: win.screen.width, height: win.screen.height },
        library: { name: 'inkling', version: VERSION },
      },
      properties: { ...(type === 'page' && page), ...properties },
      ...fields,
    };
    // The collector refuses larger messages; better one event lost than a queue stuck on it.
    if (bytes(m) <= MAX_MESSAGE_BYTES) queue.push_(m);
  };

  const api: Inkling = {
    track: (event, properties) => send('track', { event: `${event}` }, properties),
    page: (name, properties) => send('page', { name: name || doc.title }, properties),
    identify: (userId, traits) => send('identify', { traits: { ...traits } }, {}, userId),
    group: (groupId, traits) => send('group', { groupId: `${groupId}`, traits: { ...traits } }),
    alias: (userId) => send('alias', {}, {}, userId),
    reset: id.forget_,
    consent(granted) {
      const was = o.consent;
      o.consent = !!granted;
      if (!granted) {
        queue.clear_();
        id.forget_();
        // Granted after a refusal: the page the visitor is on was never counted.
      } else if (was === false && auto) api.page();
    },
    flush: queue.flush_,
    tier: p.on_,
  };
  for (const k in api) api[k as keyof Inkling] = safe(api[k as keyof Inkling] as () => void);
  if (!doc) return api;

  // Calls queued before load run first: `consent(false)` or `identify` apply to the first page view.
  for (const args of o.queue || []) call(api, args);
  // A tracked link's landing: the parameter leaves the address bar before the first page view.
  const link = new URLSearchParams(loc.search).get(LINK_PARAM);
  if (link) safe(() => win.history.replaceState(win.history.state, '', clean(loc.href, [])))();
  if (auto) safe(autocapture)({ ...api, clean_: url });
  if (link) api.track(LINK_LANDED, { link });

  // The page may be going away (hidden: another tab, or unloading; the last event a page is
  // sure to get): hand what waits to sendBeacon. Events stay queued until a fetch confirms
  // them, so a beacon lost in an outage is sent again by the next page, and one that
  // arrives as well as the fetch is stored once (messageId).
  const bye = () => {
    if (!blocked(o)) for (const chunk of queue.chunks_()) beacon(chunk);
  };
  on(win, 'pagehide', bye);
  on(doc, 'visibilitychange', () => doc.visibilityState === 'hidden' && bye());
  // The tier. With nothing cached (the page waits), a lookup at once: the collector answers
  // it from memory, sooner than the page view's ingest answer, which refreshes it then (and
  // the cache) with no round trip of its own. Without autocapture, a lookup as well. A
  // visitor who may not be tracked is never looked up: the low tier's content at once.
  if (blocked(o)) p.low_();
  else {
    queue.flush_();
    if (!auto || !getItem(INTENT_KEY)) lookup(id.anonymousId_());
  }
  return api;
}

/** Runs one `inkling(method, ...args)` call; an unknown method or bad arguments do nothing. */
export const call = safe((ink: Inkling, [method, ...args]: ArrayLike<unknown> & Iterable<unknown>) =>
  (ink as unknown as Record<string, (...a: unknown[]) => void>)[method as string]!(...args),
);
