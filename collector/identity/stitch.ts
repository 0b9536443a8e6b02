import { LINK_LANDED, MAX_SLUG_LENGTH } from '../../shared/links.ts';
import type { Database } from '../db/client.ts';
import type { EventRow } from '../db/event-row.ts';
import { type Resolution, resolveMessage } from './resolve.ts';

/**
 * A `Tracked Link Landed` event whose `link` is a known slug with a recipient links the
 * visitor's anonymous id to the recipient, as an identify of userId = recipient would (the
 * same identity rules: junk ids, conflicts, merges). Null when the event is no such landing.
 */
export async function stitchLanding(db: Database, row: EventRow): Promise<Resolution | null> {
  if (row.type !== 'track' || row.event !== LINK_LANDED || !row.anonymous_id || row.user_id) return null;
  const slug = row.properties.link;
  if (typeof slug !== 'string' || slug.length > MAX_SLUG_LENGTH) return null;
  const [link] = await db.query<{ recipient: string | null }>(
    'select recipient from links where site_id = $1 and slug = $2',
    [row.site_id, slug],
  );
  if (!link?.recipient) return null;
  return resolveMessage(db, { ...row, type: 'identify', user_id: link.recipient, traits: {} });
}
