import { z } from 'zod';
import { InklingError } from '../errors.ts';

/** What `GET /v1/accounts` and `GET /v1/people` accept, parsed and bounded. */
export interface ListParams {
  tier: 'high' | 'medium' | 'low' | null;
  /** rising: `change7d` of +20 or more; cooling: -15 or more (see docs/SCORING.md, Trend). */
  list: 'rising' | 'cooling' | null;
  descending: boolean;
  limit: number;
  after: { score: number; id: string } | null;
}

export const RISING_POINTS = 20;
export const COOLING_POINTS = 15;

/** `limit` of a Sales API page: 1 to 500, 50 when absent. */
const limitParam = z.coerce.number().int().min(1).max(500).optional().describe('1 to 500, default 50');
const cursorParam = z.string().optional().describe('The `nextCursor` of the previous page');

/** The query of a timeline page (`GET /v1/people/:id/signals`, `GET /v1/accounts/:id/signals`). */
export const pageQuerySchema = z.object({ limit: limitParam, cursor: cursorParam });

/** The query of `GET /v1/accounts` and `GET /v1/people`; parsed by `parseListParams`, documented in /openapi.json. */
export const listQuerySchema = pageQuerySchema.extend({
  tier: z.enum(['high', 'medium', 'low']).optional(),
  list: z.enum(['rising', 'cooling']).optional().describe('rising: change7d >= +20; cooling: change7d <= -15'),
  sort: z.enum(['-score', 'score']).optional().describe('default -score'),
});

/** One query parameter through its schema; a bad value answers 400 `code`. */
function param<S extends z.ZodType>(schema: S, value: string | undefined, code: string, message: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new InklingError(400, code, message);
  return parsed.data;
}

/** Which list a cursor pages: people's or accounts'. */
export type ListKind = 'person' | 'account';

/** Parses the list query string of `kind`'s list; a bad value answers 400 naming the parameter. */
export function parseListParams(query: Record<string, string | undefined>, kind: ListKind): ListParams {
  const q = listQuerySchema.shape;
  const sort = param(q.sort, query.sort, 'invalid_sort', 'sort must be -score or score.') ?? '-score';
  return {
    tier: param(q.tier, query.tier, 'invalid_tier', 'tier must be high, medium or low.') ?? null,
    list: param(q.list, query.list, 'invalid_list', 'list must be rising or cooling.') ?? null,
    descending: sort === '-score',
    limit: parseLimit(query.limit),
    after: parseCursor(query.cursor, kind),
  };
}

/** `limit` of a Sales API page: 1 to 500, 50 when absent. */
export function parseLimit(value: string | undefined): number {
  if (value === undefined) return 50;
  // Number('') is 0 and Number(' 5') is 5: only plain digits are a limit.
  const digits = /^\d+$/.test(value) ? value : 'x';
  return param(limitParam, digits, 'invalid_limit', 'limit must be an integer from 1 to 500.') ?? 50;
}

/** Opaque to clients: the (score, id) of the last row of the previous page, and whose list it pages. */
export function encodeListCursor(kind: ListKind, score: number, id: string): string {
  return Buffer.from(JSON.stringify([score, id, kind])).toString('base64url');
}

/**
 * What a list cursor holds: a score (an integer from 0 to 100, as stored) and a person or
 * account id (text PostgreSQL can compare: bounded, no NUL). Anything else, such as 1e300
 * or 2.5, is not a cursor this API returned.
 */
const listCursorSchema = z.tuple(
  [
    z.number().int().min(0).max(100),
    z
      .string()
      .max(1024)
      .refine((id) => !id.includes('\u0000')),
  ],
  // Whose list it pages; cursors made before it was written (two entries) page either.
  z.enum(['person', 'account']),
);

/**
 * The (score, id) in a cursor this API returned for `kind`'s list; anything else (another
 * list's cursor included) answers 400 `invalid_cursor`.
 */
export function parseCursor(value: string | undefined, kind: ListKind): { score: number; id: string } | null {
  if (!value) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(value, 'base64url').toString());
  } catch {
    parsed = undefined;
  }
  const cursor = listCursorSchema.safeParse(parsed);
  if (!cursor.success || cursor.data.length > 3 || (cursor.data[2] !== undefined && cursor.data[2] !== kind))
    throw new InklingError(400, 'invalid_cursor', 'cursor is not one this API returned.');
  return { score: cursor.data[0], id: cursor.data[1] };
}
