import http from 'node:http';
import https from 'node:https';
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
 * Kept-alive connections per host: a busy rule posts to one endpoint many times a second,
 * and a new TCP (and TLS) connection per delivery cost more CPU than the delivery itself.
 */
const clients: Record<string, { agent: http.Agent; request: typeof http.request }> = {
  'http:': { agent: new http.Agent({ keepAlive: true, maxSockets: 32 }), request: http.request },
  'https:': { agent: new https.Agent({ keepAlive: true, maxSockets: 32 }), request: https.request },
};

/**
 * POSTs `body` to `url` within `timeoutMs` (answer included). Redirects are not followed
 * (a 3xx is a failure like any other), so a delivery never goes to a host the rule did not
 * name. Never rejects. Node's own `http` client with a keep-alive agent: measured about a
 * third of `fetch`'s CPU per delivery (no web streams, no abort signal objects per request).
 */
export function postJson(
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
  stop: AbortSignal,
): Promise<Answer> {
  return new Promise<Answer>((resolve) => {
    let settled = false;
    const finish = (answer: Answer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      stop.removeEventListener('abort', onStop);
      resolve(answer);
    };
    const failed = (error: string) => finish({ status: null, retryAfter: null, error, aborted: false });
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      failed('not a valid URL');
      return;
    }
    const client = Object.hasOwn(clients, target.protocol) ? clients[target.protocol] : undefined;
    if (!client) {
      failed(`unsupported protocol ${target.protocol}`);
      return;
    }
    const payload = Buffer.from(body);
    const req = client.request(target, {
      method: 'POST',
      agent: client.agent,
      headers: { ...headers, 'content-length': String(payload.length) },
    });
    // First: every way out below destroys the request, which then emits an error.
    req.on('error', (err: NodeJS.ErrnoException) => failed(err.code ? `${err.message} (${err.code})` : err.message));
    const timer = setTimeout(() => {
      failed(`no answer within ${timeoutMs} ms`);
      req.destroy();
    }, timeoutMs);
    const onStop = () => {
      finish({ status: null, retryAfter: null, error: 'collector stopping', aborted: true });
      req.destroy();
    };
    if (stop.aborted) {
      onStop();
      return;
    }
    stop.addEventListener('abort', onStop, { once: true });
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      const retryAfter = headerOf(res.headers['retry-after']);
      if (status >= 200 && status < 300) {
        // Drain the answer so the connection goes back to the pool.
        res.resume();
        const delivered = () => finish({ status, retryAfter, error: null, aborted: false });
        res.on('end', delivered);
        res.on('close', delivered);
        res.on('error', delivered);
        return;
      }
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (text.length < ERROR_BODY_CHARS) text += chunk;
        // Enough read for the record: the rest of a failed answer is not waited for.
        if (text.length >= ERROR_BODY_CHARS) res.destroy();
      });
      const done = () => {
        const start = text.slice(0, ERROR_BODY_CHARS).replace(/\s+/g, ' ').trim();
        finish({ status, retryAfter, error: `HTTP ${status}${start ? `: ${start}` : ''}`, aborted: false });
      };
      res.on('end', done);
      res.on('close', done);
      res.on('error', done);
    });
    req.end(payload);
  });
}

const headerOf = (v: string | string[] | undefined): string | null => (Array.isArray(v) ? (v[0] ?? null) : (v ?? null));
