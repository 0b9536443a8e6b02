import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CalibrationReport } from '../../shared/calibration/report.ts';
import { calibrationReport as fixture, XSS_LABEL, XSS_RULE } from '../../test/helpers/calibration-report.ts';
import { hiddenField } from '../../test/helpers/dashboard.ts';
import { inlineScripts, section, signedIn } from '../../test/helpers/dashboard-seed.ts';
import { newSite, openTestDatabase, type TestDatabase } from '../../test/helpers/db.ts';
import { intentClient, page, track } from '../../test/helpers/intent.ts';
import { TEST_LIMITS } from '../../test/helpers/server.ts';
import { type Collector, createCollector } from '../app.ts';
import type { Database } from '../db/client.ts';
import type { CalibrationOptions } from './context.ts';

let t: TestDatabase;
let db: Database;
/** A collector whose calibration page gets `report` (and records each call), and one without the report. */
let collector: Collector;
let bare: Collector;
let report: CalibrationReport;
let calls: Array<{ siteId: string; options: CalibrationOptions }>;

beforeAll(async () => {
  t = await openTestDatabase();
  db = t.db;
  collector = createCollector({
    db,
    rescoreIntervalMs: 0,
    limits: TEST_LIMITS,
    config: { publicUrl: 'https://inkling.example.com' },
    calibration: async (siteId, options) => {
      calls.push({ siteId, options });
      return report;
    },
  });
  bare = createCollector({ db, rescoreIntervalMs: 0, limits: TEST_LIMITS, delivery: { enabled: false } });
});
afterAll(async () => {
  await collector?.drain();
  await bare?.drain();
  await t?.close();
});
beforeEach(() => {
  report = fixture();
  calls = [];
});

const row = (html: string, label: string) => {
  const start = html.indexOf(label);
  return html.slice(start, html.indexOf('</tr>', start));
};

describe('the calibration page', () => {
  it('should show every section with its numbers, the signals by lift with the small ones marked, and labels as text', async () => {
    const site = await newSite(db);
    const { browser } = await signedIn(db, collector, site.siteId, 'rep');
    const res = await browser.get('/dashboard/calibration');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(calls).toEqual([{ siteId: site.siteId, options: { highRate: undefined, mediumRate: undefined } }]);
    expect(html).toContain('<a href="/dashboard/calibration" aria-current="page">Calibration</a>');

    const outcomes = section(html, 'h-outcomes');
    expect(outcomes).toContain('<code>Demo Booked</code>, <code>Deal Won</code>');
    expect(outcomes).toContain('<span class="num" data-num="30">30</span> days');
    expect(outcomes).toContain('<span class="num" data-num="26">26</span>, <time datetime="2026-06-01T00:00:00.000Z"');
    expect(outcomes).toContain('<dt>Subjects</dt><dd><span class="num" data-num="4812">4812</span>');
    expect(outcomes).toContain(
      '<span class="num" data-num="31377">31377</span>, <span class="num" data-num="913">913</span> converted',
    );

    const tiers = section(html, 'h-tiers');
    const people = tiers.slice(tiers.indexOf('id="tiers-person"'), tiers.indexOf('id="tiers-account"'));
    expect(row(people, 'tier-high')).toMatch(
      /data-num="1240">1240<.*data-num="187">187<.*>15\.1%<\/td>.*>13\.1%–17\.2%<\/td>/s,
    );
    expect(row(people, 'tier-low')).toMatch(/data-num="25127".*>1\.7%<\/td>.*>1\.5%–1\.9%<\/td>/s);
    // By week, oldest first, so drift shows: High fell from 14.8% to 6.9%; an empty tier shows a dash.
    expect(people).toMatch(
      /2026-11-16<\/time><\/td><td class="n">14\.8%<span class="sub"><span class="num" data-num="61">/,
    );
    expect(people).toMatch(/2026-11-23<\/time><\/td><td class="n">6\.9%/);
    expect(people).toContain('<td class="n">—<span class="sub"><span class="num" data-num="0">0</span>');
    const accounts = tiers.slice(tiers.indexOf('id="tiers-account"'));
    expect(row(accounts, 'tier-high')).toMatch(/data-num="402">402<.*>23\.9%<\/td>.*>20%–28%<\/td>/s);
    expect(accounts).toContain('No weekly snapshot of accounts yet.');

    const signals = section(html, 'h-signals');
    const order = ['Webinar attended', '&lt;script&gt;alert(&quot;signal&quot;)&lt;/script&gt;', 'Careers page'];
    expect(order.map((l) => signals.indexOf(l))).toEqual(
      [...order.map((l) => signals.indexOf(l))].sort((a, b) => a - b),
    );
    expect(order.every((l) => signals.includes(l))).toBe(true);
    expect(row(signals, 'Webinar attended')).toContain('×9.84<span class="sub too-small-mark">too few to say</span>');
    expect(signals).toContain('<tr class="too-small">');
    expect(signals.match(/too few to say/g)).toHaveLength(1);
    const pricing = row(signals, 'alert(&quot;signal');
    expect(pricing).toContain('×5.21');
    expect(pricing).toMatch(
      /<strong>9\.8%<\/strong> <span class="sub"><span class="num" data-num="402">402<\/span> of <span class="num" data-num="4120">4120<\/span> · 8\.9%–10\.7%/,
    );
    expect(row(signals, 'Careers page')).toContain('×0.12');

    const model = section(html, 'h-model');
    expect(model).toContain('logistic_l2 (lambda 1)');
    expect(model).toMatch(
      /<th scope="row">Today’s<\/th><td class="n">0\.71<\/td><td><span class="rate"><strong>7\.6%<\/strong>/,
    );
    expect(model).toMatch(
      /<th scope="row">Fitted<\/th><td class="n">0\.79<\/td><td><span class="rate"><strong>11\.1%<\/strong>/,
    );
    expect(model).toMatch(
      /<th scope="row">Uniform<\/th><td class="n">0\.63<\/td><td><span class="rate"><strong>5\.2%<\/strong>/,
    );
    expect(row(model, 'Careers page')).toMatch(
      /data-num="5">5<.*<strong><span class="num" data-num="-12.3">-12.3<\/span><\/strong>.*-0\.472/s,
    );
    expect(row(model, 'alert(&quot;signal')).toMatch(/data-num="20">20<.*data-num="31.5">31.5<.*1\.214/s);
    expect(model).toContain('curl -X PUT https://inkling.example.com/v1/config');
    const pre = /<pre class="proposal"><code>(.*?)<\/code><\/pre>/s.exec(model)?.[1] ?? '';
    expect(pre).toContain('\n  &quot;version&quot;: 1,\n');
    expect(pre.replaceAll('&quot;', '"')).toContain('"tiers": {\n    "medium": 35,\n    "high": 60\n  }');
    // A rep reads the proposal but gets no button.
    expect(model).not.toContain('<form');
    expect(model).toContain('An admin of the site can apply it');

    const thresholds = section(html, 'h-thresholds');
    expect(thresholds).toContain('<form class="rates-form" method="get" action="/dashboard/calibration">');
    expect(thresholds).toContain('name="highRate" min="0.001" max="0.999" step="any" value="0.25"');
    expect(thresholds).toContain('name="mediumRate" min="0.001" max="0.999" step="any" value="0.08"');
    expect(row(thresholds, '<th scope="row">Now')).toMatch(
      /data-num="70">.*data-num="40">.*data-num="402">.*data-num="1333">.*data-num="3077">/s,
    );
    expect(row(thresholds, '<th scope="row">Proposed')).toMatch(
      /data-num="83">.*none reaches it.*data-num="117">.*data-num="0">.*data-num="4695">/s,
    );
    expect(thresholds).toMatch(/proposed High<\/dt><dd><span class="rate"><strong>25.6%<\/strong>/);

    const triggers = section(html, 'h-triggers');
    expect(triggers).toContain('&lt;img src=x onerror=alert(&quot;rule&quot;)&gt;');
    expect(triggers).toMatch(
      /<strong>25%<\/strong> <span class="sub"><span class="num" data-num="30">30<\/span> of <span class="num" data-num="120">120/,
    );
    expect(triggers).toContain('>14.3%</strong>');
    expect(triggers).toContain('+10.7 pts');

    expect(html).not.toContain(XSS_LABEL);
    expect(html).not.toContain(XSS_RULE);
    expect(inlineScripts(html)).toEqual([]);
  });

  it('should ask the report for the rates in the query, and refuse rates that are not between 0 and 1', async () => {
    const site = await newSite(db);
    const { browser } = await signedIn(db, collector, site.siteId);
    expect((await browser.get('/dashboard/calibration?highRate=0.4&mediumRate=0.1')).status).toBe(200);
    expect(calls).toEqual([{ siteId: site.siteId, options: { highRate: 0.4, mediumRate: 0.1 } }]);
    for (const query of ['highRate=2', 'highRate=abc', 'mediumRate=0', 'highRate=%20']) {
      const res = await browser.get(`/dashboard/calibration?${query}`);
      expect(res.status, query).toBe(400);
      expect(await res.text(), query).toContain('must be a conversion rate between 0 and 1');
    }
    const inverted = await browser.get('/dashboard/calibration?highRate=0.1&mediumRate=0.2');
    expect(inverted.status).toBe(400);
    expect(await inverted.text()).toContain('highRate must be above mediumRate.');
    expect(calls).toHaveLength(1);
  });

  it('should say why there is no model, with no proposal and no button', async () => {
    report = { ...fixture(), model: null, modelSkipped: 'Only 3 weeks of history: at least 8 are needed.' };
    const site = await newSite(db);
    const { browser } = await signedIn(db, collector, site.siteId, 'admin');
    const html = await (await browser.get('/dashboard/calibration')).text();
    const model = section(html, 'h-model');
    expect(model).toContain('No model was fitted: Only 3 weeks of history: at least 8 are needed.');
    expect(html).not.toContain('class="proposal"');
    expect(html).not.toContain('/dashboard/calibration/apply');
    // The other sections are there all the same.
    expect(section(html, 'h-signals')).toContain('Careers page');
  });

  it("should show a site's own report, computed from its events, when no history can fit a model yet, and link the Model page to it", async () => {
    const site = await newSite(db);
    const admin = await signedIn(db, bare, site.siteId, 'admin');
    const res = await admin.browser.get('/dashboard/calibration');
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('No model was fitted:');
    expect(page).not.toContain('Apply this proposal');
    // No snapshot yet: no range of dates that are one and the same day.
    expect(page).toMatch(/<dt>Weekly snapshots<\/dt><dd>none yet<\/dd>/);
    const model = await (await admin.browser.get('/dashboard/model')).text();
    expect(model).toContain('<a href="/dashboard/calibration">Calibration</a>');
    const token = hiddenField(model, '_csrf') as string;
    // Nothing to apply: the reviewed instant is checked first, then there is no proposal.
    const apply = await admin.browser.post('/dashboard/calibration/apply', {
      _csrf: token,
      at: String(Date.now()),
      proposal: 'x',
    });
    expect(apply.status).toBe(409);
  });
});

describe('applying a proposal', () => {
  /** A person who read pricing twice and asked for a demo: the High level's points count for them. */
  async function seedPerson(site: Awaited<ReturnType<typeof newSite>>) {
    const api = intentClient(collector, site);
    const anon = `ana-${site.siteId}`;
    await api.sendAsServer([
      page(anon, '/pricing'),
      page(anon, '/plans/enterprise'),
      track({ anonymousId: anon }, 'Demo Requested'),
    ]);
    return async () =>
      (
        await db.query<{ points: number; score: number }>(
          `select s.points, s.score from person_scores s join identities i on i.site_id = s.site_id and i.person_id = s.person_id
            where s.site_id = $1 and i.anonymous_id = $2`,
          [site.siteId, anon],
        )
      )[0];
  }

  const config = async (site: Awaited<ReturnType<typeof newSite>>) =>
    (await intentClient(collector, site).get('/v1/config')).json() as Promise<{
      levels: { high: number };
      tiers: { medium: number; high: number };
    }>;

  it("should store an admin's applied proposal as PUT /v1/config does and rescore; reps and bad tokens are refused", async () => {
    const site = await newSite(db);
    const scoreOf = await seedPerson(site);
    const before = await scoreOf();
    expect(before?.score).toBeGreaterThan(0);

    const rep = await signedIn(db, collector, site.siteId, 'rep');
    const repPage = await (await rep.browser.get('/dashboard/calibration')).text();
    const repToken = hiddenField(repPage, '_csrf') as string;

    const admin = await signedIn(db, collector, site.siteId, 'admin');
    const html = await (await admin.browser.get('/dashboard/calibration')).text();
    const form = section(html, 'h-model');
    expect(form).toContain('<form class="apply-form" method="post" action="/dashboard/calibration/apply">');
    expect(form).toContain('<button type="submit" class="primary">Apply this proposal</button>');
    const fields = Object.fromEntries(
      ['_csrf', 'proposal', 'at', 'highRate', 'mediumRate'].map((n) => [n, hiddenField(form, n) as string]),
    );
    expect(fields.at).toBe(String(Date.parse(report.generatedAt)));
    expect(fields.highRate).toBe('0.25');

    expect((await rep.browser.post('/dashboard/calibration/apply', { ...fields, _csrf: repToken })).status).toBe(403);
    expect((await admin.browser.post('/dashboard/calibration/apply', { ...fields, _csrf: 'forged' })).status).toBe(403);
    const { _csrf: _, ...noToken } = fields;
    expect((await admin.browser.post('/dashboard/calibration/apply', noToken)).status).toBe(403);
    expect(await config(site)).toMatchObject({ levels: { high: 20 }, tiers: { medium: 40, high: 70 } });
    expect(await scoreOf()).toEqual(before);

    calls = [];
    const applied = await admin.browser.post('/dashboard/calibration/apply', fields);
    expect(applied.status).toBe(303);
    expect(applied.headers.get('location')).toBe('/dashboard/model?applied=1');
    // Recomputed at the instant reviewed, with the rates reviewed.
    expect(calls).toEqual([
      { siteId: site.siteId, options: { highRate: 0.25, mediumRate: 0.08, now: Date.parse(report.generatedAt) } },
    ]);
    expect(await config(site)).toMatchObject({ levels: { high: 60 }, tiers: { medium: 35, high: 60 } });
    const after = await scoreOf();
    expect(after?.points).toBeGreaterThan(before?.points as number);
    expect(after?.score).toBeGreaterThan(before?.score as number);
    const model = await (await admin.browser.get('/dashboard/model?applied=1')).text();
    expect(model).toContain('The proposal is applied');
    expect(model).toMatch(/<dt>High<\/dt><dd>score <span class="num" data-num="60">60<\/span> and above/);
  });

  it('should refuse a proposal that changed since it was reviewed, and a report reviewed too long ago', async () => {
    const site = await newSite(db);
    const admin = await signedIn(db, collector, site.siteId, 'admin');
    const form = section(await (await admin.browser.get('/dashboard/calibration')).text(), 'h-model');
    const fields = Object.fromEntries(
      ['_csrf', 'proposal', 'at', 'highRate', 'mediumRate'].map((n) => [n, hiddenField(form, n) as string]),
    );
    // New outcomes came in: the recomputed report proposes other points.
    const changed = fixture();
    if (!changed.model) throw new Error('the fixture has a model');
    (changed.model.proposal as { levels: { high: number } }).levels.high = 45;
    report = changed;
    const res = await admin.browser.post('/dashboard/calibration/apply', fields);
    expect(res.status).toBe(409);
    expect(await res.text()).toContain('The proposal has changed since you reviewed it');

    report = fixture();
    const old = String(Date.now() - 2 * 86_400_000);
    expect((await admin.browser.post('/dashboard/calibration/apply', { ...fields, at: old })).status).toBe(409);
    expect((await admin.browser.post('/dashboard/calibration/apply', { ...fields, at: 'x' })).status).toBe(400);
    report = { ...fixture(), model: null, modelSkipped: 'too little history' };
    expect((await admin.browser.post('/dashboard/calibration/apply', fields)).status).toBe(409);
    expect(await config(site)).toMatchObject({ levels: { high: 20 }, tiers: { medium: 40, high: 70 } });
  });
});
