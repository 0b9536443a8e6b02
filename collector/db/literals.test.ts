import { describe, expect, it } from 'vitest';
import { inlineParams } from './literals.ts';

describe('inlineParams', () => {
  it('should write each parameter as a quoted literal, $10 apart from $1, and refuse a missing one', () => {
    const ten = Array.from({ length: 10 }, (_, i) => `p${i + 1}`);
    expect(inlineParams('select $1, $10', ten)).toBe(`select 'p1', 'p10'`);
    // A backslash makes it an escape string (E'...'), which pg writes with a space before it.
    expect(inlineParams('select $1', ["a'b\\c"])).toBe("select  E'a''b\\\\c'");
    expect(() => inlineParams('select $2', ['x'])).toThrow('no parameter $2');
  });
});
