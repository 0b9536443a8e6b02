import type { Queryable } from '../db/client.ts';
import { junkIdSql } from '../identity/junk-ids.ts';

/** The score and tier of a subject at each change over a period, and where its tier changed. */
export interface ScoreHistory {
  /** Unix seconds of each point; the first is the period's start (the score then). */
  at: number[];
  score: number[];
  /** The points where the tier changed: when, from, to, the score then. */
  crossings: { at: number; from: string; to: string; score: number }[];
}

/**
 * A subject's score history over the last `days` days from `score_history`: the last row
 * before the period (as the score at its start, when there is one), then every change.
 */
export async function loadScoreHistory(
  q: Queryable,
  siteId: string,
  kind: 'account' | 'person',
  subjectId: string,
  days: number,
  now = new Date(),
): Promise<ScoreHistory> {
  const since = new Date(now.getTime() - days * 86_400_000);
  const rows = await q.query<{ at: Date; score: number; tier: string }>(
    `(select at, score, tier from score_history
       where site_id = $1 and subject_kind = $2 and subject_id = $3 and at < $4 order by at desc, id desc limit 1)
     union all
     (select at, score, tier from score_history
       where site_id = $1 and subject_kind = $2 and subject_id = $3 and at >= $4 order by at, id limit 5000)`,
    [siteId, kind, subjectId, since],
  );
  rows.sort((a, b) => new Date(a.at).getTime() - new Date(b.at).getTime());
  // First scored within the period: it was at 0, low, before (as a new subject starts), so
  // the line spans the whole period and its first move into a tier is a crossing.
  const first = rows[0];
  if (first && new Date(first.at).getTime() > since.getTime()) rows.unshift({ at: since, score: 0, tier: 'low' });
  const out: ScoreHistory = { at: [], score: [], crossings: [] };
  let tier: string | undefined;
  for (const r of rows) {
    const t = Math.max(Math.floor(new Date(r.at).getTime() / 1000), Math.floor(since.getTime() / 1000));
    if (tier !== undefined && r.tier !== tier) out.crossings.push({ at: t, from: tier, to: r.tier, score: r.score });
    tier = r.tier;
    out.at.push(t);
    out.score.push(r.score);
  }
  return out;
}

export interface AccountHead {
  id: string;
  name: string | null;
  domain: string | null;
  groupId: string | null;
  owner: string | null;
  createdAt: Date;
  score: number;
  tier: string;
  trend: string;
  change7d: number;
  explanation: unknown[];
  categories: Record<string, number>;
}

/** An account of the site with its score (zero and low when it has none yet), or undefined. */
export async function loadAccount(q: Queryable, siteId: string, id: string): Promise<AccountHead | undefined> {
  const [r] = await q.query<Record<string, unknown>>(
    `select a.id, a.name, a.domain, a.group_id, a.owner, a.created_at,
            s.score, s.tier, s.trend, s.change_7d, s.explanation, s.categories
       from accounts a left join account_scores s on s.site_id = a.site_id and s.account_id = a.id
      where a.site_id = $1 and a.id = $2`,
    [siteId, id],
  );
  if (!r) return undefined;
  return {
    id: r.id as string,
    name: (r.name as string | null) ?? null,
    domain: (r.domain as string | null) ?? null,
    groupId: (r.group_id as string | null) ?? null,
    owner: (r.owner as string | null) ?? null,
    createdAt: r.created_at as Date,
    score: (r.score as number | null) ?? 0,
    tier: (r.tier as string | null) ?? 'low',
    trend: (r.trend as string | null) ?? 'stable',
    change7d: (r.change_7d as number | null) ?? 0,
    explanation: Array.isArray(r.explanation) ? r.explanation : [],
    categories: (r.categories as Record<string, number> | null) ?? {},
  };
}

export interface Contact {
  id: string;
  name: string | null;
  email: string | null;
  userId: string | null;
  score: number;
  tier: string;
  type: string;
  engaged: boolean;
  lastActivity: Date | null;
}

/** How many contacts an account page lists (the highest scores first). */
export const CONTACTS_SHOWN = 50;

/** The last event of contact `t` (by user id, or anonymous id on events without a real user id). */
const LAST_EVENT = `greatest(
  (select max(e."timestamp") from events e where e.site_id = t.site_id and e.user_id = t.user_id),
  (select max(e."timestamp") from identities i join events e on e.site_id = i.site_id and e.anonymous_id = i.anonymous_id
     where i.site_id = t.site_id and i.person_id = t.id and (e.user_id is null or ${junkIdSql('e.user_id')})))`;

/**
 * An account's contacts, highest score first (at most `CONTACTS_SHOWN`): the score each
 * has in the account's last roll-up (`account_contacts`; persons not rolled up yet show 0),
 * and their last event.
 */
export async function loadContacts(
  q: Queryable,
  siteId: string,
  accountId: string,
): Promise<{ contacts: Contact[]; total: number }> {
  const rows = await q.query<Record<string, unknown>>(
    // The last event is looked up for the contacts shown only (the outer query), not for all of them.
    `select t.*, ${LAST_EVENT} as last_activity from (
       select p.site_id, p.id, p.traits ->> 'name' as name, p.email, p.user_id, coalesce(c.score, 0) as score,
              coalesce(c.tier, 'low') as tier, coalesce(c.type, 'unknown') as type,
              coalesce(c.engaged, false) as engaged, count(*) over ()::int as total
         from persons p left join account_contacts c
           on c.site_id = p.site_id and c.account_id = p.account_id and c.person_id = p.id
        where p.site_id = $1 and p.account_id = $2
        order by coalesce(c.score, 0) desc, p.id limit ${CONTACTS_SHOWN}) t
     order by t.score desc, t.id`,
    [siteId, accountId],
  );
  return {
    total: (rows[0]?.total as number | undefined) ?? 0,
    contacts: rows.map((r) => ({
      id: r.id as string,
      name: typeof r.name === 'string' ? r.name : null,
      email: (r.email as string | null) ?? null,
      userId: (r.user_id as string | null) ?? null,
      score: r.score as number,
      tier: r.tier as string,
      type: r.type as string,
      engaged: r.engaged as boolean,
      lastActivity: r.last_activity ? new Date(r.last_activity as string) : null,
    })),
  };
}

/**
 * A device of a person: one of their anonymous ids, with the user agent its latest event
 * sent in `context.userAgent` (server libraries forwarding the visitor's) or else the
 * browser and system the collector read from the request (what Inkling's script sends).
 */
export interface Device {
  anonymousId: string;
  userAgent: string | null;
  browser: string | null;
  os: string | null;
  lastSeen: Date | null;
}

/** How many of an anonymous id's latest events are searched for a device (server-sent events name none). */
const UA_LOOKBACK = 50;

/**
 * Each of the person's anonymous ids with its last event's time and the device of its latest
 * event that names one (among its last `UA_LOOKBACK`), newest first.
 */
export async function loadDevices(q: Queryable, siteId: string, anonymousIds: readonly string[]): Promise<Device[]> {
  if (anonymousIds.length === 0) return [];
  const rows = await q.query<{
    anonymous_id: string;
    ua: string | null;
    browser: string | null;
    os: string | null;
    at: Date | null;
  }>(
    `select a.id as anonymous_id, l.ua, l.browser, l.os, l.at
       from unnest($2::text[]) as a(id)
       left join lateral (
         select max(x.at) as at, (array_agg(x.ua order by x.at desc) filter (where x.named))[1] as ua,
                (array_agg(x.browser order by x.at desc) filter (where x.named))[1] as browser,
                (array_agg(x.os order by x.at desc) filter (where x.named))[1] as os
           from (select e.context ->> 'userAgent' as ua, e.browser, e.os, e."timestamp" as at,
                        (e.context ->> 'userAgent' is not null or e.browser is not null) as named
                   from events e
                  where e.site_id = $1 and e.anonymous_id = a.id order by e."timestamp" desc limit ${UA_LOOKBACK}) x
       ) l on true
      order by l.at desc nulls last`,
    [siteId, anonymousIds],
  );
  return rows.map((r) => ({
    anonymousId: r.anonymous_id,
    userAgent: r.ua,
    browser: r.browser,
    os: r.os,
    lastSeen: r.at ? new Date(r.at) : null,
  }));
}

/** A device in a few words: its user agent's, else the browser and system read at ingest. */
export function describeDevice(d: Pick<Device, 'userAgent' | 'browser' | 'os'>): string {
  if (d.userAgent) return describeUserAgent(d.userAgent);
  if (!d.browser && !d.os) return 'unknown device';
  const browser = d.browser?.replace(/^Mobile /, '') ?? 'a browser';
  const os = d.os === 'Mac OS' ? 'macOS' : d.os;
  return os ? `${browser} on ${os}` : browser;
}

/** A user agent in a few words: the browser and the system, as far as they are recognisable. */
export function describeUserAgent(ua: string | null): string {
  if (!ua) return 'unknown device';
  const browser =
    [
      [/Edg\//, 'Edge'],
      [/OPR\//, 'Opera'],
      [/Firefox\//, 'Firefox'],
      [/Chrome\//, 'Chrome'],
      [/Safari\//, 'Safari'],
      [/curl\//i, 'curl'],
    ].find(([re]) => (re as RegExp).test(ua))?.[1] ?? 'a browser';
  const system =
    [
      [/iPhone|iPad/, 'iOS'],
      [/Android/, 'Android'],
      [/Windows/, 'Windows'],
      [/Mac OS X|Macintosh/, 'macOS'],
      [/CrOS/, 'ChromeOS'],
      [/Linux/, 'Linux'],
    ].find(([re]) => (re as RegExp).test(ua))?.[1] ?? null;
  return system ? `${browser} on ${system}` : (browser as string);
}
