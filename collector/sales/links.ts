import { nanoid } from 'nanoid';
import { LINK_OPENED } from '../../shared/links.ts';
import type { Queryable } from '../db/client.ts';
import { enrich } from '../ingest/enrich.ts';
import { messageSchema } from '../ingest/schema.ts';
import type { EventWriter } from '../ingest/writer.ts';

export interface LinkRow {
  site_id: string;
  slug: string;
  url: string;
  recipient: string | null;
}

/** Stores a new tracked link. */
export async function insertLink(db: Queryable, link: LinkRow): Promise<void> {
  await db.query('insert into links (site_id, slug, url, recipient) values ($1, $2, $3, $4)', [
    link.site_id,
    link.slug,
    link.url,
    link.recipient,
  ]);
}

/** A tracked link by its slug (unique across sites: `GET /l/:slug` carries no key). */
export async function findLinkBySlug(db: Queryable, slug: string): Promise<LinkRow | undefined> {
  const [row] = await db.query<LinkRow>('select site_id, slug, url, recipient from links where slug = $1', [slug]);
  return row;
}

/** `Tracked Link Opened` for the recipient, stored and scored like any ingested message. */
export async function recordOpen(writer: EventWriter, link: LinkRow, userAgent: string | undefined) {
  const message = messageSchema.parse({
    type: 'track',
    messageId: `srv-${nanoid()}`,
    userId: link.recipient,
    event: LINK_OPENED,
    properties: { slug: link.slug, url: link.url },
  });
  const row = enrich(message, {
    siteId: link.site_id,
    receivedAt: new Date(),
    sentAt: undefined,
    context: undefined,
    clientIp: undefined,
    userAgent,
    newMessageId: () => `srv-${nanoid()}`,
  });
  await writer.write([row]);
}
