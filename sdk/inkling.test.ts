// @vitest-environment happy-dom
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Message } from '../shared/messages.ts';
import { call, createInkling, type InklingOptions } from './inkling.ts';
import { type Recorder, startRecorder } from './recorder.ts';
import { VERSION } from './version.ts';

let rec: Recorder;
let n = 0;
/** A fresh write key per test: each tracker has its own persisted queue. */
let key: string;

/** Sets a navigator property as a visitor's browser would have it. */
const browserSays = (name: string, value: unknown) =>
  Object.defineProperty(navigator, name, { value, configurable: true });

beforeAll(async () => {
  rec = await startRecorder();
});
afterAll(() => rec.close());
beforeEach(() => {
  key = `pk_unit${++n}`;
  rec.requests.length = 0;
  rec.lookups.length = 0;
  rec.answer.intent = undefined;
  localStorage.clear();
  // biome-ignore lint/suspicious/noDocumentCookie: the cookie the SDK reads is the subject here.
  document.cookie = 'ink_aid=;max-age=0;path=/';
  // happy-dom reports itself as automated (webdriver) like a test runner; a visitor's browser does not.
  browserSays('webdriver', false);
  browserSays('doNotTrack', 'unspecified');
  browserSays('globalPrivacyControl', undefined);
});
afterEach(() => vi.restoreAllMocks());

const start = (options: InklingOptions = {}) => createInkling({ key, api: rec.url, autocapture: false, ...options });
const mine = () => rec.requests.filter((r) => r.body.writeKey === key).flatMap((r) => r.body.batch);
/** Flushes and waits until the recorder holds `count` messages of this test's tracker. */
async function received(api: { flush(): void }, count: number): Promise<Message[]> {
  api.flush();
  await vi.waitFor(() => expect(mine().length).toBeGreaterThanOrEqual(count), { timeout: 3000 });
  return mine();
}
/** Flushes and gives a wrong send every chance to arrive. */
async function nothingSent(api: { flush(): void }) {
  api.flush();
  await new Promise((r) => setTimeout(r, 150));
  expect(rec.requests).toEqual([]);
}

describe('createInkling', () => {
  it('should send track with the context: page, locale, screen, library', async () => {
    const ink = start();
    ink.track('Signed Up', { plan: 'pro' });
    const [m] = await received(ink, 1);
    expect(m).toMatchObject({ type: 'track', event: 'Signed Up', properties: { plan: 'pro' } });
    expect(m?.messageId).toMatch(/^\d{20,40}$/);
    expect(m?.anonymousId).toMatch(/^\d{20,40}$/);
    expect(m?.context).toMatchObject({
      page: { url: location.href, path: location.pathname, title: document.title },
      locale: navigator.language,
      screen: { width: screen.width, height: screen.height },
      library: { name: 'inkling', version: VERSION },
    });
    // search and campaign are the collector's to derive from the URL (collector/ingest/enrich.ts).
    expect(m?.context?.page).not.toHaveProperty('search');
  });

  it('should replay the snippet queue in order before anything else', async () => {
    const ink = start({
      queue: [
        ['identify', 'u-9', { plan: 'pro' }],
        ['track', 'First'],
      ],
    });
    const [identify, track] = await received(ink, 2);
    expect(identify).toMatchObject({ type: 'identify', userId: 'u-9', traits: { plan: 'pro' } });
    expect(track).toMatchObject({ type: 'track', event: 'First', userId: 'u-9' });
  });

  it("should send identify's user_hash trait as given (identity verification needs no SDK code)", async () => {
    const ink = start({ queue: [['identify', 'u-10', { email: 'a@b.co', user_hash: 'ab12' }]] });
    const [identify] = await received(ink, 1);
    expect(identify).toMatchObject({ userId: 'u-10', traits: { email: 'a@b.co', user_hash: 'ab12' } });
  });

  it('should stitch identify, alias and group, and start over on reset', async () => {
    const ink = start();
    ink.identify('u1', { email: 'a@b.co' });
    ink.alias('u2');
    ink.group('acme', { name: 'Acme' });
    ink.reset();
    ink.track('After Logout');
    const [identify, alias, group, after] = await received(ink, 4);
    expect(identify).toMatchObject({ type: 'identify', userId: 'u1', traits: { email: 'a@b.co' } });
    expect(alias).toMatchObject({ type: 'alias', previousId: 'u1', userId: 'u2' });
    expect(group).toMatchObject({ type: 'group', groupId: 'acme', traits: { name: 'Acme' }, userId: 'u2' });
    expect(after?.userId).toBeUndefined();
    expect(after?.anonymousId).not.toBe(identify?.anonymousId);
  });

  it('should keep the anonymous id in a cookie and localStorage, the cookie winning when they disagree', async () => {
    // biome-ignore lint/suspicious/noDocumentCookie: the cookie the SDK reads is the subject here.
    document.cookie = 'ink_aid=fromcookie;path=/';
    localStorage.setItem('ink_aid', 'fromstorage');
    const ink = start();
    ink.track('X');
    const [m] = await received(ink, 1);
    expect(m?.anonymousId).toBe('fromcookie');
    expect(localStorage.getItem('ink_aid')).toBe('fromcookie');
  });

  it('should fall back to localStorage when the cookie is gone, and restore the cookie', async () => {
    localStorage.setItem('ink_aid', 'fromstorage');
    const ink = start();
    ink.track('X');
    const [m] = await received(ink, 1);
    expect(m?.anonymousId).toBe('fromstorage');
    expect(document.cookie).toContain('ink_aid=fromstorage');
  });

  it('should strip configured parameters and the tracked-link one from every URL, and keep the UTM ones (the collector reads them)', async () => {
    history.pushState({}, '', '/landing?token=s3cret&utm_source=mail&utm_campaign=spring&ink_lnk=abc&keep=1');
    const ink = start({ stripParams: 'token, email' });
    ink.page();
    const sent = await received(ink, 2);
    const m = sent.find((s) => s.type === 'page');
    expect(m?.properties?.url).toBe(`${location.origin}/landing?utm_source=mail&utm_campaign=spring&keep=1`);
    // No context.campaign: the collector takes utm_* from the page URL (collector/ingest/enrich.ts).
    expect(m?.context?.campaign).toBeUndefined();
    expect(JSON.stringify(m)).not.toContain('s3cret');
  });

  it('should land a tracked link: strip ink_lnk from the address bar and send Tracked Link Landed', async () => {
    history.pushState({ app: 1 }, '', '/offer?ink_lnk=lnk_42&x=1#top');
    const ink = start();
    expect(location.href).toBe(`${location.origin}/offer?x=1#top`);
    expect(history.state).toEqual({ app: 1 });
    const [m] = await received(ink, 1);
    expect(m).toMatchObject({ type: 'track', event: 'Tracked Link Landed', properties: { link: 'lnk_42' } });
  });

  it('should hand waiting events to sendBeacon when the page hides, with the key in the URL', async () => {
    const ink = start();
    ink.track('Leaving');
    Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
    // Removes the own property set above: happy-dom's getter answers again.
    delete (document as { visibilityState?: string }).visibilityState;
    await vi.waitFor(() => expect(rec.requests.length).toBe(1), { timeout: 3000 });
    expect(rec.requests[0]?.url).toBe(`/v1/batch?key=${key}`);
    expect(rec.requests[0]?.body.batch.map((m) => m.event)).toEqual(['Leaving']);
  });

  it('should hand waiting events to sendBeacon on pagehide (an unloading page)', async () => {
    const ink = start();
    ink.track('Unloading');
    window.dispatchEvent(new Event('pagehide'));
    // Earlier tests' trackers listen too: look for this one's beacon.
    const mine = () => rec.requests.filter((r) => r.body.batch.some((m) => m.event === 'Unloading'));
    await vi.waitFor(() => expect(mine().length).toBe(1), { timeout: 3000 });
    expect(mine()[0]?.url).toBe(`/v1/batch?key=${key}`);
    expect(mine()[0]?.body.batch.map((m) => m.event)).toEqual(['Unloading']);
  });

  it('should drop a message over 32 KB and send the others', async () => {
    const ink = start();
    ink.track('Huge', { blob: 'x'.repeat(40_000) });
    ink.track('Small');
    const sent = await received(ink, 1);
    expect(sent.map((m) => m.event)).toEqual(['Small']);
  });
});

describe('privacy', () => {
  it('should store and send nothing after consent(false), queued before load, until consent(true)', async () => {
    const ink = start({ queue: [['consent', false]] });
    ink.track('Hidden');
    ink.identify('u1');
    await nothingSent(ink);
    expect(document.cookie).not.toMatch(/ink_aid=\w/);
    expect(Object.keys(localStorage)).toEqual([]);
    ink.consent(true);
    ink.track('Visible');
    const sent = await received(ink, 1);
    expect(sent.map((m) => m.event)).toEqual(['Visible']);
  });

  it('should forget what waits and what is stored when consent is withdrawn', async () => {
    const ink = start();
    ink.identify('u1');
    expect(document.cookie).toMatch(/ink_aid=\w/);
    ink.consent(false);
    expect(document.cookie).not.toMatch(/ink_aid=\w/);
    expect(Object.keys(localStorage)).toEqual([]);
    await nothingSent(ink);
  });

  it('should send a page view when consent is granted after a refusal (the page was never counted)', async () => {
    const ink = start({ consent: false, autocapture: true });
    await nothingSent(ink);
    ink.consent(true);
    const sent = await received(ink, 1);
    expect(sent.map((m) => m.type)).toContain('page');
  });

  it.each([
    ['Do Not Track', 'doNotTrack', '1'],
    ['Global Privacy Control', 'globalPrivacyControl', true],
    ['an automated browser', 'webdriver', true],
  ])('should send nothing under %s', async (_name, prop, value) => {
    browserSays(prop, value);
    const ink = start();
    ink.track('X');
    await nothingSent(ink);
    expect(document.cookie).not.toMatch(/ink_aid=\w/);
  });

  it('should send under Do Not Track when the site opts out of honouring it, or the visitor consents', async () => {
    browserSays('doNotTrack', '1');
    const optOut = start({ respectDnt: 'false' });
    optOut.track('A');
    expect((await received(optOut, 1)).map((m) => m.event)).toEqual(['A']);
    key = `${key}b`;
    const consented = start({ consent: true });
    consented.track('B');
    expect((await received(consented, 1)).map((m) => m.event)).toEqual(['B']);
  });

  it('should send nothing without a write key', async () => {
    const ink = createInkling({ api: rec.url, autocapture: false });
    ink.track('X');
    await nothingSent(ink);
  });
});

describe('never throws into the page', () => {
  it('should return quietly from unknown methods, bad arguments and unserializable properties', () => {
    const ink = start();
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(() => {
      call(ink, ['nope', 1]);
      call(ink, []);
      call(ink, ['__proto__']);
      ink.track(undefined as unknown as string, circular);
      ink.identify(null, null as unknown as undefined);
      ink.group(undefined as unknown as string);
      ink.page(42 as unknown as string, 'x' as unknown as undefined);
      ink.consent('maybe' as unknown as boolean);
    }).not.toThrow();
  });
});
