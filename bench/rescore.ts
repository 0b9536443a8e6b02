import { loadavg } from 'node:os';
import { createConfigStore } from '../collector/scoring/config-store.ts';
import { type EventRecord, toScoringEvent } from '../collector/scoring/events.ts';
import { rescore } from '../collector/scoring/rescore.ts';
import { createSite } from '../collector/sites.ts';
import { compileConfig, defaultConfig, type ScoringEvent, scorePerson } from '../shared/scoring/index.ts';
import { createBenchDatabase } from './database.ts';
import { fmt } from './report.ts';

/**
 * Rescoring N people: the job the collector runs when scores fall due (and after a config
 * change, with `all`). Baseline in the same run: the pure `scorePerson` over the very same
 * events, already in memory, so the ratio shows what the database round trips cost.
 */
export interface RescoreOptions {
  url: string;
  people: number;
  eventsPerPerson: number;
  log: (line: string) => void;
}

export interface RescoreBenchResult {
  people: number;
  events: number;
  seedMs: number;
  rescoreMs: number;
  pureMs: number;
  scored: number;
  highOrMedium: number;
  loadAverage: number;
}

/** People per read of the pure baseline. */
const PURE_CHUNK = 20_000;

const PATHS = ['/', '/pricing', '/product', '/customers/northwind', '/blog/intent', '/docs/api', '/careers', '/demo'];

export async function benchRescore(options: RescoreOptions): Promise<RescoreBenchResult> {
  const { log, people, eventsPerPerson } = options;
  const db = await createBenchDatabase(options.url);
  try {
    const site = await createSite(db, 'rescore bench');
    const now = Date.now();
    log(`seeding ${people} people with ${eventsPerPerson} events each (set-based SQL)`);
    const t0 = performance.now();
    await db.query(`insert into persons (site_id, id) select $1, 'per_' || g from generate_series(1, $2::int) g`, [
      site.siteId,
      people,
    ]);
    await db.query(
      `insert into identities (site_id, anonymous_id, person_id)
       select $1, 'anon_' || g, 'per_' || g from generate_series(1, $2::int) g`,
      [site.siteId, people],
    );
    // Deterministic spread: paths and ages (0-120 days) follow from the person and event numbers.
    await db.query(
      `insert into events (site_id, received_at, message_id, type, anonymous_id, path, url, "timestamp",
                           properties, traits, context, is_bot)
       select $1, $3::timestamptz, 'seed-' || g || '-' || k, 'page', 'anon_' || g, p.path,
              'https://acme.test' || p.path,
              $3::timestamptz - ((((g::bigint * 7919 + k * 104729) % 172800)) * interval '1 minute'),
              jsonb_build_object('path', p.path), '{}'::jsonb, '{}'::jsonb, false
       from generate_series(1, $2::int) g
       cross join generate_series(1, $4::int) k
       cross join lateral (select ($5::text[])[1 + (g * 31 + k * 17) % $6] as path) p`,
      [site.siteId, people, new Date(now).toISOString(), eventsPerPerson, PATHS, PATHS.length],
    );
    await db.query('analyze');
    const seedMs = performance.now() - t0;

    const loadAverage = loadavg()[0] ?? 0;
    log(`rescore --all of ${people} people`);
    const t1 = performance.now();
    const done = await rescore(db, createConfigStore(db), { siteId: site.siteId, all: true, now });
    const rescoreMs = performance.now() - t1;
    if (done.persons !== people) throw new Error(`rescored ${done.persons} people, expected ${people}`);
    const [check] = await db.query<{ scored: number; hot: number }>(
      `select count(*)::int as scored, count(*) filter (where tier <> 'low')::int as hot
       from person_scores where site_id = $1`,
      [site.siteId],
    );

    log('baseline: pure scorePerson over the same events in memory');
    // In chunks of people (a million people's events do not fit in one heap): only the
    // scoring is timed, not the reads.
    const model = compileConfig(defaultConfig);
    let pureMs = 0;
    let events = 0;
    let sink = 0;
    for (let from = 1; from <= people; from += PURE_CHUNK) {
      const anons = Array.from({ length: Math.min(PURE_CHUNK, people - from + 1) }, (_, i) => `anon_${from + i}`);
      const rows = await db.query<EventRecord>(
        `select id::text as id, message_id, type, event, name, path, url, properties, "timestamp",
                anonymous_id, user_id, is_bot
         from events where site_id = $1 and anonymous_id = any($2::text[]) order by anonymous_id, "timestamp", id`,
        [site.siteId, anons],
      );
      events += rows.length;
      const byPerson = new Map<string, ScoringEvent[]>();
      for (const r of rows) {
        const key = r.anonymous_id ?? '';
        const list = byPerson.get(key) ?? [];
        if (list.length === 0) byPerson.set(key, list);
        list.push(toScoringEvent(r));
      }
      const t2 = performance.now();
      for (const list of byPerson.values()) sink += scorePerson(list, model, now).score;
      pureMs += performance.now() - t2;
    }
    if (sink < 0) throw new Error('unreachable');

    return {
      people,
      events,
      seedMs,
      rescoreMs,
      pureMs,
      scored: check?.scored ?? 0,
      highOrMedium: check?.hot ?? 0,
      loadAverage,
    };
  } finally {
    await db.close();
  }
}

export function rescoreMarkdown(r: RescoreBenchResult, command: string, date: Date): string {
  const perSec = (ms: number) => r.people / (ms / 1000);
  return [
    `Measured ${date.toISOString().slice(0, 10)} with \`${command}\` (1-minute load average at the start: ${r.loadAverage.toFixed(1)}).`,
    '',
    `${fmt(r.people)} people with ${fmt(r.events / r.people)} page events each (${fmt(r.events)} events, ages spread over 120 days, default model), seeded with set-based SQL in ${(r.seedMs / 1000).toFixed(1)} s. \`rescore\` with \`all\` (what \`npm run inkling -- rescore --all\` and a config change run): keyset rounds of 500 people, 4 in flight, each in transactions of 250 that lock the people, load their events within the horizon in one query, score them, and write the scores (with the signals their accounts roll up) and history rows in one statement each.`,
    '',
    '| Path | Seconds | People/s | vs pure |',
    '| --- | ---: | ---: | ---: |',
    `| \`rescore\` on PostgreSQL (${fmt(r.people)} people) | ${(r.rescoreMs / 1000).toFixed(1)} | ${fmt(perSec(r.rescoreMs))} | ${(r.rescoreMs / r.pureMs).toFixed(1)}x the time |`,
    `| Pure \`scorePerson\` over the same events in memory (baseline) | ${(r.pureMs / 1000).toFixed(1)} | ${fmt(perSec(r.pureMs))} | 1x |`,
    '',
    `Every person got a stored score (${fmt(r.scored)}); ${fmt(r.highOrMedium)} are Medium or High.`,
  ].join('\n');
}
