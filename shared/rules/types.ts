/**
 * A rule (alert or behavioral trigger) as `POST /v1/rules` takes it (CONTRACT "Rules").
 * The collector validates it with zod (`collector/routes/`); the pure conditions in
 * `shared/rules/` take it as typed here.
 */
export type Tier = 'high' | 'medium' | 'low';
export type RuleSubject = 'person' | 'account';

export type RuleCondition =
  /** Crosses into `tier` from below, or crosses `score` upwards. */
  | { type: 'threshold'; tier?: Tier; score?: number }
  /** The score rose by at least `points` within `hours` (default 24). */
  | { type: 'spike'; points: number; hours?: number }
  /** A signal arrives (optionally only for subjects in `tiers`). */
  | { type: 'signal'; signal: string; tiers?: Tier[] }
  /** The score dropped below `below`, or by at least `points` within `days` (default 7). */
  | { type: 'cooling'; below?: number; points?: number; days?: number }
  /** Did `event` (or `signal`), whose properties equal `where`, at least `times` within `days`, and is (not) in a tier. */
  | {
      type: 'behavior';
      event?: string;
      signal?: string;
      where?: Record<string, string | number | boolean>;
      times: number;
      days: number;
      tier?: Tier;
      notTier?: Tier;
    };

export type RuleAction = { type: 'webhook'; url: string } | { type: 'slack'; url: string };

export interface RuleDefinition {
  name: string;
  subject: RuleSubject;
  when: RuleCondition;
  actions: RuleAction[];
  /** At most `max` firings per subject within `within` ("24h", "7d"), and `lifetime` in all. */
  cap?: { within?: string; max?: number; lifetime?: number };
  /** The share of subjects (0-1) held out: recorded, never delivered. */
  holdout?: number;
  /** A goal event that ends the rule for the subject. */
  stopWhen?: { event: string };
  /** Who gets it: the subject's owner, else round-robin over reps, else the fallback. */
  route?: { to?: 'owner'; roundRobin?: string[]; fallback?: string };
  /** Collect firings and deliver one message per period ("1h") instead of one each. */
  digest?: { every: string };
  enabled?: boolean;
}

/** What a firing's webhook carries (CONTRACT "Webhooks"). */
export interface WebhookSubject {
  id: string;
  name: string | null;
  score: number;
  tier: Tier;
  previousTier: Tier | null;
  owner: string | null;
}
export interface WebhookPayload {
  /** Equal to the `webhook-id` header: the receiver's idempotency key. */
  id: string;
  rule: { id: string; name: string };
  firedAt: string;
  person?: WebhookSubject;
  account?: WebhookSubject;
  recipient?: string | null;
  /** Why it fired. */
  reason: string;
  signals: { signal: string; points: number; at?: string }[];
}
