import { MAX_DEPTH } from '../../shared/limits.ts';

export class NestingError extends Error {}

/**
 * Makes a parsed JSON value safe to store and to spread: strings become well-formed
 * UTF-16 without NUL (PostgreSQL's jsonb refuses both lone surrogates and \u0000),
 * `__proto__` keys are dropped, and nesting deeper than `maxDepth` throws NestingError.
 */
export function sanitize(value: unknown, maxDepth = MAX_DEPTH): unknown {
  return walk(value, 0, maxDepth);
}

function walk(value: unknown, depth: number, maxDepth: number): unknown {
  if (typeof value === 'string') return cleanString(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= maxDepth) throw new NestingError(`nested deeper than ${maxDepth} levels`);
  if (Array.isArray(value)) return value.map((v) => walk(v, depth + 1, maxDepth));
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    if (key === '__proto__') continue;
    out[cleanString(key)] = walk((value as Record<string, unknown>)[key], depth + 1, maxDepth);
  }
  return out;
}

export function cleanString(s: string): string {
  // Fast path: most strings need nothing.
  if (!/[\u0000\ud800-\udfff]/.test(s)) return s;
  return s.toWellFormed().replaceAll('\u0000', '');
}
