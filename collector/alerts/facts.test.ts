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

  it("should look up each pair's rule_subjects row and each subject's name by key, whatever the tables' sizes when the plan was made", async () => {
    // A prepared statement's generic plan is made once and kept for the connection's life:
    // here while the tables held 4 rows, then used after they grew (a server that has not
    // analysed them again plans nothing anew).
    await t.db.query(
      `insert into rule_subjects (site_id, rule_id, subject_id, fired_count)
       select $1, 'rule_' || s, 'per_' || s, 1 from generate_series(0, 3) as s`,
      [SITE],
    );
    await t.db.query(
      `insert into persons (site_id, id, traits) select $1, 'per_' || s, jsonb_build_object('name', 'Person ' || s)
         from generate_series(0, 3) as s`,
      [SITE],
    );
    await t.db.query('analyze rule_subjects');
    await t.db.query('analyze persons');
    const pairs = ids.flatMap((id) => ['rule_0', 'rule_1', 'rule_2'].map((ruleId) => ({ ruleId, subjectId: id })));
    const st = pairFactsStatement(SITE, 'person', { historyIds: [], from: NOW, now: NOW }, ids, pairs);
    const args = st.params.map(literal).join(', ');
    // The function's own statement, planned as the function plans it (under its SET clause).
    const [fn] = await t.db.query<{ body: string; config: string[] | null }>(
      `select prosrc as body, proconfig as config from pg_proc where proname = 'rule_subject_states'`,
    );
    const inner = (/RETURN QUERY([\s\S]*);\s*END/i.exec(fn?.body ?? '')?.[1] ?? '')
      .replaceAll('p_site', '$1')
      .replaceAll('p_rules', '$2')
      .replaceAll('p_subjects', '$3');
    const innerArgs = [SITE, pairs.map((p) => p.ruleId), pairs.map((p) => p.subjectId)].map(literal).join(', ');
    const plans = await t.db.transaction(async (tx) => {
      await tx.query('set local plan_cache_mode = force_generic_plan');
      await tx.query(`prepare facts_probe as ${st.text}`);
      await tx.query(`explain execute facts_probe(${args})`);
      for (const setting of fn?.config ?? []) {
        const [name, value] = setting.split('=');
        await tx.query(`set local ${name} = ${literal(value)}`);
      }
      await tx.query(`prepare states_probe(text, text[], text[]) as ${inner}`);
      await tx.query(`explain execute states_probe(${innerArgs})`);
      await tx.query(
        `insert into rule_subjects (site_id, rule_id, subject_id, fired_count)
         select $1, 'rule_' || (s % 4), 'per_x' || s, 1 from generate_series(0, 19999) as s`,
        [SITE],
      );
      await tx.query(`insert into persons (site_id, id) select $1, 'per_x' || s from generate_series(0, 19999) as s`, [
        SITE,
      ]);
      const plan = async (probe: string, probeArgs: string) =>
        JSON.stringify((await tx.query(`explain (format json) execute ${probe}(${probeArgs})`))[0]?.['QUERY PLAN']);
      const answer = { outer: await plan('facts_probe', args), inner: await plan('states_probe', innerArgs) };
      await tx.query('deallocate facts_probe');
      await tx.query('deallocate states_probe');
      return answer;
    });
    const seqScanOf = (plan: string, table: string) =>
      new RegExp(`"Node Type":"Seq Scan"[^{}]*"Relation Name":"${table}"`).test(plan);
    const seqScanOfTable = (plan: string) => seqScanOf(plan, 'rule_subjects');
    expect(seqScanOfTable(plans.outer)).toBe(false);
    expect(seqScanOf(plans.outer, 'persons')).toBe(false);
    expect(plans.outer).toContain('rule_subject_states');
    expect(plans.outer).toContain('subject_labels');
    expect(plans.inner).toContain('rule_subjects_site_id_rule_id_subject_id_pk');
    expect(seqScanOfTable(plans.inner)).toBe(false);
    const facts = await loadPairFacts(t.db, SITE, 'person', { historyIds: [], from: NOW, now: NOW }, ['per_1'], pairs);
    expect(facts.info.get('per_1')).toEqual({ name: 'Person 1', owner: null });
    expect([...facts.known.keys()].sort()).toEqual(['rule_0\u0000per_0', 'rule_1\u0000per_1', 'rule_2\u0000per_2']);
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
