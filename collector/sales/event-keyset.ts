import { InklingError } from '../errors.ts';

/**
 * Where an event sits in the keyset order `("timestamp", id)`: the timestamp exactly, in
 * epoch microseconds (a `Date` would drop what PostgreSQL keeps below the millisecond), and
 * the row id, a bigint that is unique in the table and so breaks every tie.
 */
export interface EventPosition {
  tsUs: number;
  rowId: number;
}

/** The two position columns (`ts_us`, `row_id`) of the events table aliased `a`. */
export const positionColumns = (a: string) =>
  `(extract(epoch from ${a}."timestamp") * 1000000)::int8 as ts_us, ${a}.id as row_id`;

/**
 * The keyset condition on the typed columns themselves, so that it agrees with
 * `order by a."timestamp", a.id` (qualified: an unqualified `id` in `order by` would name an
 * output column, such as a text copy of the id). `ts` and `id` are parameter placeholders.
 */
export const positionAfter = (a: string, op: '<' | '>', ts: string, id: string) =>
  `(${a}."timestamp", ${a}.id) ${op} (timestamptz 'epoch' + ${ts}::int8 * interval '1 microsecond', ${id}::int8)`;

/** The position of a row that selected `positionColumns`. */
export const positionOf = (r: { ts_us: number | string; row_id: number | string }): EventPosition => ({
  tsUs: Number(r.ts_us),
  rowId: Number(r.row_id),
});

/** Opaque to clients: the position of the last event of the previous page. */
export function encodeEventCursor(p: EventPosition): string {
  return Buffer.from(`${p.tsUs}~${p.rowId}`).toString('base64url');
}

/** The position in a cursor this API returned; anything else answers 400 `invalid_cursor`. */
export function parseEventCursor(value: string | undefined): EventPosition | null {
  if (!value) return null;
  const match = /^(-?\d{1,16})~(\d{1,16})$/.exec(Buffer.from(value, 'base64url').toString());
  const position = match ? { tsUs: Number(match[1]), rowId: Number(match[2]) } : null;
  if (!position || !Number.isSafeInteger(position.tsUs) || !Number.isSafeInteger(position.rowId)) {
    throw new InklingError(400, 'invalid_cursor', 'cursor is not one this API returned.');
  }
  return position;
}
