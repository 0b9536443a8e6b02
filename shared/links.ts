/**
 * Tracked links, as the collector makes them and the SDK reports them: `GET /l/<slug>`
 * redirects to the link's URL with `?ink_lnk=<slug>`; the SDK strips that parameter and
 * sends `Tracked Link Landed` with `{ link: <slug> }`, which stitches the visitor to the
 * link's recipient.
 */

/** The path prefix of a tracked link's short URL (`/l/<slug>`). */
export const LINK_PATH = '/l/';

/** The query parameter the redirect adds and the SDK reads (and strips from every URL sent). */
export const LINK_PARAM = 'ink_lnk';

/** What the SDK sends on landing through a tracked link, its slug in the `link` property. */
export const LINK_LANDED = 'Tracked Link Landed';

/** What the collector records when a tracked link with a recipient is opened. */
export const LINK_OPENED = 'Tracked Link Opened';

/** Slugs are made 12 characters long; anything longer than this is no slug. */
export const MAX_SLUG_LENGTH = 64;
