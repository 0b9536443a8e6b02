/**
 * The one error type the collector throws. `onError` in app.ts turns it into
 * `{"error": {"code", "message"}}` with `status`; anything else becomes a logged 500
 * whose details are never echoed.
 */
export class InklingError extends Error {
  readonly status: 400 | 401 | 403 | 404 | 405 | 409 | 413 | 415 | 422 | 429 | 503;
  readonly code: string;
  readonly headers: Record<string, string>;

  constructor(status: InklingError['status'], code: string, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.name = 'InklingError';
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

/** Body of every error answer. */
export function errorBody(code: string, message: string): { error: { code: string; message: string } } {
  return { error: { code, message } };
}

/** What a `503` asks the client to wait before retrying, in seconds. */
export const RETRY_AFTER_SECONDS = '5';
