import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hostileJson, hostileText } from '../../test/helpers/arbitraries.ts';
import { NestingError, sanitize, sanitizeMeasured } from './sanitize.ts';

/** Keys that sanitize drops or merges: `__proto__`, one that cleans to it, and a pair that cleans to one. */
const key = fc.oneof(
  fc.constantFrom('__proto__', '__proto__\u0000', 'a', 'a\u0000', '\ud800', '\ufffd'),
  hostileText(6),
);

/** JSON text of an object with those keys (built as text: `JSON.parse` makes `__proto__` an own key). */
const objectText = (inner: fc.Arbitrary<string>) =>
  fc
    .array(fc.tuple(key, inner), { maxLength: 6 })
    .map((entries) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`);

const valueText = hostileJson(3).map((v) => JSON.stringify(v) ?? 'null');
/** A parsed JSON value as a client sends it: hostile strings and keys, two levels of such objects. */
const parsedJson = fc
  .oneof(objectText(fc.oneof(valueText, objectText(valueText))), valueText)
  .map((text) => JSON.parse(text) as unknown);

function strings(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) strings(x, out);
  else if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      out.push(k);
      strings(x, out);
    }
  }
  return out;
}

const ownProto = (v: unknown): boolean =>
  v !== null &&
  typeof v === 'object' &&
  (Object.hasOwn(v, '__proto__') || Object.values(v as Record<string, unknown>).some(ownProto));

describe('sanitize', () => {
  it('should answer what is storable, drop own __proto__ keys, and leave its input as it was', () => {
    fc.assert(
      fc.property(parsedJson, (input) => {
        const before = JSON.stringify(input);
        const out = sanitize(input);
        expect(JSON.stringify(input)).toBe(before);
        for (const s of strings(out)) {
          expect(s.includes('\u0000')).toBe(false);
          expect(s.isWellFormed()).toBe(true);
        }
        expect(ownProto(out)).toBe(false);
      }),
      { numRuns: 400 },
    );
  });

  it('should drop a key that only becomes __proto__ once cleaned, never setting the prototype of its copy', () => {
    const input = JSON.parse('{"a":1,"__proto__\\u0000":{"polluted":true},"b":{"__proto__\\u0000":{"x":1}}}');
    const out = sanitize(input) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(out.b)).toBe(Object.prototype);
    expect((out as { polluted?: unknown }).polluted).toBeUndefined();
    expect(out).toEqual({ a: 1, b: {} });
    expect(sanitizeMeasured(input).bytes).toBe(Buffer.byteLength(JSON.stringify(out), 'utf8'));
  });

  it('should answer a clean value itself, with no copy', () => {
    const clean = JSON.parse('{"type":"page","properties":{"url":"https://a.test/?q=é","tags":["x",1,null]}}');
    expect(sanitize(clean)).toBe(clean);
    const dirty = JSON.parse('{"a":{"b":"ok"},"c":["x\\u0000"]}');
    const out = sanitize(dirty) as Record<string, unknown>;
    expect(out).not.toBe(dirty);
    expect(out).toEqual({ a: { b: 'ok' }, c: ['x'] });
    // What did not change is shared, what did is a copy.
    expect(out.a).toBe(dirty.a);
    expect(dirty.c).toEqual(['x\u0000']);
  });

  it('should count the bytes of JSON.stringify of what it answers, in the same walk', () => {
    fc.assert(
      fc.property(parsedJson, (input) => {
        const { value, bytes } = sanitizeMeasured(input);
        expect(value).toEqual(sanitize(input));
        expect(bytes).toBe(Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8'));
      }),
      { numRuns: 1000 },
    );
    const escapes = {
      s: '"\\\b\f\n\r\t\u0001\u001f\u2028é😀',
      n: [-0, 1e21, 1.5e-7, -12.25],
      t: true,
      f: false,
      z: null,
    };
    expect(sanitizeMeasured(escapes).bytes).toBe(Buffer.byteLength(JSON.stringify(escapes)));
  });

  it('should refuse nesting deeper than the limit, measured or not', () => {
    const deep = JSON.parse(`${'{"a":'.repeat(17)}1${'}'.repeat(17)}`);
    expect(() => sanitize(deep)).toThrow(NestingError);
    expect(() => sanitizeMeasured(deep)).toThrow(NestingError);
    const within = JSON.parse(`${'['.repeat(16)}${']'.repeat(16)}`);
    expect(sanitize(within)).toBe(within);
    expect(() => sanitize(JSON.parse(`${'['.repeat(17)}${']'.repeat(17)}`))).toThrow('nested deeper than 16 levels');
  });
});
