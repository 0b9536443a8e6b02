import { MAX_BATCH_BYTES, MAX_MESSAGE_BYTES } from '../../shared/limits.ts';
import type { MessageType } from '../../shared/messages.ts';

/** `POST /v1/<name>`: what each ingest path receives (Segment's long and analytics.js's short paths). */
export const ROUTES: Record<string, MessageType | 'batch'> = {
  batch: 'batch',
  b: 'batch',
  import: 'batch',
  track: 'track',
  t: 'track',
  page: 'page',
  p: 'page',
  identify: 'identify',
  i: 'identify',
  group: 'group',
  g: 'group',
  alias: 'alias',
  a: 'alias',
  screen: 'screen',
  s: 'screen',
};

/** The body limit of a path's kind: a batch, or one message. */
export function bodyLimitOf(kind: MessageType | 'batch'): number {
  return kind === 'batch' ? MAX_BATCH_BYTES : MAX_MESSAGE_BYTES;
}

/** The kind of `POST /v1/<name>`, or undefined for an unknown name. */
export function routeKind(name: string): MessageType | 'batch' | undefined {
  return Object.hasOwn(ROUTES, name) ? ROUTES[name] : undefined;
}
