import { describe, expect, it } from 'vitest';
import { isStorableText, unstorablePath } from './text.ts';

describe('storable text', () => {
  it('should refuse NUL and lone surrogates and accept every other string, pairs included', () => {
    expect(['', 'plain', 'é', '\u{1f431}', '\ud83d\udc31', '%00'].map(isStorableText)).toEqual([
      true,
      true,
      true,
      true,
      true,
      true,
    ]);
    expect(['\u0000', 'a\u0000', '\ud800', 'x\udc00', '\udc00\ud800'].map(isStorableText)).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
  });

  it('should name the path of the first bad key or string in a JSON value', () => {
    expect(unstorablePath({ a: [1, 'ok', { b: 'x\u0000' }] })).toEqual(['a', 2, 'b']);
    expect(unstorablePath({ ok: { '\ud800': 1 } })).toEqual(['ok', '\ud800']);
    expect(unstorablePath({ a: [null, true, 2, 'fine'] })).toBeNull();
  });
});
