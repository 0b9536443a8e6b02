/** Limits both the SDK and the collector agree on (Segment's own limits). */

/** Largest accepted message, in bytes of JSON. */
export const MAX_MESSAGE_BYTES = 32 * 1024;
/** Largest accepted batch body (after gzip inflation), in bytes. */
export const MAX_BATCH_BYTES = 500 * 1024;
/** Most messages in one batch. */
export const MAX_BATCH_MESSAGES = 2500;
/** Deepest nesting accepted inside properties, traits and context. */
export const MAX_DEPTH = 16;
