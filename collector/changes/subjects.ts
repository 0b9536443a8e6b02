/**
 * A set of subjects (persons or accounts) across sites: site id -> ids. The one shape in
 * which identity reports what it touched, scoring takes what to rescore, and changes are
 * announced (one site at a time).
 */
export type Subjects = Map<string, Set<string>>;

export function addSubject(subjects: Subjects, siteId: string, id: string): void {
  const ids = subjects.get(siteId);
  if (ids) ids.add(id);
  else subjects.set(siteId, new Set([id]));
}

export function addSubjects(subjects: Subjects, siteId: string, ids: Iterable<string>): void {
  for (const id of ids) addSubject(subjects, siteId, id);
}

/** Subjects of one site, or of the (site, id) pairs given. */
export function subjectsOf(pairs: Iterable<readonly [siteId: string, id: string]>): Subjects {
  const out: Subjects = new Map();
  for (const [siteId, id] of pairs) addSubject(out, siteId, id);
  return out;
}

/** How many subjects, over all sites. */
export function countSubjects(subjects: Subjects): number {
  let n = 0;
  for (const ids of subjects.values()) n += ids.size;
  return n;
}
