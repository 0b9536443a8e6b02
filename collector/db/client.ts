import { openEmbedded } from './embedded.ts';
import { openPostgres, QUERY_TIMEOUT_MS } from './postgres.ts';
import type { Database } from './queryable.ts';

export type { Database, Orm, Queryable, Statement, Transaction, TransactionOptions } from './queryable.ts';

export interface OpenOptions {
  /** postgres://... ; when undefined, the embedded database in `dataDir` is used. */
  url?: string;
  /** Embedded data folder; `memory://` for a throwaway database. */
  dataDir?: string;
  /** Pool size on PostgreSQL. @default 10 */
  max?: number;
  /**
   * How long a statement may go unanswered on PostgreSQL before its caller gets an error
   * (a silent network); 0 = no limit (bulk seeding). @default 30000
   */
  queryTimeoutMs?: number;
  /** Prepare statements on each PostgreSQL connection (db/prepared.ts). @default true */
  prepare?: boolean;
}

export async function openDatabase(options: OpenOptions): Promise<Database> {
  if (options.url)
    return openPostgres(
      options.url,
      options.max ?? 10,
      options.queryTimeoutMs ?? QUERY_TIMEOUT_MS,
      options.prepare ?? true,
    );
  return openEmbedded(options.dataDir ?? './.inkling');
}
