// @vitest-environment happy-dom
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPersonalizer, INTENT_KEY } from './personalize.ts';
import { FALLBACK_MS, PERSONALIZATION_SCRIPT, PERSONALIZATION_SNIPPET } from './snippet.ts';

// happy-dom does not evaluate the style's selectors; what they show and hide, frame by
// frame, is checked in Chromium (test/browser/personalize.test.ts).
const classes = () => document.documentElement.className.split(/\s+/).filter((c) => c.startsWith('inkling-'));
/** Runs the snippet's inline script as the page would, in its <head>. */
const runScript = () => new Function(PERSONALIZATION_SCRIPT.replace(/^<script>|<\/script>$/g, ''))();

beforeEach(() => {
  vi.useFakeTimers();
  localStorage.clear();
  document.documentElement.className = 'js';
});
afterEach(() => vi.useRealTimers());

describe('the head snippet', () => {
  it(`should fall back to the low tier after ${FALLBACK_MS} ms when nothing set a tier`, () => {
    runScript();
    expect(classes()).toEqual([]);
    vi.advanceTimersByTime(FALLBACK_MS - 1);
    expect(classes()).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(classes()).toEqual(['inkling-tier-low']);
    expect(document.documentElement.classList.contains('js')).toBe(true);
  });

  it('should apply the tier cached by the last visit at once, and keep it past the timeout', () => {
    localStorage.setItem(INTENT_KEY, JSON.stringify({ tier: 'high', score: 80, type: 'buying' }));
    runScript();
    expect(classes()).toEqual(['inkling-tier-high']);
    vi.advanceTimersByTime(FALLBACK_MS * 2);
    expect(classes()).toEqual(['inkling-tier-high']);
  });

  it('should leave alone a tier the SDK set before the timeout, and the SDK should replace its cached one', () => {
    localStorage.setItem(INTENT_KEY, JSON.stringify({ tier: 'medium', type: 'buying' }));
    runScript();
    expect(classes()).toEqual(['inkling-tier-medium']);
    // The SDK loads: the same cache, then an answer.
    const p = createPersonalizer();
    expect(classes()).toEqual(['inkling-tier-medium', 'inkling-type-buying']);
    vi.advanceTimersByTime(FALLBACK_MS / 2);
    p.set_({ success: true, intent: { tier: 'high', score: 75, type: 'buying', trend: 'rising', account: null } });
    vi.advanceTimersByTime(FALLBACK_MS);
    expect(classes()).toEqual(['inkling-tier-high', 'inkling-type-buying']);
  });

  it('should ignore a damaged or empty cache and still fall back', () => {
    for (const value of ['{"tier":', '{}', 'null']) {
      document.documentElement.className = '';
      localStorage.setItem(INTENT_KEY, value);
      expect(runScript).not.toThrow();
      expect(classes()).toEqual([]);
      vi.advanceTimersByTime(FALLBACK_MS);
      expect(classes()).toEqual(['inkling-tier-low']);
    }
  });

  it('should be the snippet that the README and the example home page carry, verbatim', () => {
    for (const file of ['../README.md', '../examples/index.html']) {
      expect(readFileSync(new URL(file, import.meta.url), 'utf8')).toContain(PERSONALIZATION_SNIPPET);
    }
  });
});
