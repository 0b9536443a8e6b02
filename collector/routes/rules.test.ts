import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { useTestCollector } from '../../test/helpers/collector.ts';
import { newSite } from '../../test/helpers/db.ts';
import { rulesClient } from '../../test/helpers/rules.ts';
import type { Collector } from '../app.ts';
import type { Database } from '../db/client.ts';

let db: Database;
let collector: Collector;
useTestCollector((env) => {
  ({ db, collector } = env);
});

const valid = {
  name: 'Account turns High',
  subject: 'account',
  when: { type: 'threshold', tier: 'high' },
  actions: [
    { type: 'webhook', url: 'https://hooks.example/inkling' },
    { type: 'slack', url: 'https://hooks.slack.com/services/T/B/x' },
  ],
  cap: { within: '24h', max: 1, lifetime: 3 },
  holdout: 0.1,
  stopWhen: { event: 'Demo Booked' },
  route: { to: 'owner', roundRobin: ['ann@acme.com', 'bob@acme.com'], fallback: 'lead@acme.com' },
  enabled: true,
};

async function answerValidator(path: string, method: string, status: string) {
  const doc = await (await collector.app.request('/openapi.json')).json();
  return new Ajv2020({ strict: false }).compile(
    doc.paths[path][method].responses[status].content['application/json'].schema,
  );
}

describe('the rules API', () => {
  it('should create, list, read, replace and delete a rule, each answer as /openapi.json describes it', async () => {
    const site = await newSite(db);
    const rules = rulesClient(collector, site);
    const created = await rules.request('POST', '/v1/rules', valid);
    expect(created.status).toBe(201);
    const rule = await created.json();
    expect(rule).toMatchObject({ ...valid, id: expect.stringMatching(/^rule_/), disabledReason: null });
    // Standard Webhooks: whsec_ and the base64 of the key's bytes (24 to 64).
    expect(rule.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(rule.secret.slice(6), 'base64').length).toBe(32);
    const validate = await answerValidator('/v1/rules', 'post', '201');
    expect(validate(rule) ? [] : validate.errors).toEqual([]);

    const list = await (await rules.request('GET', '/v1/rules')).json();
    const validateList = await answerValidator('/v1/rules', 'get', '200');
    expect(validateList(list) ? [] : validateList.errors).toEqual([]);
    expect(list.rules.map((r: { id: string }) => r.id)).toEqual([rule.id]);
    expect(await (await rules.request('GET', `/v1/rules/${rule.id}`)).json()).toEqual(rule);

    const replaced = await rules.request('PUT', `/v1/rules/${rule.id}`, {
      ...valid,
      name: 'Person turns Medium',
      subject: 'person',
      when: { type: 'threshold', tier: 'medium' },
      enabled: false,
    });
    expect(replaced.status).toBe(200);
    const after = await replaced.json();
    expect(after).toMatchObject({ id: rule.id, secret: rule.secret, subject: 'person', enabled: false });
    const validatePut = await answerValidator('/v1/rules/{id}', 'put', '200');
    expect(validatePut(after) ? [] : validatePut.errors).toEqual([]);

    expect((await rules.request('DELETE', `/v1/rules/${rule.id}`)).status).toBe(200);
    expect((await rules.request('GET', `/v1/rules/${rule.id}`)).status).toBe(404);
    expect((await rules.request('DELETE', `/v1/rules/${rule.id}`)).status).toBe(404);
    expect((await rules.request('PUT', `/v1/rules/${rule.id}`, valid)).status).toBe(404);
  });

  it("should not show or change another site's rule, nor answer without the secret key", async () => {
    const site = await newSite(db);
    const other = await newSite(db);
    const rule = await rulesClient(collector, site).create(valid);
    const theirs = rulesClient(collector, other);
    expect((await theirs.request('GET', `/v1/rules/${rule.id}`)).status).toBe(404);
    expect((await theirs.request('DELETE', `/v1/rules/${rule.id}`)).status).toBe(404);
    expect(await (await theirs.request('GET', '/v1/rules')).json()).toEqual({ rules: [] });
    const anonymous = await collector.app.request('/v1/rules');
    expect(anonymous.status).toBe(401);
  });

  it.each([
    ['an unknown subject', { subject: 'team' }, 'subject'],
    ['a threshold without tier or score', { when: { type: 'threshold' } }, 'tier'],
    ['a behavior without event or signal', { when: { type: 'behavior', times: 2, days: 7 } }, 'event'],
    [
      'a behavior with both',
      { when: { type: 'behavior', event: 'A', signal: 'pricing_page', times: 2, days: 7 } },
      'event',
    ],
    ['a behavior of 0 times', { when: { type: 'behavior', event: 'A', times: 0, days: 7 } }, 'times'],
    ['a behavior over 90 days', { when: { type: 'behavior', event: 'A', times: 1, days: 91 } }, 'days'],
    ['a cooling with neither below nor points', { when: { type: 'cooling', days: 7 } }, 'below'],
    ['no actions', { actions: [] }, 'actions'],
    ['an ftp URL', { actions: [{ type: 'webhook', url: 'ftp://hooks.example/x' }] }, 'http'],
    ['a cap period not like 24h', { cap: { within: '1 day' } }, 'cap'],
    ['a holdout over 1', { holdout: 1.5 }, 'holdout'],
    ['a misspelt field', { stopwhen: { event: 'Demo Booked' } }, 'stopwhen'],
    ['a round-robin rep that is not an email', { route: { roundRobin: ['ann@acme.com', 'not-an-email'] } }, 'email'],
    ['a fallback that is not an email', { route: { fallback: 'lead' } }, 'email'],
    ['a signal the model does not define', { when: { type: 'signal', signal: 'no_such_signal' } }, 'no_such_signal'],
    [
      'a behavior signal the model does not define',
      { when: { type: 'behavior', signal: 'nope', times: 1, days: 7 } },
      'nope',
    ],
  ])('should refuse %s with a 400 that names it', async (_what, change, named) => {
    const site = await newSite(db);
    const res = await rulesClient(collector, site).request('POST', '/v1/rules', { ...valid, ...change });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error.code).toMatch(/^(invalid_body|unknown_signal)$/);
    expect(body.error.message).toContain(named);
  });

  it('should refuse a body that is not JSON', async () => {
    const site = await newSite(db);
    const res = await collector.app.request('/v1/rules', {
      method: 'POST',
      headers: { authorization: `Bearer ${site.secretKey}`, 'content-type': 'application/json' },
      body: '{"name":',
    });
    expect(res.status).toBe(400);
    // As every Sales and admin route answers a body that is not JSON.
    expect((await res.json()).error.code).toBe('invalid_json');
  });

  it('should see a rule change at once in this process', async () => {
    const site = await newSite(db);
    const rules = rulesClient(collector, site);
    const rule = await rules.create({ ...valid, subject: 'person', when: { type: 'signal', signal: 'pricing_page' } });
    const send = (anon: string) =>
      collector.app.request('/v1/page', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Basic ${btoa(`${site.writeKey}:`)}` },
        body: JSON.stringify({
          type: 'page',
          messageId: `m-${anon}`,
          anonymousId: anon,
          properties: { path: '/pricing' },
        }),
      });
    const count = async () =>
      (await db.query('select 1 from firings where site_id = $1 and rule_id = $2', [site.siteId, rule.id])).length;
    await send('seen-1');
    expect(await count()).toBe(1);
    await rules.request('PUT', `/v1/rules/${rule.id}`, {
      ...valid,
      subject: 'person',
      when: { type: 'signal', signal: 'pricing_page' },
      enabled: false,
    });
    await send('seen-2');
    expect(await count()).toBe(1);
  });
});
