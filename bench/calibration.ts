import { loadavg } from 'node:os';
import { createCollector } from '../collector/app.ts';
import { createSite } from '../collector/sites.ts';
import type { CalibrationReport } from '../shared/calibration/report.ts';
import { createBenchDatabase } from './database.ts';
import { fmt } from './report.ts';

/**
 * `GET /v1/calibration` on a site of `persons` people (three in five in accounts of three)
 * and `events` events over 20 weeks, seeded with set-based SQL into the tables ingest fills
 * (`events`, `persons`, `identities`, `accounts`): each person reads a few pages over about
 * two weeks from a start spread over 20 weeks; one in five reads pricing and demo pages, and
 * one in three of those books a demo (a `Demo Booked` track call) 20 days after starting.
 * Server time through `app.request()` in the bench process, `runs` reports one after the other,
 * against a no-op route of the same app (`GET /healthz`). Scores are not stored (the report
 * computes its own from the events; only its tier counts read stored scores).
 */
export interface CalibrationBenchOptions {
  url: string;
  persons: number;
  events: number;
  runs: number;
  log: (line: string) => void;
}

export interface CalibrationBenchResult {
  options: Omit<CalibrationBenchOptions, 'log' | 'url'>;
  seedMs: number;
  loadAverage: number;
  reportMs: number[];
  noopMs: number;
  /** The largest heap used seen after a report, MB. */
  heapMb: number;
  sample: CalibrationReport['sample'];
  weeks: number;
  auc: { current: number | null; fitted: number | null; uniform: number | null } | null;
}

const PATHS = ['/', '/blog/intent', '/docs/api', '/careers', '/pricing', '/product', '/customers/northwind', '/demo'];

export async function benchCalibration(options: CalibrationBenchOptions): Promise<CalibrationBenchResult> {
  const { log, persons, runs } = options;
  const perPerson = Math.max(2, Math.round(options.events / persons));
  const inAccounts = Math.floor((persons * 3) / 5 / 3) * 3;
  const db = await createBenchDatabase(options.url);
  try {
    const site = await createSite(db, 'calibration bench');
    const now = Date.now();
    log(`seeding ${fmt(persons)} people, ${fmt(inAccounts / 3)} accounts, ${fmt(persons * perPerson)} events`);
    const t0 = performance.now();
    await db.query(
      `insert into accounts (site_id, id, domain, name)
       select $1, 'acc_' || g, 'company' || g || '.example', 'Company ' || g from generate_series(1, $2::int) g`,
      [site.siteId, inAccounts / 3],
    );
    await db.query(
      `insert into persons (site_id, id, account_id)
       select $1, 'per_' || g, case when g <= $3 then 'acc_' || (1 + (g - 1) / 3) end from generate_series(1, $2::int) g`,
      [site.siteId, persons, inAccounts],
    );
    await db.query(
      `insert into identities (site_id, anonymous_id, person_id)
       select $1, 'anon_' || g, 'per_' || g from generate_series(1, $2::int) g`,
      [site.siteId, persons],
    );
    // Person g starts 20 + (g x 7919 mod 120) days ago; its k-th event comes 0.5 to 1.5 days
    // after the previous one. The last event of one hot person in three is its demo booking.
    await db.query(
      `insert into events (site_id, received_at, message_id, type, event, anonymous_id, path, url, "timestamp",
                           properties, traits, context, is_bot)
       select $1, $3::timestamptz, 'seed-' || g || '-' || k,
              case when o.booked then 'track' else 'page' end,
              case when o.booked then 'Demo Booked' end,
              'anon_' || g, p.path, 'https://acme.test' || p.path,
              $3::timestamptz - ((20 + (g::bigint * 7919) % 120) * interval '1 day')
                + (case when o.booked then interval '20 days' else k * (((g + k) % 3) + 1) * interval '12 hours' end),
              jsonb_build_object('path', p.path), '{}'::jsonb, '{}'::jsonb, false
       from generate_series(1, $2::int) g
       cross join lateral (select g % 5 = 0 as hot) h
       cross join generate_series(1, $4::int) k
       cross join lateral (select h.hot and g % 3 = 0 and k = $4 as booked) o
       cross join lateral (select ($5::text[])[1 + (g * 31 + k * 17) % (case when h.hot then $6 else 4 end)] as path) p`,
      [site.siteId, persons, new Date(now).toISOString(), perPerson, PATHS, PATHS.length],
    );
    await db.query('vacuum analyze events, persons, identities, accounts');
    const seedMs = performance.now() - t0;

    const collector = createCollector({ db, config: {}, rescoreIntervalMs: 0 });
    const auth = { authorization: `Bearer ${site.secretKey}` };
    const loadAverage = loadavg()[0] ?? 0;
    const reportMs: number[] = [];
    let heapMb = 0;
    let report: CalibrationReport | undefined;
    for (let run = 0; run < runs; run++) {
      const t = performance.now();
      const res = await collector.app.request('/v1/calibration', { headers: auth });
      const body = await res.text();
      reportMs.push(performance.now() - t);
      heapMb = Math.max(heapMb, process.memoryUsage().heapUsed / 1e6);
      if (res.status !== 200) throw new Error(`GET /v1/calibration answered ${res.status}: ${body.slice(0, 200)}`);
      report = JSON.parse(body) as CalibrationReport;
      log(
        `report ${run + 1}/${runs}: ${reportMs[run]!.toFixed(0)} ms, ${fmt(report.sample.observations)} observations`,
      );
    }
    const noop: number[] = [];
    for (let i = 0; i < 50; i++) {
      const t = performance.now();
      await (await collector.app.request('/healthz')).text();
      noop.push(performance.now() - t);
    }
    await collector.drain();
    const m = report?.model;
    return {
      options: { persons, events: persons * perPerson, runs },
      seedMs,
      loadAverage,
      reportMs,
      noopMs: noop.sort((a, b) => a - b)[Math.floor(noop.length / 2)]!,
      heapMb,
      sample: report!.sample,
      weeks: report!.range.weeks,
      auc: m ? { current: m.current.auc, fitted: m.fitted.auc, uniform: m.uniform.auc } : null,
    };
  } finally {
    await db.close();
  }
}

export function calibrationMarkdown(r: CalibrationBenchResult, command: string, date: Date): string {
  const o = r.options;
  const s = r.sample;
  const auc = (v: number | null | undefined) => (v === null || v === undefined ? 'n/a' : v.toFixed(3));
  return [
    `Measured ${date.toISOString().slice(0, 10)} with \`${command}\` (1-minute load average at the start: ${r.loadAverage.toFixed(1)}).`,
    '',
    `${fmt(o.persons)} people (three in five in accounts of three), ${fmt(o.events)} events over 20 weeks, seeded with set-based SQL into \`events\`, \`persons\`, \`identities\` and \`accounts\` in ${(r.seedMs / 1000).toFixed(1)} s. \`GET /v1/calibration\` through \`app.request()\` in the bench process, ${o.runs} reports one after the other; baseline: \`GET /healthz\` of the same app (median ${r.noopMs.toFixed(1)} ms).`,
    '',
    `Each report read ${fmt(s.events)} events of ${fmt(s.subjects)} observed people at ${r.weeks} weekly snapshots: ${fmt(s.observations)} observations, ${fmt(s.converted)} converted; AUC on the newer people: today's weights ${auc(r.auc?.current)}, fitted ${auc(r.auc?.fitted)}, uniform ${auc(r.auc?.uniform)}.`,
    '',
    '| Run | ms |',
    '| --- | ---: |',
    ...r.reportMs.map((ms, i) => `| \`GET /v1/calibration\` #${i + 1} | ${fmt(Math.round(ms))} |`),
    `| \`GET /healthz\` (no-op baseline, median) | ${r.noopMs.toFixed(1)} |`,
    '',
    `Largest heap used after a report: ${fmt(Math.round(r.heapMb))} MB. Aim: under 60 s: ${Math.max(...r.reportMs) < 60_000 ? 'met' : 'missed'}.`,
  ].join('\n');
}
