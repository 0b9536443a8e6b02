import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { useTestCollector } from '../../test/helpers/collector.ts';
import { newSite } from '../../test/helpers/db.ts';
import { identify, intentClient, mid, page, track } from '../../test/helpers/intent.ts';
import type { Collector } from '../app.ts';
import type { Database } from '../db/client.ts';

let db: Database;
let collector: Collector;
useTestCollector((env) => {
  ({ db, collector } = env);
});

type Api = ReturnType<typeof intentClient>;
const group = (anonymousId: string, groupId: string, traits: Record<string, unknown> = {}) => ({
  type: 'group',
  messageId: mid(),
  anonymousId,
  groupId,
  traits,
});

/** Ann and Bob of acme.com (one account, by their work emails), Cat of initech.com. */
async function seeded() {
  const site = await newSite(db);
  const api = intentClient(collector, site);
  await api.send([
    page('own-a', '/pricing'),
    track({ anonymousId: 'own-a' }, 'Demo Requested'),
    identify('own-a', 'ann', { email: 'ann@acme.com' }),
    page('own-b', '/pricing'),
    identify('own-b', 'bob', { email: 'bob@acme.com' }),
    page('own-c', '/pricing'),
    identify('own-c', 'cat', { email: 'cat@initech.com' }),
  ]);
  return { site, api };
}

async function json<T = Record<string, unknown>>(res: Response, status = 200): Promise<T> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  return JSON.parse(text) as T;
}

/** Validates `body` against the documented 200 answer of `method path` in /openapi.json. */
async function expectDocumented(method: string, path: string, body: unknown) {
  const doc = await (await collector.app.request('/openapi.json')).json();
  const validate = new Ajv2020({ strict: false }).compile(
    doc.paths[path][method].responses['200'].content['application/json'].schema,
  );
  expect(validate(body) ? [] : validate.errors, `${method} ${path}`).toEqual([]);
}

const ownerOf = async (api: Api, path: string) => (await json<{ owner: string | null }>(await api.get(path))).owner;

describe('PUT /v1/accounts/:id', () => {
  it('should set the owner by domain, answer the updated account, and show it in every answer', async () => {
    const { api } = await seeded();
    const before = await json(await api.get('/v1/accounts/acme.com'));
    expect(before.owner).toBeNull();
    const put = await json(await api.put('/v1/accounts/acme.com', { owner: ' Rep@Seller.com ' }));
    expect(put).toEqual({ ...before, owner: 'rep@seller.com' });
    await expectDocumented('put', '/v1/accounts/{id}', put);
    expect(await ownerOf(api, '/v1/accounts/acme.com')).toBe('rep@seller.com');
    expect(await ownerOf(api, `/v1/accounts/${before.id}`)).toBe('rep@seller.com');
    const list = await json<{ data: { domain: string; owner: string | null }[] }>(await api.get('/v1/accounts'));
    expect(Object.fromEntries(list.data.map((a) => [a.domain, a.owner]))).toEqual({
      'acme.com': 'rep@seller.com',
      'initech.com': null,
    });
    const ann = await json<{ account: { owner: string | null } }>(await api.get('/v1/people/ann'));
    expect(ann.account.owner).toBe('rep@seller.com');
    const rows = (await (await api.get('/v1/export?what=scores&format=ndjson')).text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { kind: string; domain: string | null; owner: string | null });
    expect(rows.find((r) => r.kind === 'account' && r.domain === 'acme.com')?.owner).toBe('rep@seller.com');
    const csv = await (await api.get('/v1/export?what=scores&format=csv')).text();
    expect(csv.split('\r\n')[0]?.split(',').at(-1)).toBe('owner');
    expect(csv).toContain(',rep@seller.com\r\n');
  });

  it('should find the account by group id and by a name it absorbed in a merge, and clear with null', async () => {
    const { api } = await seeded();
    // One company known twice: by a group id, and by a work email's domain (another person's).
    await api.send([group('own-x', 'grp-zeta'), identify('own-y', 'yan', { email: 'yan@zeta.io' })]);
    const zeta = await json<{ id: string; groupId: string | null }>(await api.get('/v1/accounts/grp-zeta'));
    await json(await api.put('/v1/accounts/grp-zeta', { owner: 'ann@seller.com' }));
    expect(await ownerOf(api, `/v1/accounts/${zeta.id}`)).toBe('ann@seller.com');
    // The group names its domain: the group's account is merged into the domain's.
    await api.send([group('own-x', 'grp-zeta', { domain: 'zeta.io' })]);
    const merged = await json<{ id: string; owner: string | null }>(await api.get('/v1/accounts/grp-zeta'));
    expect(merged.id).not.toBe(zeta.id);
    expect(merged.owner).toBe('ann@seller.com');
    await json(await api.put(`/v1/accounts/${zeta.id}`, { owner: null }));
    expect(await ownerOf(api, '/v1/accounts/zeta.io')).toBeNull();
  });

  it('should answer 400 for a malformed body, 404 for an unknown account, 401 without the secret key', async () => {
    const { site, api } = await seeded();
    for (const body of [{ owner: 'not-an-email' }, { owner: 42 }, {}, { owner: 'a@b.co', extra: 1 }, []]) {
      const res = await api.put('/v1/accounts/acme.com', body);
      const err = await json<{ error: { code: string } }>(res, 400);
      expect(err.error.code, JSON.stringify(body)).toBe('invalid_body');
    }
    const notJson = await collector.app.request('/v1/accounts/acme.com', {
      method: 'PUT',
      headers: { authorization: `Bearer ${site.secretKey}`, 'content-type': 'application/json' },
      body: '{"owner":',
    });
    expect((await json<{ error: { code: string } }>(notJson, 400)).error.code).toBe('invalid_json');
    expect(
      (await json<{ error: { code: string } }>(await api.put('/v1/accounts/nowhere.com', { owner: null }), 404)).error
        .code,
    ).toBe('account_not_found');
    expect((await api.put('/v1/accounts/acme.com', { owner: 'a@b.co' }, {})).status).toBe(401);
    const other = intentClient(collector, await newSite(db));
    expect((await other.put('/v1/accounts/acme.com', { owner: 'evil@x.com' })).status).toBe(404);
    expect(await ownerOf(api, '/v1/accounts/acme.com')).toBeNull();
  });
});

describe('PUT /v1/people/:id', () => {
  it('should set the owner by user id, anonymous id or person id and show it in the person and the list', async () => {
    const { api } = await seeded();
    const put = await json<{ id: string; owner: string | null; userId: string }>(
      await api.put('/v1/people/ann', { owner: 'rep@seller.com' }),
    );
    expect(put).toMatchObject({ userId: 'ann', owner: 'rep@seller.com' });
    expect(put).toEqual(await json(await api.get('/v1/people/ann')));
    await expectDocumented('put', '/v1/people/{id}', put);
    await json(await api.put('/v1/people/own-b', { owner: 'two@seller.com' }));
    await json(await api.put(`/v1/people/${put.id}`, { owner: 'three@seller.com' }));
    const list = await json<{ data: { userId: string; owner: string | null }[] }>(await api.get('/v1/people'));
    expect(Object.fromEntries(list.data.map((p) => [p.userId, p.owner]))).toEqual({
      ann: 'three@seller.com',
      bob: 'two@seller.com',
      cat: null,
    });
    expect(await ownerOf(api, '/v1/people/own-a')).toBe('three@seller.com');
  });

  it('should answer 400 for a malformed email and 404 for an unknown person', async () => {
    const { api } = await seeded();
    expect((await api.put('/v1/people/ann', { owner: 'ann at acme' })).status).toBe(400);
    expect((await api.put('/v1/people/nobody', { owner: 'rep@seller.com' })).status).toBe(404);
    expect((await api.put(`/v1/people/${'x'.repeat(300)}`, { owner: 'rep@seller.com' })).status).toBe(404);
    expect(await ownerOf(api, '/v1/people/ann')).toBeNull();
  });
});

describe('owners from traits', () => {
  it('should take the owner trait of identify (person) and group (account)', async () => {
    const { api } = await seeded();
    await api.send([
      identify('own-a', 'ann', { owner: 'Rep@Seller.com' }),
      group('own-c', 'initech.com', { name: 'Initech', owner: 'boss@seller.com' }),
    ]);
    expect(await ownerOf(api, '/v1/people/ann')).toBe('rep@seller.com');
    expect(await ownerOf(api, '/v1/accounts/initech.com')).toBe('boss@seller.com');
    // A trait that is not an email changes nothing; null clears.
    await api.send([identify('own-a', 'ann', { owner: 'someone' })]);
    expect(await ownerOf(api, '/v1/people/ann')).toBe('rep@seller.com');
    await api.send([group('own-c', 'initech.com', { owner: null })]);
    expect(await ownerOf(api, '/v1/accounts/initech.com')).toBeNull();
  });

  it('should keep an owner set by PUT when the same trait is sent again, and take a new trait value', async () => {
    const { api } = await seeded();
    await api.send([identify('own-a', 'ann', { owner: 'first@seller.com' })]);
    await json(await api.put('/v1/people/ann', { owner: 'manual@seller.com' }));
    // analytics.js resends the traits it keeps with every identify: that must not undo the PUT.
    await api.send([identify('own-a', 'ann', { owner: 'first@seller.com', plan: 'pro' })]);
    expect(await ownerOf(api, '/v1/people/ann')).toBe('manual@seller.com');
    await api.send([identify('own-a', 'ann', { owner: 'second@seller.com' })]);
    expect(await ownerOf(api, '/v1/people/ann')).toBe('second@seller.com');

    await api.send([group('own-b', 'acme.com', { owner: 'first@seller.com' })]);
    await json(await api.put('/v1/accounts/acme.com', { owner: 'manual@seller.com' }));
    await api.send([group('own-b', 'acme.com', { owner: 'first@seller.com' })]);
    expect(await ownerOf(api, '/v1/accounts/acme.com')).toBe('manual@seller.com');
    await api.send([group('own-b', 'acme.com', { owner: 'second@seller.com' })]);
    expect(await ownerOf(api, '/v1/accounts/acme.com')).toBe('second@seller.com');
  });
});

describe('owners through merges', () => {
  it("should let the surviving account keep its owner, else take the merged one's", async () => {
    const { api } = await seeded();
    // Two companies each known twice: by a group id, and by a work email's domain.
    await api.send([
      group('own-g1', 'grp-one'),
      identify('own-h1', 'gus', { email: 'gus@one.io' }),
      group('own-g2', 'grp-two'),
      identify('own-h2', 'gil', { email: 'gil@two.io' }),
    ]);
    // one: only the group's account has an owner; two: both do.
    await json(await api.put('/v1/accounts/grp-one', { owner: 'group@seller.com' }));
    await json(await api.put('/v1/accounts/grp-two', { owner: 'group@seller.com' }));
    await json(await api.put('/v1/accounts/two.io', { owner: 'domain@seller.com' }));
    const grpOne = await json<{ id: string }>(await api.get('/v1/accounts/grp-one'));
    await api.send([
      group('own-g1', 'grp-one', { domain: 'one.io' }),
      group('own-g2', 'grp-two', { domain: 'two.io' }),
    ]);
    const one = await json<{ id: string; owner: string | null }>(await api.get('/v1/accounts/one.io'));
    expect(one.id).not.toBe(grpOne.id);
    expect(one.owner).toBe('group@seller.com');
    expect(await ownerOf(api, '/v1/accounts/grp-two')).toBe('domain@seller.com');
    const [gone] = await db.query('select 1 from accounts where id = $1', [grpOne.id]);
    expect(gone).toBeUndefined();
  });

  it("should let the known person keep their owner, else take the anonymous person's", async () => {
    const { api } = await seeded();
    await api.send([page('own-anon-1', '/pricing'), page('own-anon-2', '/pricing')]);
    await json(await api.put('/v1/people/own-anon-1', { owner: 'anon@seller.com' }));
    await json(await api.put('/v1/people/own-anon-2', { owner: 'anon@seller.com' }));
    await json(await api.put('/v1/people/bob', { owner: 'bob-rep@seller.com' }));
    // Ann has no owner and takes the anonymous person's; Bob keeps his.
    await api.sendAsServer([identify('own-anon-1', 'ann'), identify('own-anon-2', 'bob')]);
    const ann = await json<{ owner: string | null; anonymousIds: string[] }>(await api.get('/v1/people/ann'));
    expect(ann.anonymousIds).toContain('own-anon-1');
    expect(ann.owner).toBe('anon@seller.com');
    const bob = await json<{ owner: string | null; anonymousIds: string[] }>(await api.get('/v1/people/bob'));
    expect(bob.anonymousIds).toContain('own-anon-2');
    expect(bob.owner).toBe('bob-rep@seller.com');
  });
});
