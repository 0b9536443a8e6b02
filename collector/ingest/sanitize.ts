import { MAX_DEPTH } from '../../shared/limits.ts';

export class NestingError extends Error {}

/**
 * Makes a parsed JSON value safe to store and to spread: strings become well-formed
 * UTF-16 without NUL (PostgreSQL's jsonb refuses both lone surrogates and \u0000),
 * `__proto__` keys are dropped, and nesting deeper than `maxDepth` throws NestingError.
 * What needs no change is answered as is (an object or array is copied only when something
 * in it changes), so that a clean message costs one walk and no allocation.
 */
export function sanitize(value: unknown, maxDepth = MAX_DEPTH): unknown {
  return walk(value, 0, maxDepth, null);
}

/**
 * `sanitize`, and the size in bytes of `JSON.stringify` of what it answers (UTF-8), counted
 * in the same walk instead of serialising the message again.
 */
export function sanitizeMeasured(value: unknown, maxDepth = MAX_DEPTH): { value: unknown; bytes: number } {
  const size = { bytes: 0 };
  return { value: walk(value, 0, maxDepth, size), bytes: size.bytes };
}

type Size = { bytes: number } | null;

function walk(value: unknown, depth: number, maxDepth: number, size: Size): unknown {
  if (typeof value === 'string') {
    if (size === null) return cleanString(value);
    // Fast path: printable ASCII with nothing to escape is its length and two quotes.
    if (!NOT_PLAIN.test(value)) {
      size.bytes += value.length + 2;
      return value;
    }
    const clean = cleanString(value);
    size.bytes += jsonStringBytes(clean);
    return clean;
  }
  if (value === null || typeof value !== 'object') {
    if (size) size.bytes += jsonScalarBytes(value);
    return value;
  }
  if (depth >= maxDepth) throw new NestingError(`nested deeper than ${maxDepth} levels`);
  if (Array.isArray(value)) return walkArray(value, depth, maxDepth, size);
  return walkObject(value as Record<string, unknown>, depth, maxDepth, size);
}

const NOT_PLAIN = /["\\\u0000-\u001f\u007f-\uffff]/;

function walkArray(value: unknown[], depth: number, maxDepth: number, size: Size): unknown[] {
  // Brackets and the commas between elements.
  if (size) size.bytes += 2 + Math.max(0, value.length - 1);
  let out: unknown[] | undefined;
  for (let i = 0; i < value.length; i++) {
    const v = value[i];
    const w = walk(v, depth + 1, maxDepth, size);
    if (out === undefined && w !== v) out = value.slice(0, i);
    out?.push(w);
  }
  return out ?? value;
}

function walkObject(value: Record<string, unknown>, depth: number, maxDepth: number, size: Size): unknown {
  const keys = Object.keys(value);
  const start = size ? size.bytes : 0;
  // Braces and the commas between members (each member adds its key, colon and value).
  if (size) size.bytes += 1 + keys.length;
  let out: Record<string, unknown> | undefined;
  let keysChanged = false;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const v = value[key];
    const k = cleanString(key);
    // Also a key that only becomes `__proto__` once cleaned ("__proto__\u0000"): assigned, it
    // would set the copy's prototype.
    if (k === '__proto__') {
      out ??= copyOf(value, keys, i);
      keysChanged = true;
      continue;
    }
    if (size) size.bytes += (k === key && !NOT_PLAIN.test(key) ? key.length + 2 : jsonStringBytes(k)) + 1;
    const w = walk(v, depth + 1, maxDepth, size);
    if (k !== key) keysChanged = true;
    if (out === undefined && (k !== key || w !== v)) out = copyOf(value, keys, i);
    if (out) out[k] = w;
  }
  // Rare: a key was dropped or merged into another; the copy (depth-checked) is counted as written.
  if (size && out && keysChanged) size.bytes = start + Buffer.byteLength(JSON.stringify(out), 'utf8');
  if (size && keys.length === 0) size.bytes = start + 2;
  return out ?? value;
}

/** A fresh object with the first `n` keys of `value` (all of them clean and unchanged). */
function copyOf(value: Record<string, unknown>, keys: string[], n: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let j = 0; j < n; j++) out[keys[j] as string] = value[keys[j] as string];
  return out;
}

export function cleanString(s: string): string {
  // Fast path: most strings need nothing.
  if (!/[\u0000\ud800-\udfff]/.test(s)) return s;
  return s.toWellFormed().replaceAll('\u0000', '');
}

/** Bytes of `JSON.stringify(s)` in UTF-8, for a well-formed string. */
function jsonStringBytes(s: string): number {
  // Fast path: nothing to escape, so the quotes and the string's own UTF-8.
  if (!/["\\\u0000-\u001f]/.test(s)) return 2 + Buffer.byteLength(s, 'utf8');
  let extra = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22 || c === 0x5c || c === 0x08 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d) extra += 1;
    else if (c < 0x20) extra += 5; // \u00XX for a byte of one
  }
  return 2 + Buffer.byteLength(s, 'utf8') + extra;
}

/** Bytes of `JSON.stringify` of a JSON scalar (what `JSON.parse` can answer besides strings). */
function jsonScalarBytes(v: unknown): number {
  if (typeof v === 'number') return Number.isFinite(v) ? String(v).length : 4;
  if (typeof v === 'boolean') return v ? 4 : 5;
  return 4; // null
}
