/**
 * One event as the writer stores it (a row of `events`, with timestamps as ISO text) and as
 * identity and scoring take it: built by `ingest/enrich.ts` from a message, or read back
 * from `events` (`pipeline/recover.ts`). Keyed as the hot-path SQL expects (snake_case).
 */
export interface EventRow {
  site_id: string;
  message_id: string;
  type: string;
  event: string | null;
  name: string | null;
  anonymous_id: string | null;
  user_id: string | null;
  group_id: string | null;
  previous_id: string | null;
  timestamp: string;
  original_timestamp: string | null;
  sent_at: string | null;
  received_at: string;
  properties: Record<string, unknown>;
  traits: Record<string, unknown>;
  context: Record<string, unknown>;
  url: string | null;
  path: string | null;
  referrer: string | null;
  utm_source: string | null;
  utm_medium: string | null;
  utm_campaign: string | null;
  utm_term: string | null;
  utm_content: string | null;
  browser: string | null;
  browser_version: string | null;
  os: string | null;
  os_version: string | null;
  device_type: string | null;
  is_bot: boolean;
  ip: string | null;
  /**
   * Not stored: whether what the message says about identity is trusted (see
   * `ingest/verify.ts`). Unset (the collector's own rows, e.g. a tracked link's) = trusted.
   */
  verified?: boolean;
}

/** A stored row's key, its site and messageId in one string (the ledger's key). */
export const rowKey = (siteId: string, messageId: string) => `${siteId}\u0001${messageId}`;
