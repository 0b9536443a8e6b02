import type { Intent } from './intent.ts';

/**
 * The Segment-spec message shapes that travel from an SDK to the collector. Types only:
 * the SDK imports them without adding a byte; the collector validates with its own schema.
 */
export type MessageType = 'track' | 'page' | 'identify' | 'group' | 'alias' | 'screen';

export interface MessageContext {
  page?: { url?: string; path?: string; referrer?: string; title?: string; search?: string };
  userAgent?: string;
  locale?: string;
  campaign?: { source?: string; medium?: string; name?: string; term?: string; content?: string };
  ip?: string;
  library?: { name: string; version: string };
  screen?: { width?: number; height?: number };
  [key: string]: unknown;
}

export interface Message {
  type: MessageType;
  messageId: string;
  anonymousId?: string;
  userId?: string;
  timestamp?: string;
  sentAt?: string;
  event?: string;
  name?: string;
  properties?: Record<string, unknown>;
  traits?: Record<string, unknown>;
  groupId?: string;
  previousId?: string;
  context?: MessageContext;
}

export interface BatchBody {
  batch: Message[];
  sentAt?: string;
  writeKey?: string;
  context?: MessageContext;
}

export interface IngestResponse {
  success: true;
  accepted: number;
  rejected: { index: number; messageId: string | null; error: string }[];
  /**
   * The visitor's current intent (as `GET /v1/intent` answers it), after this batch was
   * scored; present when scoring is on and every message carries the same anonymousId.
   */
  intent?: Intent;
}
