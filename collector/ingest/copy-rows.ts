import type { EventRow } from '../db/event-row.ts';

// The writer's rows in COPY's text format, for `COPY events ... FROM` (writer.ts).

/** The columns of `events` the writer fills besides `id`, in COPY order, with their types. */
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

/**
 * What `Queryable.copyFrom` loads: `events` with its `id` first (ids the writer took from the
 * table's identity sequence; COPY, unlike INSERT, accepts them without OVERRIDING), then the
 * columns of `copyText`, in order. On a partitioned `events` PostgreSQL routes each row.
 */
export const EVENTS_TARGET = `events ("id", ${COLUMNS.map(([c]) => `"${c}"`).join(', ')})`;

/**
 * The rows with their ids in COPY's text format: one line per row, tab-separated, `\N` for
 * null, and backslash, tab, newline and carriage return escaped with a backslash. JSON
 * columns are `JSON.stringify`'d first (their escapes' backslashes are doubled like any other).
 */
export function copyText(rows: readonly { row: EventRow; id: number }[]): string {
  let out = '';
  for (const { row, id } of rows) {
    out += String(id);
    for (const [column, type] of COLUMNS) out += `\t${field(row[column], type === 'jsonb')}`;
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
  if (json) {
    // JSON.stringify escapes tab, newline and carriage return itself: only its backslashes remain.
    const s = JSON.stringify(v);
    return s.includes('\\') ? s.replaceAll('\\', '\\\\') : s;
  }
  const s = typeof v === 'string' ? v : v instanceof Date ? v.toISOString() : String(v);
  return SPECIAL.test(s) ? s.replace(SPECIALS, (c) => ESCAPED[c] as string) : s;
}
