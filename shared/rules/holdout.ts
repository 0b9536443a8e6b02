/** FNV-1a, 32 bits: stable across processes and releases, which is all a holdout needs. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Where the subject falls in [0, 1) for this rule: the same every time. */
export function holdoutPosition(ruleId: string, subjectId: string): number {
  return fnv1a(`${ruleId}\u0000${subjectId}`) / 2 ** 32;
}

/** Whether the subject is in the rule's held-out share (recorded, never delivered). */
export function isHeldOut(ruleId: string, subjectId: string, share: number | undefined): boolean {
  return share !== undefined && share > 0 && holdoutPosition(ruleId, subjectId) < share;
}
