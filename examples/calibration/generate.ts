/**
 * Synthetic visitors whose conversion depends on known signals, for the calibration report's
 * proof (test/calibration.test.ts) and its README walkthrough (`npm run example:calibration`).
 * Deterministic: the same options give the same messages, byte for byte.
 *
 * Each visitor comes in 1-5 sessions a few days apart, each of a page or two, and is one of
 * three kinds: a buyer (pricing and demo pages, some blog), a job seeker (careers, some
 * blog), a reader (blog, docs). Whether they book a demo is drawn from the planted model
 * `logit = BASE + PRICING x pricing visits + DEMO x demo visits + CAREERS x careers visits`
 * (blog and docs visits do nothing), a few days after their last visit; a third of those
 * who book later win a deal. Half of the visitors identify with a work email (their account:
 * the email's domain) at their first visit; the outcomes are sent as a CRM would, server-side
 * with the secret key, by the visitor's user id (or anonymous id when they never identified).
 */

const DAY = 86_400_000;
export const PLANTED = { base: -3.4, pricing: 0.8, demo: 0.9, careers: -1.2 } as const;

export interface GenerateOptions {
  seed: number;
  visitors: number;
  /** The span the visitors arrive over, ending `endsDaysAgo` before `now`. */
  weeks: number;
  now: number;
  /** @default 21 */
  endsDaysAgo?: number;
  /** A prefix for ids, so that two runs on one site do not mix. @default `cal<seed>` */
  prefix?: string;
}

export interface GeneratedData {
  /** What the site's pages send (write key): page views and identifies, oldest first. */
  browser: Record<string, unknown>[];
  /** What the CRM sends (secret key): `Demo Booked` and `Deal Won` track calls. */
  crm: Record<string, unknown>[];
  /** How many visitors booked a demo. */
  converted: number;
}

/** mulberry32: a small, well-mixed 32-bit PRNG; the same seed gives the same sequence. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const BLOG = ['/blog/intent-data', '/blog/lead-scoring', '/blog/b2b-funnels', '/blog/release-notes'];
const DOCS = ['/docs/install', '/docs/api'];

export function generateVisitors(options: GenerateOptions): GeneratedData {
  const random = prng(options.seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const prefix = options.prefix ?? `cal${options.seed}`;
  const end = options.now - (options.endsDaysAgo ?? 21) * DAY;
  const start = end - options.weeks * 7 * DAY;
  const browser: Record<string, unknown>[] = [];
  const crm: Record<string, unknown>[] = [];
  let converted = 0;
  let seq = 0;
  const id = () => `${prefix}-m${++seq}`;

  for (let v = 0; v < options.visitors; v++) {
    const anonymousId = `${prefix}-v${v}`;
    const kind = random() < 0.4 ? 'buyer' : random() < 0.35 ? 'job_seeker' : 'reader';
    const identified = random() < 0.5;
    const userId = identified ? `${prefix}-u${v}@company${Math.floor(random() * 400)}.calib-example.com` : null;
    let at = start + Math.floor(random() * (end - start));
    const sessions = 1 + Math.floor(random() * 5);
    const counts = { pricing: 0, demo: 0, careers: 0 };
    for (let s = 0; s < sessions; s++) {
      const pages: string[] = [];
      if (kind === 'buyer') {
        if (random() < 0.6) pages.push('/pricing');
        if (random() < 0.35) pages.push('/demo');
        if (random() < 0.3 || pages.length === 0) pages.push(pick(BLOG));
      } else if (kind === 'job_seeker') {
        if (random() < 0.8) pages.push('/careers');
        if (random() < 0.3 || pages.length === 0) pages.push(pick(BLOG));
        if (random() < 0.15) pages.push('/pricing');
      } else {
        pages.push(pick(BLOG));
        if (random() < 0.4) pages.push(pick(DOCS));
        if (random() < 0.1) pages.push('/pricing');
      }
      pages.forEach((path, i) => {
        if (path === '/pricing') counts.pricing++;
        if (path === '/demo') counts.demo++;
        if (path === '/careers') counts.careers++;
        const t = at + i * 60_000;
        browser.push({
          type: 'page',
          messageId: id(),
          anonymousId,
          ...(userId && s > 0 ? { userId } : {}),
          timestamp: new Date(t).toISOString(),
          properties: { path, url: `https://calib-example.com${path}` },
        });
        if (userId && s === 0 && i === 0) {
          browser.push({
            type: 'identify',
            messageId: id(),
            anonymousId,
            userId,
            timestamp: new Date(t + 1000).toISOString(),
            traits: { email: userId },
          });
        }
      });
      if (s < sessions - 1) at += Math.floor((2 + random() * 5) * DAY);
    }
    const logit =
      PLANTED.base + PLANTED.pricing * counts.pricing + PLANTED.demo * counts.demo + PLANTED.careers * counts.careers;
    if (random() < 1 / (1 + Math.exp(-logit))) {
      converted++;
      const bookedAt = at + Math.floor((1 + random() * 12) * DAY);
      const who = userId ? { userId } : { anonymousId };
      crm.push({
        type: 'track',
        messageId: id(),
        ...who,
        event: 'Demo Booked',
        timestamp: new Date(bookedAt).toISOString(),
      });
      if (random() < 0.33) {
        const wonAt = bookedAt + Math.floor((5 + random() * 20) * DAY);
        crm.push({
          type: 'track',
          messageId: id(),
          ...who,
          event: 'Deal Won',
          timestamp: new Date(wonAt).toISOString(),
        });
      }
    }
  }
  const byTime = (a: Record<string, unknown>, b: Record<string, unknown>) =>
    String(a.timestamp) < String(b.timestamp) ? -1 : String(a.timestamp) > String(b.timestamp) ? 1 : 0;
  return { browser: browser.sort(byTime), crm: crm.sort(byTime), converted };
}

/** Messages in batches of at most `size` (well within the 500 KB body limit). */
export function batches<T>(messages: readonly T[], size = 500): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < messages.length; i += size) out.push(messages.slice(i, i + size));
  return out;
}
