import { USER_AGENTS } from './user-agents.ts';

/**
 * Realistic analytics.js traffic for the benchmarks: a pool of 2,000 visitors, each with one
 * browser (one anonymous id), landing on a B2B site's pages (some with UTM tags), then
 * viewing pages (55 %), tracking actions (35 %) and identifying (10 %). A third of the
 * visitors have an account: they identify with a stable userId and email (four in five a
 * work email at one of 150 company domains, so accounts form; the rest free mail), and
 * their later messages carry the userId. Visitors without an account send a page view
 * instead of an identify. Deterministic for a seed, and every messageId is unique, so each
 * message sent must become exactly one stored row.
 */

export interface BatchOptions {
  /** Messages in total, split into batches of `batchSize` (the last may be short). */
  events: number;
  batchSize: number;
  seed: number;
  /** Prefix that keeps messageIds unique across calls (e.g. warm-up vs measured). */
  idPrefix: string;
}

/** JSON bodies for `POST /v1/batch`, one per batch. */
export function generateBatchBodies(options: BatchOptions): string[] {
  const gen = createMessageGenerator(options.seed, options.idPrefix);
  const bodies: string[] = [];
  for (let sent = 0; sent < options.events; sent += options.batchSize) {
    const n = Math.min(options.batchSize, options.events - sent);
    const batch = Array.from({ length: n }, () => gen.next());
    bodies.push(JSON.stringify({ batch, sentAt: new Date(gen.now()).toISOString() }));
  }
  return bodies;
}

const SITE = 'https://www.acme-analytics.example';

const PAGES = [
  ['/', 'Acme — Revenue analytics for B2B teams'],
  ['/pricing', 'Pricing — Acme'],
  ['/product', 'Product overview — Acme'],
  ['/product/integrations', 'Integrations — Acme'],
  ['/customers', 'Customer stories — Acme'],
  ['/customers/northwind', 'How Northwind doubled pipeline — Acme'],
  ['/case-studies/globex', 'Globex cut churn by 30 % — Acme'],
  ['/compare/acme-vs-legacy', 'Acme vs the legacy suites — Acme'],
  ['/blog', 'Blog — Acme'],
  ['/blog/intent-data-explained', 'Intent data, explained — Acme blog'],
  ['/blog/first-party-signals', 'Why first-party signals beat third-party intent — Acme blog'],
  ['/docs', 'Documentation — Acme'],
  ['/docs/getting-started', 'Getting started — Acme docs'],
  ['/docs/api/events', 'Events API — Acme docs'],
  ['/security', 'Security and compliance — Acme'],
  ['/careers', 'Careers — Acme'],
  ['/demo', 'Book a demo — Acme'],
  ['/signup', 'Start your free trial — Acme'],
] as const;

const REFERRERS = [
  '',
  '',
  'https://www.google.com/',
  'https://www.google.com/',
  'https://www.bing.com/',
  'https://www.linkedin.com/',
  'https://duckduckgo.com/',
  'https://news.ycombinator.com/',
  'https://www.g2.com/products/acme/reviews',
];

const CAMPAIGNS = [
  { source: 'google', medium: 'cpc', name: 'brand-q3', term: 'acme analytics' },
  { source: 'linkedin', medium: 'paid_social', name: 'abm-enterprise', content: 'carousel-v2' },
  { source: 'newsletter', medium: 'email', name: 'product-update-sept' },
  { source: 'g2', medium: 'referral', name: 'category-leader' },
];

const TRACKS = [
  [
    'CTA Clicked',
    (r: Rng) => ({
      label: r.pick(['Book a demo', 'Start free', 'Talk to sales']),
      location: r.pick(['hero', 'nav', 'footer']),
    }),
  ],
  [
    'Pricing Plan Viewed',
    (r: Rng) => ({ plan: r.pick(['starter', 'growth', 'enterprise']), billing: r.pick(['monthly', 'annual']) }),
  ],
  [
    'Demo Requested',
    (r: Rng) => ({ company_size: r.pick(['1-10', '11-50', '51-200', '201-1000', '1000+']), source: 'demo_form' }),
  ],
  [
    'Docs Searched',
    (r: Rng) => ({ query: r.pick(['webhooks', 'sso', 'rate limits', 'identify', 'gdpr']), results: r.int(0, 40) }),
  ],
  [
    'Video Played',
    (r: Rng) => ({
      video_id: `vid_${r.int(100, 999)}`,
      title: 'Acme in 2 minutes',
      position: r.int(0, 120),
      total_length: 124,
    }),
  ],
  [
    'Signup Started',
    (r: Rng) => ({ plan: r.pick(['trial', 'starter']), method: r.pick(['email', 'google', 'microsoft']) }),
  ],
  ['Form Submitted', (r: Rng) => ({ form_id: r.pick(['newsletter', 'contact', 'webinar']), fields: r.int(2, 8) })],
  ['Scroll Depth Reached', (r: Rng) => ({ depth: r.pick([25, 50, 75, 100]) })],
  ['Whitepaper Downloaded', (r: Rng) => ({ title: r.pick(['Intent playbook', 'RevOps benchmark 2026']) })],
  ['Webinar Registered', (r: Rng) => ({ webinar_id: `web_${r.int(1, 12)}` })],
] as const;

const LOCALES = ['en-US', 'en-GB', 'de-DE', 'fr-FR', 'en-US', 'es-ES', 'nl-NL', 'en-US'];
const TIMEZONES = ['America/New_York', 'Europe/London', 'Europe/Berlin', 'America/Los_Angeles', 'Europe/Paris'];
const SCREENS = [
  [1920, 1080, 1],
  [2560, 1440, 1],
  [1440, 900, 2],
  [1536, 864, 1.25],
  [390, 844, 3],
  [412, 915, 2.625],
] as const;
const COMPANIES = ['Northwind', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Stark Industries', 'Wayne Enterprises'];

/** Company domains for work emails (accounts form from them); free mail names no company. */
const COMPANY_DOMAINS = Array.from(
  { length: 150 },
  (_, i) => `${COMPANIES[i % COMPANIES.length]!.toLowerCase().replace(/\s/g, '')}${i}.example`,
);
const FREE_MAIL = ['gmail.com', 'outlook.com', 'yahoo.com'];
const VISITORS = 2000;

interface Visitor {
  anonymousId: string;
  /** The account this visitor signs up with (identify), or null for an anonymous-only visitor. */
  profile: { userId: string; email: string; company: string } | null;
  /** Whether this visitor has identified: from then on their messages carry the userId. */
  identified: boolean;
  userAgent: string;
  locale: string;
  timezone: string;
  screen: (typeof SCREENS)[number];
  landing: { referrer: string; campaign: (typeof CAMPAIGNS)[number] | null };
}

function createMessageGenerator(seed: number, idPrefix: string) {
  const r = rng(seed);
  const start = Date.now() - 60_000;
  let count = 0;
  const visitors: Visitor[] = Array.from({ length: VISITORS }, () => ({
    anonymousId: r.uuid(),
    profile: r.chance(1 / 3) ? profile(r) : null,
    identified: false,
    // Skewed towards the head of the list, as real traffic is.
    userAgent: USER_AGENTS[Math.floor(r.next() ** 1.6 * USER_AGENTS.length)] as string,
    locale: r.pick(LOCALES),
    timezone: r.pick(TIMEZONES),
    screen: r.pick(SCREENS),
    landing: { referrer: r.pick(REFERRERS), campaign: r.chance(0.2) ? r.pick(CAMPAIGNS) : null },
  }));

  const now = () => start + count * 3;

  function next(): Record<string, unknown> {
    count++;
    const v = r.pick(visitors);
    const [path, title] = r.pick(PAGES);
    const c = v.landing.campaign;
    const search = c ? `?utm_source=${c.source}&utm_medium=${c.medium}&utm_campaign=${c.name}` : '';
    const url = `${SITE}${path}${search}`;
    const page = { path, referrer: v.landing.referrer, search, title, url };
    const context: Record<string, unknown> = {
      library: { name: 'analytics.js', version: 'npm:next-1.72.0' },
      page,
      userAgent: v.userAgent,
      locale: v.locale,
      timezone: v.timezone,
      screen: { width: v.screen[0], height: v.screen[1], density: v.screen[2] },
    };
    if (c) context.campaign = { ...c };
    const common = {
      messageId: `ajs-next-${idPrefix}-${count.toString(36)}-${r.hex(16)}`,
      anonymousId: v.anonymousId,
      ...(v.identified && v.profile ? { userId: v.profile.userId } : {}),
      timestamp: new Date(now() - r.int(5, 4000)).toISOString(),
      context,
      integrations: {},
    };
    const roll = r.next();
    if (roll < 0.9 || !v.profile) {
      if (roll < 0.55 || roll >= 0.9) return { ...common, type: 'page', properties: { ...page } };
      const [event, props] = r.pick(TRACKS);
      return { ...common, type: 'track', event, properties: props(r) };
    }
    v.identified = true;
    return {
      ...common,
      type: 'identify',
      userId: v.profile.userId,
      traits: {
        email: v.profile.email,
        name: r.pick(['Ana Lima', 'Ben Ortiz', 'Chen Wei', 'Dana Cohen', 'Eli Novak']),
        title: r.pick(['VP Marketing', 'Head of Growth', 'RevOps Manager', 'CTO']),
        company: { name: v.profile.company, employee_count: r.int(20, 5000), industry: 'Software' },
        plan: r.pick(['trial', 'starter', 'growth']),
      },
    };
  }

  return { next, now };
}

function profile(r: Rng): NonNullable<Visitor['profile']> {
  const work = r.chance(0.8);
  const domain = work ? r.pick(COMPANY_DOMAINS) : r.pick(FREE_MAIL);
  const name = `${r.pick(['ana', 'ben', 'chen', 'dana', 'eli'])}.${r.hex(6)}`;
  return { userId: `usr_${r.hex(12)}`, email: `${name}@${domain}`, company: domain.split('.')[0] ?? domain };
}

interface Rng {
  next(): number;
  int(lo: number, hi: number): number;
  chance(p: number): boolean;
  pick<T>(list: readonly T[]): T;
  hex(n: number): string;
  uuid(): string;
}

/** mulberry32: small, fast, good enough for test data. */
function rng(seed: number): Rng {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const hex = (n: number) => {
    let out = '';
    while (out.length < n)
      out += Math.floor(next() * 0x100000000)
        .toString(16)
        .padStart(8, '0');
    return out.slice(0, n);
  };
  return {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    chance: (p) => next() < p,
    pick: (list) => list[Math.floor(next() * list.length)] as never,
    hex,
    uuid: () => {
      const h = hex(32);
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20)}`;
    },
  };
}
