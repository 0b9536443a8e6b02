import { loadavg } from 'node:os';
import { createCollector } from '../collector/app.ts';
import type { Database } from '../collector/db/client.ts';
import { rescore } from '../collector/scoring/rescore.ts';
import { type CreatedSite, createSite } from '../collector/sites.ts';
import { createBenchDatabase } from './database.ts';
import { fmt } from './report.ts';

/**
 * The cost of one event as history grows: one single-event batch (`POST /v1/batch`, in
 * process through the collector's app: ingest, identity, the person's score and their
 * account's) for subjects that differ only in what lies behind them. The two subjects of
 * each ratio are measured round-robin, so the machine's load falls on both alike; each
 * figure is a median.
 */
export interface PerEventOptions {
  url: string;
  /** Single-event batches per subject (>= 15). */
  samples: number;
  log: (line: string) => void;
}

export interface Subject {
  label: string;
  /** Events in the person's history (for an account: its contacts). */
  size: number;
  medianMs: number;
}

export interface PerEventResult {
  persons: Subject[];
  accounts: Subject[];
  samples: number;
  loadAverage: number;
}

const DAY = 86_400_000;
const PATHS = ['/pricing', '/product', '/customers/northwind', '/blog/intent', '/docs/api', '/demo'];

export async function benchPerEvent(options: PerEventOptions): Promise<PerEventResult> {
  const { log, samples } = options;
  const db = await createBenchDatabase(options.url);
  const collector = createCollector({ db, rescoreIntervalMs: 0 });
  try {
    const site = await createSite(db, 'per-event bench');
    // Seeding as the site's server (secret key: trusted, so the identify links are verified, as
    // for a known user); the measured events as its pages send them (write key).
    const send = async (batch: object[], key = site.secretKey) => {
      const res = await collector.app.request('/v1/batch', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Basic ${btoa(`${key}:`)}` },
        body: JSON.stringify({ batch }),
      });
      if (res.status !== 200) throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
    };
    let seq = 0;
    const page = (anonymousId: string, userId: string, ago = 0) => ({
      type: 'page',
      messageId: `pe-${++seq}`,
      anonymousId,
      userId,
      timestamp: new Date(Date.now() - ago).toISOString(),
      properties: { path: PATHS[seq % PATHS.length] },
    });

    // (a) Persons: the same 10 recent events; behind them nothing, 29,990 events older than
    // the horizon, or 5,000 more within it (what the cost does grow with).
    // `rotation`: the subjects measured round-robin together (see below).
    const persons = [
      { label: '10 events', user: 'u-10', old: 0, inWindow: 0, rotation: 'persons' },
      {
        label: '30,000 events (29,990 before the horizon)',
        user: 'u-30k',
        old: 29_990,
        inWindow: 0,
        rotation: 'persons',
      },
      { label: '5,010 events within the horizon', user: 'u-5k', old: 0, inWindow: 5_000, rotation: 'last' },
    ];
    log('seeding persons');
    for (const p of persons) {
      await send([
        { type: 'identify', messageId: `pe-${++seq}`, anonymousId: `a-${p.user}`, userId: p.user },
        ...Array.from({ length: 10 }, (_, i) => page(`a-${p.user}`, p.user, (i + 1) * 3_600_000)),
      ]);
      // Before the horizon (312 days by default): 400 to ~1,000 days old.
      await seedEvents(db, site, p.user, p.old, 400 * DAY, 600 * DAY);
      // Within it, older than the 10 recent ones: 2 to 200 days old.
      await seedEvents(db, site, p.user, p.inWindow, 2 * DAY, 198 * DAY);
    }

    // (b) Accounts: a contact of an account of 1 contact, and of one of 400; 3 recent events each.
    const accounts = [
      { label: 'account of 1 contact', group: 'org-1', contacts: 1 },
      { label: 'account of 400 contacts', group: 'org-400', contacts: 400 },
    ];
    log('seeding accounts');
    for (const a of accounts) {
      const messages = Array.from({ length: a.contacts }, (_, i) => {
        const user = `${a.group}-c${i}`;
        return [
          { type: 'identify', messageId: `pe-${++seq}`, anonymousId: `a-${user}`, userId: user },
          { type: 'group', messageId: `pe-${++seq}`, userId: user, anonymousId: `a-${user}`, groupId: a.group },
          ...[1, 2, 3].map((d) => page(`a-${user}`, user, d * DAY)),
        ];
      }).flat();
      for (let i = 0; i < messages.length; i += 100) await send(messages.slice(i, i + 100));
    }
    await db.query('analyze');
    await rescore(db, collector.configs, { siteId: site.siteId, all: true });

    const loadAverage = loadavg()[0] ?? 0;
    const subjects = [
      ...persons.map((p) => ({
        label: p.label,
        size: 10 + p.old + p.inWindow,
        user: p.user,
        kind: 'person',
        rotation: p.rotation,
      })),
      ...accounts.map((a) => ({
        label: a.label,
        size: a.contacts,
        user: `${a.group}-c0`,
        kind: 'account',
        rotation: 'accounts',
      })),
    ];
    const times = subjects.map((): number[] => []);
    // Each pair a ratio compares is measured round-robin on its own, and the person with
    // 5,010 events within the horizon last, alone: the garbage its batches leave (its events,
    // read and scored on each one) is collected during whatever batch runs next, and in one
    // rotation with it that cost fell on the pairs' batches, most on the largest.
    const rotations = ['persons', 'accounts', 'last'].map((r) =>
      subjects.flatMap((s, i) => (s.rotation === r ? [i] : [])),
    );
    log(`${samples} single-event batches per subject, round-robin within each pair`);
    for (const rotation of rotations) {
      // Two warm-up rounds (plans, caches), not counted.
      for (let round = -2; round < samples; round++) {
        for (const i of rotation) {
          const s = subjects[i]!;
          const t0 = performance.now();
          await send([page(`a-${s.user}`, s.user)], site.writeKey);
          if (round >= 0) times[i]!.push(performance.now() - t0);
        }
      }
    }
    const result = subjects.map((s, i) => ({ ...s, medianMs: median(times[i]!) }));
    return {
      persons: result
        .filter((s) => s.kind === 'person')
        .map(({ label, size, medianMs }) => ({ label, size, medianMs })),
      accounts: result
        .filter((s) => s.kind === 'account')
        .map(({ label, size, medianMs }) => ({ label, size, medianMs })),
      samples,
      loadAverage,
    };
  } finally {
    await collector.drain();
    await db.close();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** `n` page events of `user` (set-based SQL), dated evenly from `from` to `from + span` ago. */
async function seedEvents(db: Database, site: CreatedSite, user: string, n: number, from: number, span: number) {
  if (n === 0) return;
  await db.query(
    `insert into events (site_id, received_at, message_id, type, anonymous_id, user_id, path, url, "timestamp",
                         properties, traits, context, is_bot)
     select $1, now(), 'seed-' || $2 || '-' || g, 'page', 'a-' || $2, $2, p.path, 'https://acme.test' || p.path,
            now() - ($4::bigint + (g::bigint * $5::bigint / $3)) * interval '1 millisecond',
            jsonb_build_object('path', p.path), '{}'::jsonb, '{}'::jsonb, false
       from generate_series(1, $3::int) g
       cross join lateral (select ($6::text[])[1 + g % $7] as path) p`,
    [site.siteId, user, n, from, span, PATHS, PATHS.length],
  );
}

export function perEventMarkdown(r: PerEventResult, command: string, date: Date): string {
  const ms = (v: number) => v.toFixed(1);
  const table = (rows: Subject[], unit: string) => {
    const base = rows[0]!.medianMs;
    return [
      `| ${unit} | Median ms per single-event batch | vs first row |`,
      '| --- | ---: | ---: |',
      ...rows.map((s) => `| ${s.label} | ${ms(s.medianMs)} | ${(s.medianMs / base).toFixed(2)}x |`),
    ];
  };
  return [
    `Measured ${date.toISOString().slice(0, 10)} with \`${command}\` (1-minute load average at the start: ${r.loadAverage.toFixed(1)}; the machine is shared, compare rows of one run).`,
    '',
    `One single-event batch (\`POST /v1/batch\` through the collector in process: ingest, identity, the person's score and their account's), median of ${fmt(r.samples)} per subject, after two warm-up rounds. The two subjects of each ratio are measured round-robin together, and the person with 5,010 events within the horizon last, alone: the garbage its batches leave is collected during whichever batch runs next, and with all five in one rotation (as until 2026-11-30) that cost fell on the other subjects' batches. Default model, horizon 312 days.`,
    '',
    ...table(r.persons, 'Person'),
    '',
    ...table(r.accounts, 'A contact of'),
    '',
    `Ratios (target <= 1.5): 30,000 vs 10 events ${(r.persons[1]!.medianMs / r.persons[0]!.medianMs).toFixed(2)}; 400 vs 1 contacts ${(r.accounts[1]!.medianMs / r.accounts[0]!.medianMs).toFixed(2)}. What the cost still grows with is the signals that can still count (third row: about 5,000): their events are not read again (only those after the stored derivation's checkpoint, at most a minute and 8 events back, which the new one resumes), but the stored signals are parsed, scored and written back on every event of that person.`,
  ].join('\n');
}
