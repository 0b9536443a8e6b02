import { isIP } from 'node:net';
import { isbot } from 'isbot';
import UAParser from 'ua-parser-js';
import { MAX_FUTURE_MS } from '../../shared/limits.ts';
import type { EventRow } from '../db/event-row.ts';
import { urlFacts } from './page-url.ts';
import type { ValidMessage } from './schema.ts';

/**
 * The request's User-Agent when the request shows browser evidence: an `Origin` header (every
 * browser POST, `sendBeacon` included) or `Sec-Fetch-Site` / `Sec-Fetch-Dest` (every current
 * browser request). Server libraries send neither, so their agent (`analytics-node`, `curl`,
 * `python-requests`, ...) is not taken for a visitor's, and isbot does not flag their events.
 * `Sec-Fetch-Mode` alone is no evidence: Node's own fetch sends `cors` on every request.
 */
export function browserAgent(header: (name: string) => string | undefined): string | undefined {
  const fromBrowser =
    header('origin') !== undefined || header('sec-fetch-site') !== undefined || header('sec-fetch-dest') !== undefined;
  return fromBrowser ? header('user-agent') : undefined;
}

export interface RequestFacts {
  siteId: string;
  receivedAt: Date;
  /** Batch-level sentAt, used when a message has none. */
  sentAt: string | null | undefined;
  /** Batch-level context, merged under each message's own. */
  context: Record<string, unknown> | null | undefined;
  /** Address the request came from (already chosen by proxy rules). */
  clientIp: string | undefined;
  /**
   * User-Agent header of the request, only when the request came from a browser (see
   * `browserAgent`); a server library's agent (`analytics-node`, curl, ...) is not a visitor's.
   */
  userAgent: string | undefined;
  newMessageId: () => string;
}

export function enrich(m: ValidMessage, facts: RequestFacts): EventRow {
  const context: Record<string, unknown> = { ...(facts.context ?? {}), ...(m.context ?? {}) };
  let properties = m.properties ?? {};
  const page = asRecord(context.page);
  const url = str(m.type === 'page' ? (properties.url ?? page.url) : page.url);
  // What analytics.js sends and our smaller SDK leaves to the collector: `search` of the
  // page (context and page properties) and `context.campaign` from the URL's utm_ params.
  // Parsed once: search, the utm_ parameters and the path come from it.
  const parsedUrl = urlFacts(url);
  const search = parsedUrl?.search ?? null;
  if (search !== null) {
    if (isRecord(context.page) && !('search' in page)) context.page = { ...page, search };
    if (m.type === 'page' && !('search' in properties)) properties = { ...properties, search };
  }
  // Bot detection is about browsers: the browser's own agent, else the request's when a
  // browser sent it. A server integration with neither is no crawler, and its events score.
  const ua = str(context.userAgent) ?? facts.userAgent ?? null;
  const parsed = parseUserAgent(ua);
  const utm = parsedUrl?.utm ?? null;
  if (!('campaign' in context) && utm?.context) context.campaign = { ...utm.context };
  const campaign = asRecord(context.campaign);
  const ip = truncateIp(str(context.ip) ?? facts.clientIp);
  context.ip = ip ?? undefined;
  if (ip === null) delete context.ip;

  const received = facts.receivedAt.getTime();
  const original = m.timestamp ? Date.parse(m.timestamp) : null;
  const sentAt = m.sentAt ?? facts.sentAt ?? null;
  let ts = original ?? received;
  // Segment's clock-skew rule: timestamp = receivedAt - (sentAt - originalTimestamp).
  if (original !== null && sentAt) ts = received - (sentAtMs(sentAt) - original);
  if (ts > received + MAX_FUTURE_MS) ts = received;

  return {
    site_id: facts.siteId,
    message_id: m.messageId ?? facts.newMessageId(),
    type: m.type,
    event: m.type === 'track' ? m.event : null,
    name: m.type === 'page' || m.type === 'screen' ? (m.name ?? null) : null,
    anonymous_id: m.anonymousId ?? null,
    user_id: m.userId ?? null,
    group_id: m.type === 'group' ? m.groupId : null,
    previous_id: m.type === 'alias' ? m.previousId : null,
    timestamp: new Date(ts).toISOString(),
    original_timestamp: original === null ? null : new Date(original).toISOString(),
    sent_at: sentAt ? sentAtText(sentAt) : null,
    received_at: receivedAtText(facts.receivedAt),
    properties,
    traits: m.traits ?? {},
    context,
    url,
    path: str(m.type === 'page' ? (properties.path ?? page.path) : page.path) ?? parsedUrl?.pathname ?? null,
    referrer: str(m.type === 'page' ? (properties.referrer ?? page.referrer) : page.referrer),
    utm_source: str(campaign.source) ?? utm?.source ?? null,
    utm_medium: str(campaign.medium) ?? utm?.medium ?? null,
    utm_campaign: str(campaign.name) ?? utm?.campaign ?? null,
    utm_term: str(campaign.term) ?? utm?.term ?? null,
    utm_content: str(campaign.content) ?? utm?.content ?? null,
    ...parsed,
    ip,
  };
}

interface ParsedAgent {
  browser: string | null;
  browser_version: string | null;
  os: string | null;
  os_version: string | null;
  device_type: string | null;
  is_bot: boolean;
}

// Why a cache: a site's traffic repeats a few hundred user agents, and parsing costs more
// than the rest of enrichment together.
const agentCache = new Map<string, ParsedAgent>();
const AGENT_CACHE_SIZE = 2000;

export function parseUserAgent(ua: string | null): ParsedAgent {
  if (!ua)
    return { browser: null, browser_version: null, os: null, os_version: null, device_type: null, is_bot: false };
  const hit = agentCache.get(ua);
  if (hit) return hit;
  const r = new UAParser(ua).getResult();
  const bot = isbot(ua);
  const parsed: ParsedAgent = {
    browser: r.browser.name ?? null,
    browser_version: r.browser.version ?? null,
    os: r.os.name ?? null,
    os_version: r.os.version ?? null,
    // ua-parser-js leaves desktop undefined; name it so that queries need no null case.
    device_type: bot ? 'bot' : (r.device.type ?? 'desktop'),
    is_bot: bot,
  };
  if (agentCache.size >= AGENT_CACHE_SIZE) agentCache.clear();
  agentCache.set(ua, parsed);
  return parsed;
}

// The request's address is every message's (unless a message names its own): truncated once.
let lastIp: string | null = null;
let lastTruncated: string | null = null;

/** IPv4 to its /24, IPv6 to its /48; anything else to null. */
export function truncateIp(ip: string | undefined | null): string | null {
  if (!ip) return null;
  if (ip !== lastIp) {
    lastTruncated = truncate(ip);
    lastIp = ip;
  }
  return lastTruncated;
}

function truncate(ip: string): string | null {
  let addr = ip.trim();
  if (addr.startsWith('::ffff:') && isIP(addr.slice(7)) === 4) addr = addr.slice(7);
  const kind = isIP(addr);
  if (kind === 4) return `${addr.split('.').slice(0, 3).join('.')}.0`;
  if (kind === 6) return `${expandIpv6(addr).slice(0, 3).join(':')}::`;
  return null;
}

function expandIpv6(addr: string): string[] {
  const [head = '', tail] = addr.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : Array(8 - h.length - t.length).fill('0');
  return [...h, ...zeros, ...t].map((g) => (g === '' ? '0' : g.toLowerCase().replace(/^0+(?=.)/, '')));
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v.slice(0, 2048) : null;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function asRecord(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

// Every message of a request shares its receivedAt and most share the batch's sentAt:
// each is parsed and formatted once, not once per message (keyed by value, not by object).
let receivedMs = Number.NaN;
let receivedText = '';
let sentKey: string | null = null;
let sentMs = Number.NaN;
let sentText = '';

function receivedAtText(at: Date): string {
  const ms = at.getTime();
  if (ms !== receivedMs) {
    receivedText = at.toISOString();
    receivedMs = ms;
  }
  return receivedText;
}

function sentAtMs(sentAt: string): number {
  if (sentAt !== sentKey) {
    sentMs = Date.parse(sentAt);
    sentText = new Date(sentMs).toISOString();
    sentKey = sentAt;
  }
  return sentMs;
}

function sentAtText(sentAt: string): string {
  sentAtMs(sentAt);
  return sentText;
}
