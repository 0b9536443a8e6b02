import { loadavg } from 'node:os';
import { createCollector } from '../collector/app.ts';
import { SESSION_COOKIE } from '../collector/dashboard/security.ts';
import { createSession } from '../collector/dashboard/sessions.ts';
import { createUser } from '../collector/dashboard/users.ts';
import { createConfigStore } from '../collector/scoring/config-store.ts';
import { rescore } from '../collector/scoring/rescore.ts';
import { createSite } from '../collector/sites.ts';
import { createBenchDatabase } from './database.ts';
import { type Quantiles, quantiles } from './quantiles.ts';
import { fmt } from './report.ts';

/**
 * The Today page (`GET /dashboard`, its charts' data inline) of a site with `events` events
 * over 90 days and `accounts` accounts of `peoplePerAccount` people each, scored by two
 * `rescore --all` (8 days ago and now, so scores, 7-day changes and score history exist).
 * Server time: `app.request()` in this process, one request at a time, against a no-op
 * route of the same app (`GET /healthz`) in alternating rounds. The first view of each
 * chart period computes the trends (kept a minute, then recomputed in the background while
 * the kept ones answer): reported on its own, the rounds measure the views after it.
 */
export interface DashboardBenchOptions {
  url: string;
  events: number;
  accounts: number;
  peoplePerAccount: number;
  /** Requests per route per round; 4 rounds. */
  requests: number;
  log: (line: string) => void;
}

export interface DashboardBenchResult {
  options: Omit<DashboardBenchOptions, 'log' | 'url'>;
  seedMs: number;
  rescoreMs: number;
  loadAverage: number;
  highAccounts: number;
  /** The first view of the 30-day and 90-day pages after a start, ms. */
  firstView: { days30: number; days90: number };
  noop: Quantiles;
  today: Quantiles;
  today90: Quantiles;
  /** How many of the page's bytes a view answers (a sanity check that it is the full page). */
  pageBytes: number;
}

/** The first four name no buying intent; the people of one account in five also read the others. */
const PATHS = ['/', '/blog/intent', '/docs/api', '/careers', '/pricing', '/product', '/customers/northwind', '/demo'];
/** One account in `HOT_EVERY` reads pricing and asks for demos. */
const HOT_EVERY = 5;
const DAY = 86_400_000;

export async function benchDashboard(options: DashboardBenchOptions): Promise<DashboardBenchResult> {
  const { log, events, accounts, peoplePerAccount, requests } = options;
  const people = accounts * peoplePerAccount;
  const perPerson = Math.max(1, Math.round(events / people));
  const db = await createBenchDatabase(options.url);
  try {
    const site = await createSite(db, 'dashboard bench');
    const now = Date.now();
    log(`seeding ${fmt(accounts)} accounts, ${fmt(people)} people, ${fmt(people * perPerson)} events (set-based SQL)`);
    const t0 = performance.now();
    await db.query(
      `insert into accounts (site_id, id, group_id, domain, name)
       select $1, 'acc_' || g, 'grp_' || g, 'company' || g || '.example', 'Company ' || g
       from generate_series(1, $2::int) g`,
      [site.siteId, accounts],
    );
    await db.query(
      `insert into persons (site_id, id, email, account_id)
       select $1, 'per_' || g, 'p' || g || '@company' || (1 + (g - 1) / $3) || '.example', 'acc_' || (1 + (g - 1) / $3)
       from generate_series(1, $2::int) g`,
      [site.siteId, people, peoplePerAccount],
    );
    await db.query(
      `insert into identities (site_id, anonymous_id, person_id)
       select $1, 'anon_' || g, 'per_' || g from generate_series(1, $2::int) g`,
      [site.siteId, people],
    );
    // Ages spread over 90 days (the Today charts' longest period). The people of one account
    // in HOT_EVERY read every path and, one event in twenty, ask for a demo; the others read
    // the four paths without buying intent. Paths follow from the person and event numbers.
    await db.query(
      `insert into events (site_id, received_at, message_id, type, event, anonymous_id, path, url, "timestamp",
                           properties, traits, context, is_bot)
       select $1, $3::timestamptz, 'seed-' || g || '-' || k,
              case when h.hot and k % 20 = 0 then 'track' else 'page' end,
              case when h.hot and k % 20 = 0 then 'Demo Requested' end,
              'anon_' || g, p.path, 'https://acme.test' || p.path,
              $3::timestamptz - ((((g::bigint * 7919 + k * 104729) % 129600)) * interval '1 minute'),
              jsonb_build_object('path', p.path), '{}'::jsonb, '{}'::jsonb, false
       from generate_series(1, $2::int) g
       cross join lateral (select (1 + (g - 1) / $7) % $8 = 0 as hot) h
       cross join generate_series(1, $4::int) k
       cross join lateral (select ($5::text[])[1 + (g * 31 + k * 17) % (case when h.hot then $6 else 4 end)] as path) p`,
      [site.siteId, people, new Date(now).toISOString(), perPerson, PATHS, PATHS.length, peoplePerAccount, HOT_EVERY],
    );
    await db.query('analyze');
    const seedMs = performance.now() - t0;

    log('rescore --all 8 days ago, then now (scores, 7-day changes, score history)');
    const t1 = performance.now();
    const configs = createConfigStore(db);
    await rescore(db, configs, { siteId: site.siteId, all: true, now: now - 8 * DAY });
    const done = await rescore(db, configs, { siteId: site.siteId, all: true, now });
    const rescoreMs = performance.now() - t1;
    if (done.persons !== people) throw new Error(`rescored ${done.persons} people, expected ${people}`);
    // What autovacuum does after such a burst of updates: statistics, and the visibility map
    // that lets the tier counts read their index alone.
    await db.query('vacuum analyze account_scores, person_scores, score_history');
    const [high] = await db.query<{ n: number }>(
      `select count(*)::int as n from account_scores where site_id = $1 and tier = 'high'`,
      [site.siteId],
    );

    const user = await createUser(db, site.siteId, {
      email: 'rep@bench.example',
      name: 'Bench Rep',
      role: 'rep',
      password: 'bench-password-long',
      slackMemberId: null,
    });
    const cookie = `${SESSION_COOKIE}=${await createSession(db, user)}`;
    const collector = createCollector({ db, config: {}, rescoreIntervalMs: 0 });
    const get = async (path: string, withCookie: boolean) => {
      const t = performance.now();
      const res = await collector.app.request(path, withCookie ? { headers: { cookie } } : {});
      const body = await res.text();
      const ms = performance.now() - t;
      if (res.status !== 200) throw new Error(`${path} answered ${res.status}: ${body.slice(0, 200)}`);
      return { ms, body };
    };

    const loadAverage = loadavg()[0] ?? 0;
    const first30 = await get('/dashboard', true);
    if (!first30.body.includes('id="list-high"')) throw new Error('the Today page has no High list');
    const first90 = await get('/dashboard?days=90', true);
    log(`first views: ${first30.ms.toFixed(0)} ms (30 days), ${first90.ms.toFixed(0)} ms (90 days)`);

    const noop: number[] = [];
    const today: number[] = [];
    const today90: number[] = [];
    for (let round = 0; round < 4; round++) {
      log(`round ${round + 1}/4: ${requests} of each route`);
      for (let i = 0; i < requests; i++) noop.push((await get('/healthz', false)).ms);
      for (let i = 0; i < requests; i++) today.push((await get('/dashboard', true)).ms);
      for (let i = 0; i < requests; i++) today90.push((await get('/dashboard?days=90', true)).ms);
    }
    await collector.drain();
    return {
      options: { events: people * perPerson, accounts, peoplePerAccount, requests },
      seedMs,
      rescoreMs,
      loadAverage,
      highAccounts: high?.n ?? 0,
      firstView: { days30: first30.ms, days90: first90.ms },
      noop: quantiles(noop, 2),
      today: quantiles(today, 1),
      today90: quantiles(today90, 1),
      pageBytes: first30.body.length,
    };
  } finally {
    await db.close();
  }
}

export function dashboardMarkdown(r: DashboardBenchResult, command: string, date: Date): string {
  const o = r.options;
  const row = (name: string, q: Quantiles) =>
    `| ${name} | ${q.p50} | ${q.p95} | ${q.p99} | ${q.max} | ${(q.p95 / Math.max(r.noop.p95, 0.01)).toFixed(0)}x |`;
  return [
    `Measured ${date.toISOString().slice(0, 10)} with \`${command}\` (1-minute load average at the start: ${r.loadAverage.toFixed(1)}).`,
    '',
    `${fmt(o.accounts)} accounts of ${fmt(o.peoplePerAccount)} people, ${fmt(o.events)} events over 90 days (one account in five reads pricing and asks for demos, one event in twenty; the others read the blog, docs and careers), seeded with set-based SQL in ${(r.seedMs / 1000).toFixed(1)} s and scored by two \`rescore --all\` (8 days ago, then now: ${(r.rescoreMs / 1000).toFixed(1)} s; ${fmt(r.highAccounts)} accounts at High). A signed-in rep's \`GET /dashboard\` (the three lists, the tier counts and the charts' data inline, ${fmt(r.pageBytes)} bytes) through \`app.request()\` in the bench process, one request at a time, ${fmt(o.requests)} per route in each of 4 alternating rounds; baseline: \`GET /healthz\` of the same app.`,
    '',
    `The first view of a period after a start computes its charts: ${fmt(r.firstView.days30)} ms for 30 days, ${fmt(r.firstView.days90)} ms for 90 days. The views after it (below) read the three lists and the tier counts, and the charts kept for a minute (then recomputed in the background while the kept ones answer).`,
    '',
    '| Route | p50 ms | p95 ms | p99 ms | max ms | p95 vs no-op |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    row('`GET /dashboard` (30 days)', r.today),
    row('`GET /dashboard?days=90`', r.today90),
    row('`GET /healthz` (no-op baseline)', r.noop),
    '',
    `Aim: p95 under 200 ms: ${r.today.p95 < 200 && r.today90.p95 < 200 ? 'met' : 'missed'}.`,
  ].join('\n');
}
