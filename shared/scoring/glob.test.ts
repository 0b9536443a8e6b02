import { describe, expect, it } from 'vitest';
import { compileGlob, globError, normalizePath } from './glob.ts';

describe('path globs', () => {
  it.each([
    ['/**/pricing/**', '/pricing', true],
    ['/**/pricing/**', '/de/pricing/teams', true],
    ['/**/pricing/**', '/pricing-faq', false],
    ['/blog/*', '/blog/post-1', true],
    ['/blog/*', '/blog/a/b', false],
    ['/docs/v?/api', '/docs/v2/api', true],
    ['/a.b', '/axb', false],
    ['/', '/', true],
  ])('should match %s against %s: %s', (glob, path, expected) => {
    expect(compileGlob(glob).test(normalizePath(path))).toBe(expected);
  });

  it('should normalize urls and paths to one comparable form', () => {
    expect(normalizePath('https://Example.com/Pricing/?a=1#x')).toBe('/pricing');
    expect(normalizePath('https://example.com')).toBe('/');
    expect(normalizePath('//docs//api/')).toBe('/docs/api');
    expect(normalizePath('https://example.com/examples/Pricing.html?x=1')).toBe('/examples/pricing');
    expect(normalizePath('/blog/index.html')).toBe('/blog');
    expect(normalizePath('/index.php')).toBe('/');
    expect(normalizePath('/case-study.aspx')).toBe('/case-study');
    expect(normalizePath('/docs/file.htmlx')).toBe('/docs/file.htmlx');
    expect(normalizePath('pricing')).toBe('/pricing');
  });

  it('should refuse globs that are not absolute, contain spaces or use ** inside a segment', () => {
    expect(globError('/ok/**')).toBeNull();
    expect(globError('pricing')).toMatch(/must start with "\/"/);
    expect(globError('/a b')).toMatch(/whitespace/);
    expect(globError('/a**')).toMatch(/whole segment/);
    expect(globError('/**/**/**/**/**')).toMatch(/more than 4/);
  });

  it('should match a long path without catastrophic backtracking', () => {
    const path = `/${'a/'.repeat(2000)}b`;
    const started = performance.now();
    expect(compileGlob('/**/x/**/y/**').test(path)).toBe(false);
    expect(performance.now() - started).toBeLessThan(500);
  });
});
