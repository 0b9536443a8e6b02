/**
 * FNV-1a over the text, then MurmurHash3's 32-bit finalizer so that ids differing in their
 * last character spread over the whole range: stable across processes and releases, which
 * is all a holdout needs.
 */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Where the subject falls in [0, 1) for this rule: the same every time. */
export function holdoutPosition(ruleId: string, subjectId: string): number {
  return hash32(`${ruleId}\u0000${subjectId}`) / 2 ** 32;
}

/** Whether the subject is in the rule's held-out share (recorded, never delivered). */
export function isHeldOut(ruleId: string, subjectId: string, share: number | undefined): boolean {
  return share !== undefined && share > 0 && holdoutPosition(ruleId, subjectId) < share;
}
