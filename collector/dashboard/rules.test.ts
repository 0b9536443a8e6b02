import { describe, expect, it } from 'vitest';
import { useTestCollector } from '../../test/helpers/collector.ts';
import { hiddenField } from '../../test/helpers/dashboard.ts';
import { inlineScripts, section, signedIn } from '../../test/helpers/dashboard-seed.ts';
import { newSite } from '../../test/helpers/db.ts';
import type { Collector } from '../app.ts';
import type { Database } from '../db/client.ts';

let db: Database;
let collector: Collector;
useTestCollector((env) => {
  db = env.db;
  collector = env.collector;
});

type Site = Awaited<ReturnType<typeof newSite>>;
const XSS_RULE = '<script>alert("rule")</script>';

async function createRule(site: Site, name: string): Promise<string> {
  const res = await collector.app.request('/v1/rules', {
    method: 'POST',
    headers: { authorization: `Bearer ${site.secretKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      name,
      subject: 'account',
      when: { type: 'threshold', tier: 'high' },
      actions: [{ type: 'slack', url: 'https://hooks.slack.com/services/T0/B0/secretpart' }],
    }),
  });
  if (res.status !== 201) throw new Error(`POST /v1/rules answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

let seq = 0;
/** A firing and its delivery, as the evaluator and dispatcher store them; not due (no dispatcher touches it). */
async function fired(site: Site, ruleId: string, delivery: { status: string; attempts: number; error?: string }) {
  const id = `msg_${process.pid}_${++seq}`;
  await db.query(
    `insert into firings (site_id, id, rule_id, subject_kind, subject_id, change_key, outcome, payload, fired_at)
     values ($1, $2, $3, 'account', $4, $5, 'fired', '{}'::jsonb, now())`,
    [site.siteId, id, ruleId, `acc_${id}`, `test:${id}`],
  );
  await db.query(
    `insert into deliveries (site_id, rule_id, firing_id, webhook_id, kind, url, status, attempts, give_up_at,
       next_attempt_at, last_status, last_error)
     values ($1, $2, $3, $3, 'slack', 'https://hooks.slack.com/services/T0/B0/secretpart', $4, $5,
       now() + interval '2 days', now() + interval '1 day', $6, $7)`,
    [site.siteId, ruleId, id, delivery.status, delivery.attempts, delivery.error ? 500 : 200, delivery.error ?? null],
  );
}

const enabledOf = async (site: Site, id: string) =>
  (
    await db.query<{ enabled: boolean; disabled_reason: string | null }>(
      'select enabled, disabled_reason from rules where site_id = $1 and id = $2',
      [site.siteId, id],
    )
  )[0];

describe('the rules page', () => {
  it("should list the site's rules with their stats and the recent deliveries, without the URLs' secrets", async () => {
    const site = await newSite(db);
    const ruleId = await createRule(site, XSS_RULE);
    await fired(site, ruleId, { status: 'delivered', attempts: 1 });
    await fired(site, ruleId, { status: 'pending', attempts: 2, error: '<b>boom</b>' });
    await fired(site, ruleId, { status: 'dead', attempts: 9, error: 'gone' });
    await db.query(
      `update rules set enabled = false, disabled_reason = 'kept failing' where site_id = $1 and id = $2`,
      [site.siteId, ruleId],
    );
    const { browser } = await signedIn(db, collector, site.siteId);
    const res = await browser.get('/dashboard/rules');
    expect(res.status).toBe(200);
    const html = await res.text();
    const rules = section(html, 'h-rules');
    expect(rules).toContain('&lt;script&gt;alert(&quot;rule&quot;)&lt;/script&gt;');
    expect(rules).toContain('<td data-label="Fired" class="n"><span class="num" data-num="3">3</span></td>');
    expect(rules).toContain('<td data-label="Delivered" class="n"><span class="num" data-num="1">1</span></td>');
    expect(rules).toMatch(
      /data-label="Failed" class="n"><span class="num" data-num="2">2<\/span><span class="sub"><span class="num" data-num="1">1<\/span> given up/,
    );
    expect(rules).toContain('<strong>off</strong><span class="sub">kept failing</span>');
    expect(rules).toContain('Converted: subjects that sent the goal event (Demo Booked)');
    // A rep sees no buttons.
    expect(rules).not.toContain('<form');
    const deliveries = section(html, 'h-deliveries');
    expect(deliveries).toContain('slack · hooks.slack.com');
    expect(deliveries).toContain('<span class="status-delivered">delivered</span>');
    expect(deliveries).toContain('<span class="status-failed">failed, retrying</span>');
    expect(deliveries).toContain('<span class="status-dead">given up</span>');
    expect(deliveries).toContain('&lt;b&gt;boom&lt;/b&gt;');
    expect(html).not.toContain('secretpart');
    expect(html).not.toContain(XSS_RULE);
    expect(inlineScripts(html)).toEqual([]);
  });

  it('should let an admin disable and enable a rule with the CSRF token, and refuse reps, strangers and missing tokens', async () => {
    const site = await newSite(db);
    const ruleId = await createRule(site, 'Account turns High');
    const admin = await signedIn(db, collector, site.siteId, 'admin');
    const html = await (await admin.browser.get('/dashboard/rules')).text();
    expect(section(html, 'h-rules')).toContain(`action="/dashboard/rules/${ruleId}/enabled"`);
    const token = hiddenField(section(html, 'h-rules'), '_csrf') as string;
    const path = `/dashboard/rules/${ruleId}/enabled`;

    const noToken = await admin.browser.post(path, { enabled: '0' });
    expect(noToken.status).toBe(403);
    expect((await enabledOf(site, ruleId))?.enabled).toBe(true);

    const rep = await signedIn(db, collector, site.siteId, 'rep');
    const repToken = hiddenField(await (await rep.browser.get('/dashboard/rules')).text(), '_csrf') as string;
    expect((await rep.browser.post(path, { _csrf: repToken, enabled: '0' })).status).toBe(403);
    const other = await newSite(db);
    const stranger = await signedIn(db, collector, other.siteId, 'admin');
    const strangerToken = hiddenField(await (await stranger.browser.get('/dashboard/rules')).text(), '_csrf') as string;
    expect((await stranger.browser.post(path, { _csrf: strangerToken, enabled: '0' })).status).toBe(404);
    expect(await (await stranger.browser.get('/dashboard/rules')).text()).not.toContain(ruleId);
    expect((await enabledOf(site, ruleId))?.enabled).toBe(true);

    const off = await admin.browser.post(path, { _csrf: token, enabled: '0' });
    expect(off.status).toBe(303);
    expect(off.headers.get('location')).toBe('/dashboard/rules?saved=1');
    expect((await enabledOf(site, ruleId))?.enabled).toBe(false);
    const page = await (await admin.browser.get('/dashboard/rules?saved=1')).text();
    expect(page).toContain('Rule saved.');
    expect(section(page, 'h-rules')).toContain('<button type="submit">Enable</button>');

    await db.query(`update rules set disabled_reason = 'kept failing' where site_id = $1 and id = $2`, [
      site.siteId,
      ruleId,
    ]);
    expect((await admin.browser.post(path, { _csrf: token, enabled: '1' })).status).toBe(303);
    expect(await enabledOf(site, ruleId)).toEqual({ enabled: true, disabled_reason: null });
    expect((await admin.browser.post(path, { _csrf: token, enabled: 'yes' })).status).toBe(400);
  });
});
