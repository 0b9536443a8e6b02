/** Limits both the SDK and the collector agree on (Segment's own limits). */

/** Largest accepted message, in bytes of JSON. */
export const MAX_MESSAGE_BYTES = 32 * 1024;
/** Largest accepted batch body (after gzip inflation), in bytes. */
export const MAX_BATCH_BYTES = 500 * 1024;
/** Most messages in one batch. */
export const MAX_BATCH_MESSAGES = 2500;
/** Deepest nesting accepted inside properties, traits and context. */
export const MAX_DEPTH = 16;
/**
 * A stored event's `timestamp` is at most this far after its `received_at` (later ones are
 * replaced by `received_at` on ingest), so `timestamp >= t` implies
 * `received_at >= t - MAX_FUTURE_MS`: the bound that lets a read by time skip older partitions.
 */
export const MAX_FUTURE_MS = 5 * 60 * 1000;
