import pg from 'pg';

export interface ListenerOptions {
  /** Connection settings (the pool's, without the pool). */
  client: pg.ClientConfig;
  channel: string;
  onNotify: (payload: string) => void;
  /** Called each time LISTEN is (re)established. */
  onConnect?: () => void;
  /** Called each time the listening connection is lost. */
  onDisconnect?: () => void;
}

const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 5_000;

/**
 * LISTEN on a connection of its own that comes back by itself: when the connection drops
 * (server restart, `pg_terminate_backend`, network), it reconnects with a growing delay
 * (100 ms doubling to 5 s) and listens again. Resolves after the first attempt, successful
 * or not (it keeps trying); answers a function that stops listening for good.
 */
export async function listenWithReconnect(options: ListenerOptions): Promise<() => Promise<void>> {
  let current: pg.Client | null = null;
  let stopped = false;
  let delay = FIRST_RETRY_MS;
  let timer: NodeJS.Timeout | undefined;

  const retry = () => {
    if (stopped || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void attempt();
    }, delay);
    timer.unref();
    delay = Math.min(delay * 2, MAX_RETRY_MS);
  };

  const attempt = async () => {
    const client = new pg.Client(options.client);
    // Without a listener an 'error' event would end the process; 'end' follows it.
    client.on('error', () => {});
    client.on('notification', (n) => {
      if (n.channel === options.channel) options.onNotify(n.payload ?? '');
    });
    client.on('end', () => {
      if (current !== client) return;
      current = null;
      options.onDisconnect?.();
      retry();
    });
    try {
      await client.connect();
      await client.query(`listen ${client.escapeIdentifier(options.channel)}`);
    } catch {
      await client.end().catch(() => {});
      retry();
      return;
    }
    if (stopped) {
      await client.end().catch(() => {});
      return;
    }
    current = client;
    delay = FIRST_RETRY_MS;
    options.onConnect?.();
  };

  await attempt();
  return async () => {
    stopped = true;
    clearTimeout(timer);
    const client = current;
    current = null;
    await client?.end().catch(() => {});
  };
}
