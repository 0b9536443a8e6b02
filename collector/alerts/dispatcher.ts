import { answerOutcome } from '../../shared/rules/retry.ts';
import type { ChangeFeed } from '../changes/feed.ts';
import type { Database } from '../db/client.ts';
import type { Logger } from '../log.ts';
import { claimDue, nextDueAt } from './claim.ts';
import { buildRequest, type Claimed } from './message.ts';
import { onOutboxWritten } from './outbox.ts';
import { recordAnswer, recordDelivered, recordDropped, releaseRow } from './record.ts';
import { postJson } from './send.ts';
import type { DeliverySettings } from './settings.ts';

/** How soon a score-change notice makes the dispatcher look (notices are coalesced meanwhile). */
const NOTICE_DELAY_MS = 100;

export interface Dispatcher {
  /** Looks for due deliveries now (coalesced with a run in progress). */
  wake(): void;
  /** Stops: cuts attempts in flight (their rows are released, no attempt counted) and waits. */
  stop(): Promise<void>;
}

export interface DispatcherOptions {
  settings: DeliverySettings;
  /** The collector's public URL, for the Slack messages' dashboard links. */
  publicUrl: string;
  log: Logger;
  /** Other processes' score changes (the firings they record come with them) wake it too. */
  changes?: ChangeFeed;
  /** Test only: runs right before each POST (to kill the process between commit and delivery). */
  beforeSend?: () => void;
  /** @default Math.random */
  random?: () => number;
  /** @default Date.now */
  now?: () => number;
}

/**
 * The outbox's dispatcher, one per collector process. It wakes when this process commits
 * deliveries (`onOutboxWritten`), when any process's score change arrives through the
 * change feed, when the next retry comes due, and at least every `pollMs` (a safety net for
 * what no notice told it); each time it claims due rows (claim.ts) and sends them until none
 * is due.
 */
export function startDispatcher(db: Database, options: DispatcherOptions): Dispatcher {
  const { settings, log } = options;
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const stopping = new AbortController();
  let running: Promise<void> | null = null;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  let timerAt = Number.POSITIVE_INFINITY;
  let noticed = false;

  /** Sends one row; a 2xx is answered for the batch to record (one statement for all of them). */
  const deliver = async (row: Claimed): Promise<{ row: Claimed; status: number } | null> => {
    const request = await buildRequest(db, row, options.publicUrl, now());
    if (!request.send) {
      await recordDropped(db, row, request.reason);
      return null;
    }
    options.beforeSend?.();
    const answer = await postJson(row.url, request.body, request.headers, settings.timeoutMs, stopping.signal);
    if (answer.aborted) await releaseRow(db, row);
    else if (answer.status !== null && answerOutcome(answer.status) === 'delivered')
      return { row, status: answer.status };
    else await recordAnswer(db, row, answer, now(), settings.backoff, random(), log);
    return null;
  };

  /** Sends until nothing is due; answers when to look again. */
  const run = async (): Promise<number> => {
    try {
      while (!stopping.signal.aborted) {
        const claimed = await claimDue(db, now(), settings.leaseMs, settings.batch);
        if (claimed.length === 0) break;
        const results = await Promise.allSettled(claimed.map(deliver));
        const delivered: { row: Claimed; status: number }[] = [];
        for (const r of results) {
          // The row stays claimed until its lease ends, then is retried.
          if (r.status === 'rejected') log.error('delivery failed', { err: r.reason });
          else if (r.value) delivered.push(r.value);
        }
        await recordDelivered(db, delivered, now());
      }
      if (stopping.signal.aborted) return now();
      const due = await nextDueAt(db);
      return Math.min(due ?? Number.POSITIVE_INFINITY, now() + settings.pollMs);
    } catch (err) {
      if (!stopping.signal.aborted) log.error('dispatching deliveries failed', { err });
      return now() + settings.pollMs;
    }
  };

  const schedule = (at: number) => {
    clearTimeout(timer);
    if (stopping.signal.aborted) return;
    timerAt = at;
    timer = setTimeout(wake, Math.max(0, at - now()));
    timer.unref();
  };

  /**
   * A score change of any process: look within `NOTICE_DELAY_MS`. Under load notices stream
   * in; this keeps them to a few claims a second instead of one per notice.
   */
  const soon = () => {
    if (stopping.signal.aborted) return;
    if (running) noticed = true;
    else if (timerAt > now() + NOTICE_DELAY_MS) schedule(now() + NOTICE_DELAY_MS);
  };

  function wake(): void {
    if (stopping.signal.aborted) return;
    if (running) {
      again = true;
      return;
    }
    clearTimeout(timer);
    timerAt = Number.POSITIVE_INFINITY;
    running = run().then((next) => {
      running = null;
      if (again) {
        again = false;
        wake();
      } else schedule(noticed ? Math.min(next, now() + NOTICE_DELAY_MS) : next);
      noticed = false;
    });
  }

  const unhear = onOutboxWritten(db, wake);
  const unsubscribe = options.changes?.subscribe({
    changed: (event) => {
      if (event.via === 'notice') soon();
    },
    missed: soon,
  });
  wake();

  return {
    wake,
    async stop() {
      stopping.abort();
      clearTimeout(timer);
      unhear();
      unsubscribe?.();
      await running;
    },
  };
}
