import { loadavg } from 'node:os';
import type { Database } from '../collector/db/client.ts';
import { createConfigStore } from '../collector/scoring/config-store.ts';
import { type EventRecord, toScoringEvent } from '../collector/scoring/events.ts';
import { rescore } from '../collector/scoring/rescore.ts';
import { createSite } from '../collector/sites.ts';
import {
  type CompiledConfig,
  compileConfig,
  defaultConfig,
  type ScoringEvent,
  scorePerson,
} from '../shared/scoring/index.ts';
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
  /** `rescore --all` at the seed's instant: every person from their events. */
  rescoreMs: number;
  /** Then the rescore of the scores due `DUE_AFTER_DAYS` later, from stored signals. */
  due: { people: number; ms: number; checked: number };
  pureMs: number;
  scored: number;
  highOrMedium: number;
  loadAverage: number;
}

/** People per read of the pure baseline. */
const PURE_CHUNK = 20_000;

/** The periodic rescore runs this many days after the seed's instant, when most scores are due. */
const DUE_AFTER_DAYS = 30;

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

    // The periodic rescore, later: the people whose scores fell due, from their stored signals.
    const later = now + DUE_AFTER_DAYS * 86_400_000;
    const [dueCount] = await db.query<{ n: number }>(
      'select count(*)::int as n from person_scores where site_id = $1 and next_change_at <= $2',
      [site.siteId, new Date(later).toISOString()],
    );
    log(`rescore of the ${dueCount?.n} scores due ${DUE_AFTER_DAYS} days later`);
    const t3 = performance.now();
    const dueDone = await rescore(db, createConfigStore(db), { siteId: site.siteId, now: later });
    const dueMs = performance.now() - t3;
    if (dueDone.persons !== dueCount?.n) throw new Error(`rescored ${dueDone.persons} due, expected ${dueCount?.n}`);

    log('baseline: pure scorePerson over the same events in memory');
    // In chunks of people (a million people's events do not fit in one heap): only the
    // scoring is timed, not the reads.
    const model = compileConfig(defaultConfig);
    let pureMs = 0;
    let events = 0;
    let sink = 0;
    let checked = 0;
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
      // The first chunk checks the periodic rescore: the stored scores are those the events give.
      if (from === 1) checked = await checkDue(db, site.siteId, byPerson, model, later);
    }
    if (sink < 0) throw new Error('unreachable');

    return {
      people,
      events,
      seedMs,
      rescoreMs,
      due: { people: dueDone.persons, ms: dueMs, checked },
      pureMs,
      scored: check?.scored ?? 0,
      highOrMedium: check?.hot ?? 0,
      loadAverage,
    };
  } finally {
    await db.close();
  }
}

/**
 * Compares the stored scores of the people in `byPerson` (by anonymous id) with `scorePerson`
 * over their events at `at`; throws on the first difference. Answers how many were compared.
 */
async function checkDue(
  db: Database,
  siteId: string,
  byPerson: ReadonlyMap<string, ScoringEvent[]>,
  model: CompiledConfig,
  at: number,
): Promise<number> {
  const stored = await db.query<{ anonymous_id: string; score: number; points: number }>(
    `select i.anonymous_id, s.score, s.points from person_scores s
       join identities i on i.site_id = s.site_id and i.person_id = s.person_id
      where s.site_id = $1 and i.anonymous_id = any($2::text[])`,
    [siteId, [...byPerson.keys()]],
  );
  for (const row of stored) {
    const expected = scorePerson(byPerson.get(row.anonymous_id) ?? [], model, at);
    if (expected.score !== row.score || expected.points !== row.points)
      throw new Error(`${row.anonymous_id}: stored ${row.score}, its events give ${expected.score} at ${at}`);
  }
  return stored.length;
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
    `| Periodic \`rescore\` ${DUE_AFTER_DAYS} days later (${fmt(r.due.people)} people due), from stored signals | ${(r.due.ms / 1000).toFixed(1)} | ${fmt(r.due.people / (r.due.ms / 1000))} | ${(r.due.ms / r.pureMs).toFixed(1)}x the time |`,
    `| Pure \`scorePerson\` over the same events in memory (baseline) | ${(r.pureMs / 1000).toFixed(1)} | ${fmt(perSec(r.pureMs))} | 1x |`,
    '',
    `After \`rescore --all\` every person had a stored score (${fmt(r.scored)}); ${fmt(r.highOrMedium)} were Medium or High.`,
    '',
    `The periodic rescore reads no events: time alone changes no signal, so each person due is scored from the signals their last scoring stored (\`person_scores.hits\`, under the same model). Checked in the run: the scores and points of the first ${fmt(r.due.checked)} people after it equal \`scorePerson\` over their events at that instant. A config change still rescores from events (the first row).`,
  ].join('\n');
}
