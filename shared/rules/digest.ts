import type { RuleCondition, RuleDefinition, RuleSubject, Tier, WebhookPayload } from './types.ts';

/**
 * A digest rule (`digest: {"every": "1h"}`) delivers one message per period listing its
 * firings ("5 accounts crossed into High in the last hour") instead of one per firing.
 */

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const UNIT_NAME = { m: 'minute', h: 'hour', d: 'day' } as const;

function parseEvery(every: string): { n: number; unit: keyof typeof UNIT_MS } | null {
  const m = /^(\d{1,4})(m|h|d)$/.exec(every.trim());
  if (!m || Number(m[1]) === 0) return null;
  return { n: Number(m[1]), unit: m[2] as keyof typeof UNIT_MS };
}

/** A digest period ("30m", "1h", "1d") in milliseconds; null when not one. */
export function digestPeriodMs(every: string): number | null {
  const p = parseEvery(every);
  return p ? p.n * UNIT_MS[p.unit] : null;
}

/** "the last hour", "the last 30 minutes", "the last 2 days". */
export function periodText(every: string): string {
  const p = parseEvery(every);
  if (!p) return `the last ${every}`;
  return p.n === 1 ? `the last ${UNIT_NAME[p.unit]}` : `the last ${p.n} ${UNIT_NAME[p.unit]}s`;
}

const TIER_NAME: Record<Tier, string> = { high: 'High', medium: 'Medium', low: 'Low' };
export const tierName = (tier: Tier | null | undefined): string => (tier ? TIER_NAME[tier] : 'none');

/** What the subjects did, in the words of the rule's condition ("crossed into High"). */
export function conditionText(when: RuleCondition | undefined, name: string): string {
  switch (when?.type) {
    case 'threshold':
      return when.tier ? `crossed into ${tierName(when.tier)}` : `crossed a score of ${when.score}`;
    case 'spike':
      return `rose by at least ${when.points} points`;
    case 'signal':
      return `showed the signal ${when.signal}`;
    case 'cooling':
      return when.below !== undefined ? `cooled below a score of ${when.below}` : `cooled by ${when.points} points`;
    default:
      return `matched “${name}”`;
  }
}

function subjects(kind: RuleSubject, n: number): string {
  if (kind === 'account') return n === 1 ? '1 account' : `${n} accounts`;
  return n === 1 ? '1 person' : `${n} people`;
}

/** "5 accounts crossed into High in the last hour". */
export function digestSummary(
  rule: Pick<RuleDefinition, 'name' | 'subject'> & { when?: RuleCondition },
  count: number,
  every: string,
): string {
  return `${subjects(rule.subject, count)} ${conditionText(rule.when, rule.name)} in ${periodText(every)}`;
}

/** The JSON body of a digest webhook: one message for the period's firings, oldest first. */
export interface DigestPayload {
  /** Equal to the `webhook-id` header. */
  id: string;
  rule: { id: string; name: string };
  digest: { every: string; count: number; summary: string; from: string; to: string };
  /** Each firing's own webhook body. */
  firings: WebhookPayload[];
}

export function digestPayload(
  id: string,
  rule: { id: string } & Pick<RuleDefinition, 'name' | 'subject'> & { when?: RuleCondition },
  every: string,
  firings: readonly WebhookPayload[],
): DigestPayload {
  const times = firings.map((f) => f.firedAt).sort();
  return {
    id,
    rule: { id: rule.id, name: rule.name },
    digest: {
      every,
      count: firings.length,
      summary: digestSummary(rule, firings.length, every),
      from: times[0] ?? '',
      to: times[times.length - 1] ?? '',
    },
    firings: [...firings],
  };
}
