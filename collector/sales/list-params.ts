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

/** Parses the list query string; a bad value answers 400 naming the parameter. */
export function parseListParams(query: Record<string, string | undefined>): ListParams {
  const tier = query.tier ?? null;
  if (tier !== null && tier !== 'high' && tier !== 'medium' && tier !== 'low') {
    throw new InklingError(400, 'invalid_tier', 'tier must be high, medium or low.');
  }
  const list = query.list ?? null;
  if (list !== null && list !== 'rising' && list !== 'cooling') {
    throw new InklingError(400, 'invalid_list', 'list must be rising or cooling.');
  }
  const sort = query.sort ?? '-score';
  if (sort !== '-score' && sort !== 'score') {
    throw new InklingError(400, 'invalid_sort', 'sort must be -score or score.');
  }
  return {
    tier,
    list,
    descending: sort === '-score',
    limit: parseLimit(query.limit),
    after: parseCursor(query.cursor),
  };
}

/** `limit` of a Sales API page: 1 to 500, 50 when absent. */
export function parseLimit(value: string | undefined): number {
  if (value === undefined) return 50;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 500) {
    throw new InklingError(400, 'invalid_limit', 'limit must be an integer from 1 to 500.');
  }
  return n;
}

/** Opaque to clients: the (score, id) of the last row of the previous page. */
export function encodeListCursor(score: number, id: string): string {
  return Buffer.from(JSON.stringify([score, id])).toString('base64url');
}

function parseCursor(value: string | undefined): { score: number; id: string } | null {
  if (!value) return null;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(value, 'base64url').toString());
    if (Array.isArray(parsed) && Number.isInteger(parsed[0]) && typeof parsed[1] === 'string') {
      return { score: parsed[0], id: parsed[1] };
    }
  } catch {
    // falls through to the 400 below
  }
  throw new InklingError(400, 'invalid_cursor', 'cursor is not one this API returned.');
}
