import type { Database } from '../db/client.ts';
import type { Logger } from '../log.ts';
import { INTENT_CHANNEL, type ScoreChange } from './change.ts';
import { receiveCommitted } from './local.ts';

/** A change as a subscriber gets it. */
export interface ChangeEvent extends ScoreChange {
  /**
   * `commit`: made by this process, delivered right after its transaction committed (before
   * the request that made it is answered). `notice`: delivered by PostgreSQL's NOTIFY: every
   * process's changes, this process's own a second time, so subscribers must be idempotent
   * (or act on `commit` alone for what this process did).
   */
  via: 'commit' | 'notice';
}

export interface ChangeSubscriber {
  changed(event: ChangeEvent): void;
  /**
   * Notices may have been missed: the listening connection dropped or came back (notices
   * sent meanwhile are lost), or one could not be read. Forget what was derived from scores.
   */
  missed(): void;
}

/**
 * The score changes of every collector process, for whoever keeps something derived from
 * scores (the intent cache; alerts). One LISTEN connection per feed.
 */
export interface ChangeFeed {
  /** Answers the way to unsubscribe. */
  subscribe(subscriber: ChangeSubscriber): () => void;
  /** Whether other processes' changes reach this feed now (the LISTEN connection is up). */
  readonly listening: boolean;
  /** Stops listening; subscribers are told `missed` once more. */
  close(): Promise<void>;
}

const KINDS = new Set(['person', 'account', 'anonymous']);

function parseChange(payload: string): ScoreChange | null {
  try {
    const c = JSON.parse(payload) as Partial<ScoreChange>;
    const ok =
      typeof c.site === 'string' &&
      KINDS.has(c.kind as string) &&
      Array.isArray(c.ids) &&
      c.ids.every((id) => typeof id === 'string');
    return ok ? (c as ScoreChange) : null;
  } catch {
    return null;
  }
}

/**
 * Opens a feed on `db`: changes committed through this `db` object are delivered at once
 * (`via: 'commit'`), every process's through LISTEN (`via: 'notice'`).
 */
export function openChangeFeed(db: Database, log: Logger): ChangeFeed {
  const subscribers = new Set<ChangeSubscriber>();
  let listening = false;
  let closed = false;

  const each = (what: string, call: (s: ChangeSubscriber) => void) => {
    for (const s of [...subscribers]) {
      try {
        call(s);
      } catch (err) {
        // The change is committed whatever a subscriber does with it.
        log.error(`change feed: a subscriber failed on ${what}`, { err });
      }
    }
  };
  const deliver = (change: ScoreChange, via: ChangeEvent['via']) => {
    const event: ChangeEvent = { ...change, via };
    each('a change', (s) => s.changed(event));
  };
  const missed = () => each('missed notices', (s) => s.missed());

  const stopCommitted = receiveCommitted(db, (change) => deliver(change, 'commit'));
  const stop = db
    .listen(
      INTENT_CHANNEL,
      (payload) => {
        const change = parseChange(payload);
        if (change) deliver(change, 'notice');
        else missed();
      },
      () => {
        if (closed) return;
        listening = true;
        missed();
      },
      () => {
        listening = false;
        missed();
      },
    )
    .catch((err) => {
      log.error('change feed: cannot listen for score changes', { err });
      return null;
    });

  return {
    subscribe(subscriber) {
      subscribers.add(subscriber);
      return () => {
        subscribers.delete(subscriber);
      };
    },
    get listening() {
      return listening && !closed;
    },
    async close() {
      closed = true;
      listening = false;
      stopCommitted();
      missed();
      const unlisten = await stop;
      await unlisten?.().catch(() => {});
    },
  };
}
