// @vitest-environment happy-dom
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createInkling, type InklingOptions } from './inkling.ts';
import { INTENT_KEY, type Intent } from './personalize.ts';
import { type Recorder, startRecorder } from './recorder.ts';

// The SDK against a real local HTTP endpoint that answers like the collector (an ingest
// answer carrying `intent`, and GET /v1/intent); the tier reaches the page as classes on <html>.
let rec: Recorder;
let n = 0;
let key: string;

const HIGH: Intent = {
  tier: 'high',
  score: 82,
  type: 'buying',
  trend: 'rising',
  account: { tier: 'medium', score: 51 },
};
const MEDIUM: Intent = { tier: 'medium', score: 48, type: 'partnership', trend: 'stable', account: null };

const browserSays = (name: string, value: unknown) =>
  Object.defineProperty(navigator, name, { value, configurable: true });
/** The Inkling classes on <html>, in order. */
const classes = () => document.documentElement.className.split(/\s+/).filter((c) => c.startsWith('inkling-'));
const cached = () => JSON.parse(localStorage.getItem(INTENT_KEY) as string);
const mine = () => rec.requests.filter((r) => r.body.writeKey === key);

beforeAll(async () => {
  rec = await startRecorder();
});
afterAll(() => rec.close());
beforeEach(() => {
  key = `pk_tier${++n}`;
  rec.requests.length = 0;
  rec.lookups.length = 0;
  rec.answer.status = 200;
  rec.answer.intent = undefined;
  localStorage.clear();
  // biome-ignore lint/suspicious/noDocumentCookie: a new visitor every test.
  document.cookie = 'ink_aid=;max-age=0;path=/';
  // The site's own class stays whatever Inkling does.
  document.documentElement.className = 'js';
  browserSays('webdriver', false);
  browserSays('doNotTrack', 'unspecified');
});

const start = (options: InklingOptions = {}) => createInkling({ key, api: rec.url, autocapture: false, ...options });

describe('tier() and the <html> classes', () => {
  it('should apply the intent cached by the last visit at once, to the classes and to a callback queued before load', () => {
    localStorage.setItem(INTENT_KEY, JSON.stringify(HIGH));
    const seen: Intent[] = [];
    start({ autocapture: true, queue: [['tier', (i: Intent) => seen.push(i)]] });
    // Synchronously, before any answer.
    expect(seen).toEqual([HIGH]);
    expect(classes()).toEqual(['inkling-tier-high', 'inkling-type-buying']);
    expect(document.documentElement.classList.contains('js')).toBe(true);
  });

  it("should refresh a cached intent from the page view's ingest answer, with no lookup of its own", async () => {
    localStorage.setItem(INTENT_KEY, JSON.stringify(MEDIUM));
    rec.answer.intent = HIGH;
    const seen: Intent[] = [];
    start({ autocapture: true }).tier((i) => seen.push(i));
    expect(seen).toEqual([MEDIUM]);
    await vi.waitFor(() => expect(seen).toEqual([MEDIUM, HIGH]), { timeout: 3000 });
    expect(mine().flatMap((r) => r.body.batch.map((m) => m.type))).toEqual(['page']);
    expect(rec.lookups).toEqual([]);
    expect(classes()).toEqual(['inkling-tier-high', 'inkling-type-buying']);
    expect(cached()).toEqual(HIGH);
  });

  it('should look the intent up at once while nothing is cached, and take the page view answer as well', async () => {
    rec.answer.intent = HIGH;
    const seen: Intent[] = [];
    start({ autocapture: true }).tier((i) => seen.push(i));
    expect(seen).toEqual([]);
    await vi.waitFor(() => expect(mine()).toHaveLength(1), { timeout: 3000 });
    await vi.waitFor(() => expect(seen).toEqual([HIGH]), { timeout: 3000 });
    expect(rec.lookups).toHaveLength(1);
    expect(classes()).toEqual(['inkling-tier-high', 'inkling-type-buying']);
    expect(cached()).toEqual(HIGH);
  });

  it('should look the intent up when autocapture is off: GET /v1/intent with the anonymous id and the write key', async () => {
    rec.answer.intent = MEDIUM;
    const seen: Intent[] = [];
    start().tier((i) => seen.push(i));
    await vi.waitFor(() => expect(seen).toEqual([MEDIUM]), { timeout: 3000 });
    const aid = localStorage.getItem('ink_aid');
    expect(aid).toMatch(/^\d{20,40}$/);
    expect(rec.lookups).toEqual([`/v1/intent?anonymousId=${aid}&key=${key}`]);
    expect(classes()).toEqual(['inkling-tier-medium', 'inkling-type-partnership']);
  });

  it('should replace the classes and call back again when an answer changes the intent, and not when it repeats', async () => {
    localStorage.setItem(INTENT_KEY, JSON.stringify(MEDIUM));
    rec.answer.intent = MEDIUM;
    const seen: Intent[] = [];
    const ink = start();
    ink.tier((i) => seen.push(i));
    await vi.waitFor(() => expect(rec.lookups).toHaveLength(1), { timeout: 3000 });
    rec.answer.intent = HIGH;
    ink.track('Demo Requested');
    ink.flush();
    await vi.waitFor(() => expect(seen).toEqual([MEDIUM, HIGH]), { timeout: 3000 });
    expect(classes()).toEqual(['inkling-tier-high', 'inkling-type-buying']);
    expect(document.documentElement.classList.contains('js')).toBe(true);
    ink.track('Pricing Viewed');
    ink.flush();
    await vi.waitFor(() => expect(mine()).toHaveLength(2), { timeout: 3000 });
    await new Promise((r) => setTimeout(r, 50));
    expect(seen).toEqual([MEDIUM, HIGH]);
    expect(cached()).toEqual(HIGH);
  });

  it('should ignore answers without an intent and error answers, and call every callback even when one throws', async () => {
    localStorage.setItem(INTENT_KEY, JSON.stringify(MEDIUM));
    const ink = start();
    const seen: Intent[] = [];
    ink.tier(() => {
      throw new Error('a broken page callback');
    });
    ink.tier((i) => seen.push(i));
    await vi.waitFor(() => expect(rec.lookups).toHaveLength(1), { timeout: 3000 });
    // The lookup's neutral answer: a real change.
    expect(seen.map((i) => i.tier)).toEqual(['medium', 'low']);
    rec.answer.status = 400;
    ink.track('Refused');
    ink.flush();
    await vi.waitFor(() => expect(mine()).toHaveLength(1), { timeout: 3000 });
    rec.answer.status = 200;
    ink.track('No Intent');
    ink.flush();
    await vi.waitFor(() => expect(mine()).toHaveLength(2), { timeout: 3000 });
    await new Promise((r) => setTimeout(r, 50));
    expect(seen.map((i) => i.tier)).toEqual(['medium', 'low']);
    expect(classes()).toEqual(['inkling-tier-low', 'inkling-type-unknown']);
  });

  it('should give a visitor who may not be tracked the low tier at once, and store, send and call back nothing', async () => {
    browserSays('doNotTrack', '1');
    const seen: Intent[] = [];
    start({ autocapture: true }).tier((i) => seen.push(i));
    expect(classes()).toEqual(['inkling-tier-low', 'inkling-type-unknown']);
    await new Promise((r) => setTimeout(r, 150));
    expect(rec.requests).toEqual([]);
    expect(rec.lookups).toEqual([]);
    expect(seen).toEqual([]);
    expect(Object.keys(localStorage)).toEqual([]);
  });

  it('should forget the cached intent on reset and when consent is withdrawn', () => {
    localStorage.setItem(INTENT_KEY, JSON.stringify(HIGH));
    const ink = start();
    ink.reset();
    expect(localStorage.getItem(INTENT_KEY)).toBeNull();
    localStorage.setItem(INTENT_KEY, JSON.stringify(HIGH));
    ink.consent(false);
    expect(localStorage.getItem(INTENT_KEY)).toBeNull();
  });

  it('should shrug off a damaged cache and take the next answer', async () => {
    localStorage.setItem(INTENT_KEY, '{"tier":');
    rec.answer.intent = HIGH;
    expect(() => start()).not.toThrow();
    expect(classes()).toEqual([]);
    await vi.waitFor(() => expect(classes()).toEqual(['inkling-tier-high', 'inkling-type-buying']), { timeout: 3000 });
  });
});
