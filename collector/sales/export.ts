import { type CompiledConfig, categorize } from '../../shared/scoring/index.ts';
import type { Database } from '../db/client.ts';
import { type EventRecord, toScoringEvent } from '../scoring/events.ts';
import { type EventPosition, positionAfter, positionColumns, positionOf } from './event-keyset.ts';

/** Rows per database query: memory stays bounded by one page whatever the export's size. */
export const EXPORT_PAGE_ROWS = 1000;

/** `from` inclusive, `to` exclusive; null = open. */
export interface ExportRange {
  from: Date | null;
  to: Date | null;
}

export const SIGNAL_COLUMNS = [
  'id',
  'timestamp',
  'type',
  'event',
  'name',
  'path',
  'url',
  'anonymousId',
  'userId',
  'signal',
  'category',
  'points',
] as const;

export const SCORE_COLUMNS = [
  'kind',
  'id',
  'userId',
  'email',
  'domain',
  'name',
  'score',
  'tier',
  'type',
  'trend',
  'updatedAt',
  'owner',
] as const;

export type ExportRow = Record<string, string | number | null>;

type ExportRecord = Omit<EventRecord, 'id'> & { ts_us: number; row_id: number };

/**
 * The site's events with `timestamp` in the range, oldest first, each with what it counts
 * as under the site's model: keyset pages on ("timestamp", id), exact under ties.
 */
export async function* exportSignals(
  db: Database,
  siteId: string,
  model: CompiledConfig,
  range: ExportRange,
  pageRows = EXPORT_PAGE_ROWS,
): AsyncGenerator<ExportRow> {
  let after: EventPosition | null = null;
  for (;;) {
    const rows: ExportRecord[] = await db.query<ExportRecord>(
      `select ${positionColumns('e')}, e.message_id, e.type, e.event, e.name, e.path, e.url, e.properties,
         e."timestamp", e.anonymous_id, e.user_id, e.is_bot
       from events e
       where e.site_id = $1 and ($2::timestamptz is null or e."timestamp" >= $2::timestamptz)
         and ($3::timestamptz is null or e."timestamp" < $3::timestamptz)
         and ($4::int8 is null or ${positionAfter('e', '>', '$4', '$5')})
       order by e."timestamp", e.id limit $6`,
      [siteId, range.from, range.to, after?.tsUs ?? null, after?.rowId ?? null, pageRows],
    );
    for (const r of rows) {
      const signal = categorize(toScoringEvent(r), model);
      yield {
        id: r.message_id,
        timestamp: new Date(r.timestamp).toISOString(),
        type: r.type,
        event: r.event,
        name: r.name,
        path: r.path,
        url: r.url,
        anonymousId: r.anonymous_id,
        userId: r.user_id,
        signal: signal?.signal ?? null,
        category: signal?.category ?? null,
        points: signal?.points ?? null,
      };
    }
    const last = rows[rows.length - 1];
    if (!last || rows.length < pageRows) return;
    after = positionOf(last);
  }
}

interface ScoreRecord {
  id: string;
  user_id: string | null;
  email: string | null;
  domain: string | null;
  name: string | null;
  score: number;
  tier: string;
  type: string | null;
  trend: string;
  updated_at: Date;
  owner: string | null;
}

const SCORE_QUERIES = {
  person: `select p.id, p.user_id, p.email, null as domain, null as name, s.score, s.tier, s.type, s.trend, s.updated_at, p.owner
    from person_scores s join persons p on p.site_id = s.site_id and p.id = s.person_id`,
  account: `select a.id, null as user_id, null as email, a.domain, a.name, s.score, s.tier, null as type, s.trend, s.updated_at, a.owner
    from account_scores s join accounts a on a.site_id = s.site_id and a.id = s.account_id`,
} as const;

/**
 * The site's current scores whose `updated_at` is in the range: people, then accounts,
 * each in keyset pages on the subject's id.
 */
export async function* exportScores(
  db: Database,
  siteId: string,
  range: ExportRange,
  pageRows = EXPORT_PAGE_ROWS,
): AsyncGenerator<ExportRow> {
  for (const kind of ['person', 'account'] as const) {
    let after: string | null = null;
    for (;;) {
      const rows: ScoreRecord[] = await db.query<ScoreRecord>(
        `select * from (${SCORE_QUERIES[kind]} where s.site_id = $1) b
         where ($2::timestamptz is null or b.updated_at >= $2::timestamptz)
           and ($3::timestamptz is null or b.updated_at < $3::timestamptz)
           and ($4::text is null or b.id > $4::text)
         order by b.id limit $5`,
        [siteId, range.from, range.to, after, pageRows],
      );
      for (const r of rows) {
        yield {
          kind,
          id: r.id,
          userId: r.user_id,
          email: r.email,
          domain: r.domain,
          name: r.name,
          score: r.score,
          tier: r.tier,
          type: r.type,
          trend: r.trend,
          updatedAt: new Date(r.updated_at).toISOString(),
          owner: r.owner,
        };
      }
      const last = rows[rows.length - 1];
      if (!last || rows.length < pageRows) break;
      after = last.id;
    }
  }
}

/**
 * One CSV field: quoted when it holds a comma, quote or line break (RFC 4180). A text that
 * a spreadsheet would run as a formula (it starts with `=`, `+`, `-`, `@`, a tab or a
 * carriage return: event names and traits come from visitors) gets a leading `'`, as
 * OWASP advises against CSV injection; numbers are written as they are.
 */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  let s = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export const csvLine = (values: (string | number | null)[]) => `${values.map(csvField).join(',')}\r\n`;
