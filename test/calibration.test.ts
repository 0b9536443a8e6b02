import { Ajv2020 } from 'ajv/dist/2020.js';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../collector/db/client.ts';
import type { CreatedSite } from '../collector/sites.ts';
import { batches, generateVisitors } from '../examples/calibration/generate.ts';
import type { CalibrationReport, SignalLift } from '../shared/calibration/report.ts';
import { newSite } from './helpers/db.ts';
import { type TestServer, useTestServer } from './helpers/server.ts';

/**
 * The calibration report proven on data with a known answer, over real HTTP: synthetic
 * visitors (examples/calibration/generate.ts, fixed seed) whose demo bookings depend on
 * planted signals (pricing and demo visits raise them, careers visits lower them, blog and
 * docs visits do nothing) are posted to `POST /v1/batch` as the site's pages (write key) and
 * a CRM (secret key) would send them; `GET /v1/calibration` must recover what was planted.
 */
/** Enough for every seed tried (14 and 1-5) to recover the planted effects with a margin, few enough for a quick test. */
const VISITORS = 1000;
let server: TestServer;
let site: CreatedSite;
let report: CalibrationReport;
const now = Date.now();
const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;
const bearer = () => ({ authorization: `Bearer ${site.secretKey}` });

let db: Database;
useTestServer((env) => {
  server = env.server;
  db = env.t.db;
});

async function post(batch: object[], key: string) {
  const res = await fetch(`${server.url}/v1/batch`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: basic(key) },
    body: JSON.stringify({ batch }),
  });
  expect(res.status, await res.clone().text()).toBe(200);
}

async function get(path: string, headers: Record<string, string> = bearer()) {
  return fetch(`${server.url}${path}`, { headers });
}

const lift = (signal: string): SignalLift => {
  const found = report.signals.find((s) => s.signal === signal);
  if (!found) throw new Error(`no lift for ${signal}`);
  return found;
};

beforeAll(async () => {
  site = await newSite(db);
  // A trigger with a holdout: the report's trigger lift lists it.
  const rule = await fetch(`${server.url}/v1/rules`, {
    method: 'POST',
    headers: { ...bearer(), 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'Medium intent',
      subject: 'person',
      when: { type: 'threshold', tier: 'medium' },
      actions: [{ type: 'webhook', url: 'http://127.0.0.1:9/inkling' }],
      holdout: 0.5,
    }),
  });
  expect(rule.status).toBe(201);
  const data = generateVisitors({ seed: 14, visitors: VISITORS, weeks: 20, now });
  for (const batch of batches(data.browser)) await post(batch, site.writeKey);
  for (const batch of batches(data.crm)) await post(batch, site.secretKey);
  const res = await get('/v1/calibration');
  expect(res.status).toBe(200);
  report = (await res.json()) as CalibrationReport;
}, 180_000);

describe('GET /v1/calibration on synthetic visitors with planted effects', () => {
  it('should observe the weekly snapshots of the history and the default outcomes', () => {
    expect(report.outcomes).toEqual({ events: ['Demo Booked', 'Opportunity Created', 'Deal Won'], windowDays: 30 });
    expect(report.range.weeks).toBeGreaterThanOrEqual(18);
    expect(report.sample.subjects).toBeGreaterThan(VISITORS * 0.8);
    expect(report.sample.converted).toBeGreaterThan(100);
    expect(report.sample.events).toBeGreaterThan(VISITORS * 3);
  });

  it('should recover the ordering of the planted effects: pricing above neutral blog above careers', () => {
    const [pricing, blog, careers] = [lift('pricing_page'), lift('blog_page'), lift('careers_page')];
    expect(pricing.tooSmall).toBe(false);
    expect(pricing.lift!).toBeGreaterThan(blog.lift!);
    expect(blog.lift!).toBeGreaterThan(careers.lift!);
    const weight = (signal: string) => report.model!.weights.find((w) => w.signal === signal)!.coefficient;
    expect(weight('pricing_page')).toBeGreaterThan(weight('blog_page'));
    expect(weight('demo_page')).toBeGreaterThan(weight('blog_page'));
    expect(weight('blog_page')).toBeGreaterThan(weight('careers_page'));
  });

  it('should show conversion rising with tier', () => {
    const { low, medium, high } = report.conversionByTier.person.overall;
    expect(low.rate!).toBeLessThan(medium.rate!);
    expect(medium.rate!).toBeLessThan(high.rate!);
    expect(report.conversionByTier.person.byWeek).toHaveLength(report.range.weeks);
    // Half the visitors name a company (their email's domain): accounts are observed too.
    const accounts = report.conversionByTier.account.overall;
    expect(accounts.low.n + accounts.medium.n + accounts.high.n).toBeGreaterThan(100);
  });

  it('should rank the newer people better with the fitted weights than with uniform ones', () => {
    const model = report.model!;
    expect(model.test.subjects).toBeGreaterThan(VISITORS * 0.2);
    expect(model.fitted.auc!).toBeGreaterThan(model.uniform.auc!);
    expect(new Date(model.splitAt).getTime()).toBeLessThan(now);
  });

  it('should propose a config that PUT /v1/config accepts, with the fitted points, and apply nothing by itself', async () => {
    const before = await (await get('/v1/config')).json();
    expect(before.signals.pricing_page.points).toBeUndefined();
    expect(before.outcomes).toEqual({ events: ['Demo Booked', 'Opportunity Created', 'Deal Won'], windowDays: 30 });
    const res = await fetch(`${server.url}/v1/config`, {
      method: 'PUT',
      headers: { ...bearer(), 'content-type': 'application/json' },
      body: JSON.stringify(report.model!.proposal),
    });
    expect(res.status).toBe(200);
    const after = await (await get('/v1/config')).json();
    const fitted = report.model!.weights.find((w) => w.signal === 'pricing_page')!.fitted;
    expect(after.signals.pricing_page.points).toBe(fitted);
  });

  it('should list the trigger with a holdout, fired against held out', () => {
    expect(report.triggers).toHaveLength(1);
    const [trigger] = report.triggers;
    expect(trigger).toMatchObject({ rule: { name: 'Medium intent' }, goal: 'Demo Booked', days: 30 });
    expect(trigger!.fired.n).toBeGreaterThan(0);
    expect(trigger!.heldOut.n).toBeGreaterThan(0);
  });

  it('should answer exactly as /openapi.json describes it', async () => {
    const doc = await (await get('/openapi.json', {})).json();
    const validate = new Ajv2020({ strict: false }).compile(
      doc.paths['/v1/calibration'].get.responses['200'].content['application/json'].schema,
    );
    expect(validate(report) ? [] : validate.errors).toEqual([]);
    expect(report.model).not.toBeNull();
  });

  it('should answer 400 to a bad rate or window and 401 without the secret key', async () => {
    for (const query of ['highRate=2', 'mediumRate=abc', 'windowDays=0', 'windowDays=400', 'highRate=-0.1']) {
      const res = await get(`/v1/calibration?${query}`);
      expect(res.status, query).toBe(400);
      expect((await res.json()).error.code).toBe('invalid_query');
    }
    expect((await get('/v1/calibration', {})).status).toBe(401);
    expect((await get('/v1/calibration', { authorization: `Bearer ${site.writeKey}` })).status).toBe(401);
  });
});
