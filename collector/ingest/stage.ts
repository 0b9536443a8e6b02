import type { EventRow } from './enrich.ts';

/**
 * The writer's staging table: a group's rows are loaded into it with one COPY, then one
 * statement moves them into the ledger, `events` and the `unscored` marks (writer.ts). It is
 * a temporary table, so each connection has its own, nothing is WAL-logged, and its rows go
 * at the end of the transaction that loaded them (commit or rollback).
 */
export const STAGE = 'ingest_stage';

/** The stored columns of `events` (`id` is generated there), in COPY order, with their types. */
const COLUMNS = [
  ['site_id', 'text'],
  ['message_id', 'text'],
  ['type', 'text'],
  ['event', 'text'],
  ['name', 'text'],
  ['anonymous_id', 'text'],
  ['user_id', 'text'],
  ['group_id', 'text'],
  ['previous_id', 'text'],
  ['timestamp', 'timestamptz'],
  ['original_timestamp', 'timestamptz'],
  ['sent_at', 'timestamptz'],
  ['received_at', 'timestamptz'],
  ['properties', 'jsonb'],
  ['traits', 'jsonb'],
  ['context', 'jsonb'],
  ['url', 'text'],
  ['path', 'text'],
  ['referrer', 'text'],
  ['utm_source', 'text'],
  ['utm_medium', 'text'],
  ['utm_campaign', 'text'],
  ['utm_term', 'text'],
  ['utm_content', 'text'],
  ['browser', 'text'],
  ['browser_version', 'text'],
  ['os', 'text'],
  ['os_version', 'text'],
  ['device_type', 'text'],
  ['is_bot', 'boolean'],
  ['ip', 'text'],
] as const satisfies readonly (readonly [keyof EventRow, string])[];

/** `"site_id", "message_id", ...`: the column list of the stage and of `events` alike. */
export const STAGE_COLUMNS = COLUMNS.map(([c]) => `"${c}"`).join(', ');

/** Made once per connection; emptied at the end of each transaction. */
export const CREATE_STAGE = `CREATE TEMPORARY TABLE IF NOT EXISTS ${STAGE} (
  ${COLUMNS.map(([c, type]) => `"${c}" ${type}`).join(',\n  ')}
) ON COMMIT DELETE ROWS`;

/** What `Queryable.copyFrom` loads: the stage and its columns, in the order of `copyText`. */
export const STAGE_TARGET = `${STAGE} (${STAGE_COLUMNS})`;

/**
 * The rows in COPY's text format: one line per row, tab-separated, `\N` for null, and
 * backslash, tab, newline and carriage return escaped with a backslash. JSON columns are
 * `JSON.stringify`'d first (their escapes' backslashes are doubled like any other).
 */
export function copyText(rows: readonly EventRow[]): string {
  let out = '';
  for (const row of rows) {
    for (let i = 0; i < COLUMNS.length; i++) {
      const [column, type] = COLUMNS[i] as (typeof COLUMNS)[number];
      out += (i === 0 ? '' : '\t') + field(row[column], type === 'jsonb');
    }
    out += '\n';
  }
  return out;
}

const SPECIAL = /[\\\t\n\r]/;
const SPECIALS = /[\\\t\n\r]/g;
const ESCAPED: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

function field(v: unknown, json: boolean): string {
  if (v === null || v === undefined) return '\\N';
  if (typeof v === 'boolean') return v ? 't' : 'f';
  const s = json ? JSON.stringify(v) : v instanceof Date ? v.toISOString() : String(v);
  return SPECIAL.test(s) ? s.replace(SPECIALS, (c) => ESCAPED[c] as string) : s;
}
