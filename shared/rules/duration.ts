/** A rule's period ("30m", "24h", "7d"): a whole number of minutes, hours or days. */
export const DURATION_PATTERN = /^([1-9][0-9]{0,4})(m|h|d)$/;

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** The period in milliseconds, or null when `text` is not shaped like "30m", "24h" or "7d". */
export function parseDuration(text: string): number | null {
  const m = DURATION_PATTERN.exec(text);
  if (!m) return null;
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
}
