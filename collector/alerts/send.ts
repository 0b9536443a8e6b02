/** What one delivery attempt got back. */
export interface Answer {
  /** The HTTP status; null when no answer came (network error, timeout). */
  status: number | null;
  retryAfter: string | null;
  /** Why it failed, for `deliveries.last_error`; null when delivered. */
  error: string | null;
  /** The collector is stopping: the attempt was cut and does not count. */
  aborted: boolean;
}

/** How much of a failed answer's body goes into `last_error`. */
const ERROR_BODY_CHARS = 200;

/**
 * POSTs `body` to `url` within `timeoutMs` (answer included). Redirects are not followed
 * (a 3xx is a failure like any other), so a delivery never goes to a host the rule did not
 * name. Never rejects.
 */
export async function postJson(
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
  stop: AbortSignal,
): Promise<Answer> {
  const signal = AbortSignal.any([AbortSignal.timeout(timeoutMs), stop]);
  try {
    const res = await fetch(url, { method: 'POST', body, headers, redirect: 'manual', signal });
    const ok = res.status >= 200 && res.status < 300;
    let text = '';
    if (ok) await res.body?.cancel();
    else text = await readStart(res, ERROR_BODY_CHARS);
    return {
      status: res.status,
      retryAfter: res.headers.get('retry-after'),
      error: ok ? null : `HTTP ${res.status}${text ? `: ${text}` : ''}`,
      aborted: false,
    };
  } catch (err) {
    if (stop.aborted) return { status: null, retryAfter: null, error: 'collector stopping', aborted: true };
    return { status: null, retryAfter: null, error: describe(err, timeoutMs), aborted: false };
  }
}

async function readStart(res: Response, chars: number): Promise<string> {
  const reader = res.body?.getReader();
  if (!reader) return '';
  const decoder = new TextDecoder();
  let text = '';
  while (text.length < chars) {
    const { done, value } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  await reader.cancel().catch(() => {});
  return text.slice(0, chars).replace(/\s+/g, ' ').trim();
}

function describe(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  const cause = e.cause?.code ?? e.cause?.message;
  return cause ? `${e.message ?? 'request failed'} (${cause})` : (e.message ?? String(err));
}
