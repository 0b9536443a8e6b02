/**
 * Text PostgreSQL stores as sent: no NUL (text and jsonb refuse it) and no lone surrogate
 * (jsonb refuses its escape; text silently turns it into U+FFFD).
 */
export function isStorableText(s: string): boolean {
  return s.isWellFormed() && !s.includes('\u0000');
}

/** The path of the first key or string in a JSON value that is not storable text, or null. */
export function unstorablePath(value: unknown, path: PropertyKey[] = []): PropertyKey[] | null {
  if (typeof value === 'string') return isStorableText(value) ? null : path;
  if (value === null || typeof value !== 'object') return null;
  const entries: [PropertyKey, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  for (const [key, v] of entries) {
    if (typeof key === 'string' && !isStorableText(key)) return [...path, key];
    const found = unstorablePath(v, [...path, key]);
    if (found) return found;
  }
  return null;
}
