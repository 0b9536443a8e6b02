import { nanoid } from 'nanoid';
import { LINK_OPENED } from '../../shared/links.ts';
import type { Database, Queryable } from '../db/client.ts';
import { enrich } from '../ingest/enrich.ts';
import { messageSchema } from '../ingest/schema.ts';
import type { EventWriter } from '../ingest/writer.ts';

export interface LinkRow {
  site_id: string;
  slug: string;
  url: string;
  recipient: string | null;
}

/**
 * Stores a link under a new random slug, and the slug's site in `link_slugs` (which keeps
 * slugs unique across sites), in one transaction; answers the slug. A slug already taken
 * (about 1 in 10^21) is replaced by another.
 */
export async function insertLink(
  db: Database,
  link: Omit<LinkRow, 'slug'>,
  newSlug = () => nanoid(12),
): Promise<string> {
  return db.transaction(async (tx) => {
    for (;;) {
      const slug = newSlug();
      const [free] = await tx.query(
        'insert into link_slugs (slug, site_id) values ($1, $2) on conflict do nothing returning slug',
        [slug, link.site_id],
      );
      if (!free) continue;
      await tx.query('insert into links (site_id, slug, url, recipient) values ($1, $2, $3, $4)', [
        link.site_id,
        slug,
        link.url,
        link.recipient,
      ]);
      return slug;
    }
  });
}

/**
 * A tracked link by its slug (`GET /l/:slug` carries no key): its site from `link_slugs`, then
 * the row by its key (site, slug), so that with Citus both reads go to one place (the
 * reference table, then one shard).
 */
export async function findLinkBySlug(db: Queryable, slug: string): Promise<LinkRow | undefined> {
  const [owner] = await db.query<{ site_id: string }>('select site_id from link_slugs where slug = $1', [slug]);
  if (!owner) return undefined;
  const [row] = await db.query<LinkRow>(
    'select site_id, slug, url, recipient from links where site_id = $1 and slug = $2',
    [owner.site_id, slug],
  );
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
