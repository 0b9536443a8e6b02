import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FreshDatabase, openFreshDatabase } from '../../test/helpers/fresh-database.ts';
import { literal } from '../db/literals.ts';
import { loadPairFacts, pairFactsStatement } from './facts.ts';

const SITE = 'site_facts';
const NOW = Date.UTC(2026, 11, 1, 12);
const MINUTE = 60_000;
const ids = Array.from({ length: 60 }, (_, i) => `per_${i}`);

let t: FreshDatabase;
beforeAll(async () => {
  t = await openFreshDatabase();
  await t.migrate();
  // A site of few subjects with a busy day each: 60 people, a score a minute for two hours.
  await t.db.query(
    `insert into score_history (site_id, subject_kind, subject_id, at, score, tier)
     select $1, 'person', 'per_' || s, $2::timestamptz - make_interval(mins => m), (s + m) % 100, 'low'
       from generate_series(0, 59) as s, generate_series(1, 120) as m`,
    [SITE, new Date(NOW).toISOString()],
  );
  // And a few rows of many other sites, as on a server with other sites.
  await t.db.query(
    `insert into score_history (site_id, subject_kind, subject_id, at, score, tier)
     select 'site_other_' || (s % 30), case when s % 3 = 0 then 'account' else 'person' end, 'per_o' || s,
            $1::timestamptz - make_interval(days => s % 40), s % 100, 'low'
       from generate_series(1, 300) as s`,
    [new Date(NOW).toISOString()],
  );
  await t.db.query('analyze score_history');
}, 60_000);
afterAll(async () => {
  await t.close();
});

describe('the facts read', () => {
  it("should read each subject's window through its own key, also as a prepared statement's generic plan", async () => {
    const st = pairFactsStatement(SITE, 'person', { historyIds: ids, from: NOW - 60 * MINUTE, now: NOW }, ids, []);
    const plan = await t.db.transaction(async (tx) => {
      await tx.query('set local plan_cache_mode = force_generic_plan');
      await tx.query(`prepare facts_probe as ${st.text}`);
      const rows = await tx.query<{ 'QUERY PLAN': unknown }>(
        `explain (format json) execute facts_probe(${st.params.map(literal).join(', ')})`,
      );
      await tx.query('deallocate facts_probe');
      return JSON.stringify(rows[0]?.['QUERY PLAN']);
    });
    // Not the site's time index, which reads every subject's window for each subject.
    expect(plan).toContain('score_history_site_id_subject_kind_subject_id_at_id_pk');
    expect(plan).not.toContain('score_history_site_kind_at_idx');
  });

  it('should answer the score in force when the window opened, then the scores within it', async () => {
    const facts = await loadPairFacts(
      t.db,
      SITE,
      'person',
      { historyIds: ['per_1'], from: NOW - 3 * MINUTE, now: NOW },
      ['per_1'],
      [],
    );
    // per_1 scored (1 + m) % 100 at NOW - m minutes: 5 at -4 min, in force at -3 min.
    expect(facts.history.get('per_1')).toEqual([
      { at: NOW - 3 * MINUTE, score: 5 },
      { at: NOW - 3 * MINUTE, score: 4 },
      { at: NOW - 2 * MINUTE, score: 3 },
      { at: NOW - 1 * MINUTE, score: 2 },
    ]);
  });
});
