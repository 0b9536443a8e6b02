import type { ChangeFeed } from '../changes/feed.ts';
import type { Database } from '../db/client.ts';
import type { Logger } from '../log.ts';
import { startDigestJob } from './digest-job.ts';
import { type Dispatcher, startDispatcher } from './dispatcher.ts';
import type { DeliverySettings } from './settings.ts';

export interface Delivery {
  dispatcher: Dispatcher;
  /** Stops the digest job, then the dispatcher (attempts in flight are cut and released). */
  stop(): Promise<void>;
}

/**
 * What sends the outbox's firings in one process: the dispatcher and the digest job that
 * hands it each digest period's delivery. Every collector runs one unless `INKLING_DELIVERY=off`;
 * `npm run inkling -- deliver` runs one alone (a delivery worker beside ingest-only collectors).
 */
export function startDelivery(
  db: Database,
  options: {
    settings: DeliverySettings;
    publicUrl: string;
    log: Logger;
    changes?: ChangeFeed;
    beforeSend?: () => void;
  },
): Delivery {
  const { settings, log } = options;
  const dispatcher = startDispatcher(db, options);
  const digests = startDigestJob(db, log, settings.digestIntervalMs, settings.giveUpMs, dispatcher.wake);
  return {
    dispatcher,
    async stop() {
      await digests.stop();
      await dispatcher.stop();
    },
  };
}
