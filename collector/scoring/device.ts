import { type CompiledConfig, horizonStart, type ScoreResult, scorePerson } from '../../shared/scoring/index.ts';
import type { Queryable } from '../db/client.ts';
import { COLUMNS_OF, type EventRecord, timeBounds, toScoringEvent } from './events.ts';

/** What one device earned by itself: the score of its own anonymous id's events alone. */
export type DeviceScore = Pick<ScoreResult, 'score' | 'tier' | 'type' | 'trend' | 'nextChangeAt'>;

/**
 * The score of every event an anonymous id sent (whatever user id they name), as if it were a
 * person of its own: what a public lookup answers for a device whose link to a known person
 * is not verified, so that it learns nothing of that person's other devices or account.
 * Only the events within the horizon are read (a range scan of the anonymous id's index).
 */
export async function scoreDevice(
  q: Queryable,
  siteId: string,
  anonymousId: string,
  model: CompiledConfig,
  now: number,
): Promise<DeviceScore> {
  const rows = await q.query<EventRecord>(
    `select ${COLUMNS_OF('e')} from events e where e.site_id = $1 and e.anonymous_id = $2
        and e."timestamp" >= $3::timestamptz and e.received_at >= $4::timestamptz
      order by e."timestamp", e.id`,
    [siteId, anonymousId, ...timeBounds(horizonStart(model, now))],
  );
  const { score, tier, type, trend, nextChangeAt } = scorePerson(rows.map(toScoringEvent), model, now);
  return { score, tier, type, trend, nextChangeAt };
}
