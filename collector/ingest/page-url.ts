/**
 * What enrichment reads of a page URL (its search, path and utm_ parameters), parsed once per
 * distinct URL.
 */
export interface UrlFacts {
  search: string;
  pathname: string;
  /** Null when the URL has no query. */
  utm: {
    /** `context.campaign` as analytics.js builds it (utm_campaign is `name`); null without utm_ parameters. */
    context: Record<string, string> | null;
    /** The first value of each utm_ column's parameter. */
    source: string | null;
    medium: string | null;
    campaign: string | null;
    term: string | null;
    content: string | null;
  } | null;
}

// Why a cache: a site's pages repeat, and parsing a URL and its query costs about as much as
// the rest of enrichment; distinct URLs (click ids) only refill it.
const urlCache = new Map<string, UrlFacts | null>();
const URL_CACHE_SIZE = 2000;

/** The URL's facts, or null when it is none. */
export function urlFacts(url: string | null): UrlFacts | null {
  if (!url) return null;
  const hit = urlCache.get(url);
  if (hit !== undefined) return hit;
  let facts: UrlFacts | null = null;
  try {
    const parsed = new URL(url);
    facts = {
      search: parsed.search,
      pathname: parsed.pathname,
      utm: parsed.search ? utmOf(parsed.searchParams) : null,
    };
  } catch {
    facts = null;
  }
  if (urlCache.size >= URL_CACHE_SIZE) urlCache.clear();
  urlCache.set(url, facts);
  return facts;
}

function utmOf(query: URLSearchParams): NonNullable<UrlFacts['utm']> {
  const campaign: Record<string, string> = {};
  for (const [k, v] of query) {
    if (k.startsWith('utm_') && k.length > 4) campaign[k === 'utm_campaign' ? 'name' : k.slice(4)] = v;
  }
  return {
    context: Object.keys(campaign).length > 0 ? campaign : null,
    source: query.get('utm_source'),
    medium: query.get('utm_medium'),
    campaign: query.get('utm_campaign'),
    term: query.get('utm_term'),
    content: query.get('utm_content'),
  };
}
