import { Hono } from 'hono';
import { z } from 'zod';
import { LINK_PARAM, LINK_PATH, MAX_SLUG_LENGTH } from '../../shared/links.ts';
import { isStorableText } from '../../shared/text.ts';
import type { Database } from '../db/client.ts';
import { InklingError } from '../errors.ts';
import { describeIssue } from '../ingest/schema.ts';
import type { EventWriter } from '../ingest/writer.ts';
import { findLinkBySlug, insertLink, recordOpen } from '../sales/links.ts';
import { jsonBody } from './json-body.ts';
import { type SecretKeyEnv, secretKeyAuth } from './secret-key.ts';

export const createLinkSchema = z.object({
  url: z
    .string()
    .max(2048)
    .refine(isStorableText, 'url must not contain NUL or lone surrogates')
    .refine((v) => URL.canParse(v) && /^https?:$/.test(new URL(v).protocol), 'url must be an http(s) URL'),
  /** The userId (or email) the link is sent to. */
  recipient: z
    .string()
    .min(1)
    .max(256)
    .refine(isStorableText, 'recipient must not contain NUL or lone surrogates')
    .optional(),
});

export const createdLinkSchema = z.object({ slug: z.string(), shortUrl: z.string() });

/**
 * `POST /v1/links` (secret key) makes a tracked link (its `shortUrl` on the configured public
 * URL, never the request's Host); `GET /l/:slug` (no key) records
 * `Tracked Link Opened` for the recipient through the ingest writer (so it is scored) and
 * redirects with `ink_lnk=<slug>`, which the SDK reports back as `Tracked Link Landed`.
 */
export function linkRoutes(db: Database, writer: EventWriter, publicUrl: string): Hono<SecretKeyEnv> {
  const app = new Hono<SecretKeyEnv>();

  app.post('/v1/links', secretKeyAuth(db), async (c) => {
    const body = await jsonBody(c);
    const parsed = createLinkSchema.safeParse(body);
    if (!parsed.success) throw new InklingError(400, 'invalid_body', describeIssue(parsed.error));
    const slug = await insertLink(db, {
      site_id: c.var.site.id,
      url: parsed.data.url,
      recipient: parsed.data.recipient ?? null,
    });
    return c.json({ slug, shortUrl: `${publicUrl}${LINK_PATH}${slug}` }, 201);
  });

  app.get(`${LINK_PATH}:slug`, async (c) => {
    const slug = c.req.param('slug');
    const link = slug.length <= MAX_SLUG_LENGTH ? await findLinkBySlug(db, slug) : undefined;
    if (!link) throw new InklingError(404, 'not_found', 'No such link.');
    // A HEAD (hono serves it with this GET) is never a person's click: mail scanners and link
    // previews check a link with it. It gets the redirect, and no open is recorded.
    if (link.recipient && c.req.method !== 'HEAD') await recordOpen(writer, link, c.req.header('user-agent'));
    const target = new URL(link.url);
    target.searchParams.set(LINK_PARAM, link.slug);
    c.header('Cache-Control', 'no-store');
    return c.redirect(target.toString(), 302);
  });

  return app;
}
