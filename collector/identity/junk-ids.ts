/**
 * Ids that buggy or careless clients send for "no id" (PostHog's and Segment's lists): they
 * would glue unrelated visitors into one person, so they are never linked.
 */
const JUNK = new Set(['null', 'undefined', 'anonymous', '0', '-1', '[object object]', 'nan', 'none', 'guest']);

/** Whether an id must never be linked: a placeholder, empty, or only zeros and dashes (the nil UUID). */
export function isJunkId(id: string | null | undefined): boolean {
  if (id === null || id === undefined) return true;
  const v = id.trim().toLowerCase();
  return v === '' || JUNK.has(v) || /^[0-]+$/.test(v);
}

/** The id, or null when it is junk. */
export function usableId(id: string | null | undefined): string | null {
  return isJunkId(id) ? null : (id as string);
}

/** The same test in SQL, for a column: `(… ) is true` when the id is junk. */
export function junkIdSql(column: string): string {
  const list = [...JUNK].map((j) => `'${j}'`).join(', ');
  return `(lower(btrim(${column})) in (${list}) or btrim(${column}) ~ '^[0-]*$')`;
}
