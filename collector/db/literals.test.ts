import fc from 'fast-check';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { inlineParams, quoteLiteral } from './literals.ts';

describe('inlineParams', () => {
  it('should write each parameter as a quoted literal, $10 apart from $1, and refuse a missing one', () => {
    const ten = Array.from({ length: 10 }, (_, i) => `p${i + 1}`);
    expect(inlineParams('select $1, $10', ten)).toBe(`select 'p1', 'p10'`);
    // A backslash makes it an escape string (E'...'), which pg writes with a space before it.
    expect(inlineParams('select $1', ["a'b\\c"])).toBe("select  E'a''b\\\\c'");
    expect(() => inlineParams('select $2', ['x'])).toThrow('no parameter $2');
  });
});

describe('quoteLiteral', () => {
  it("should write every string as the driver's own escapeLiteral does", () => {
    const text = fc.string({ unit: fc.constantFrom('a', "'", '\\', '"', ' ', 'é', '\n', '$', 'E') });
    fc.assert(
      fc.property(fc.oneof(text, fc.string({ unit: 'binary' })), (v) => {
        expect(quoteLiteral(v)).toBe(pg.escapeLiteral(v));
      }),
      { numRuns: 2000 },
    );
  });
});
