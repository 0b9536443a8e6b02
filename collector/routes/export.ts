import { Hono } from 'hono';
import type { Database } from '../db/client.ts';
import { InklingError } from '../errors.ts';
import {
  csvLine,
  type ExportRange,
  type ExportRow,
  exportScores,
  exportSignals,
  SCORE_COLUMNS,
  SIGNAL_COLUMNS,
} from '../sales/export.ts';
import type { ConfigStore } from '../scoring/config-store.ts';
import { type SecretKeyEnv, secretKeyAuth } from './secret-key.ts';

/**
 * `GET /v1/export?what=scores|signals&format=csv|ndjson&from=&to=` (secret key): streamed,
 * one database page at a time. Signals are filtered by event timestamp, scores by their
 * `updated_at`; `from` inclusive, `to` exclusive.
 */
export function exportRoutes(db: Database, configs: ConfigStore): Hono<SecretKeyEnv> {
  const app = new Hono<SecretKeyEnv>();
  app.get('/v1/export', secretKeyAuth(db), async (c) => {
    const what = c.req.query('what') ?? 'scores';
    if (what !== 'scores' && what !== 'signals') {
      throw new InklingError(400, 'invalid_what', 'what must be scores or signals.');
    }
    const format = c.req.query('format') ?? 'csv';
    if (format !== 'csv' && format !== 'ndjson') {
      throw new InklingError(400, 'invalid_format', 'format must be csv or ndjson.');
    }
    const range: ExportRange = { from: parseDate(c.req.query('from'), 'from'), to: parseDate(c.req.query('to'), 'to') };
    const siteId = c.var.site.id;
    const rows =
      what === 'signals'
        ? exportSignals(db, siteId, await configs.model(siteId), range)
        : exportScores(db, siteId, range);
    const columns = what === 'signals' ? SIGNAL_COLUMNS : SCORE_COLUMNS;
    const body = encode(rows, format === 'csv' ? columns : null);
    return new Response(body, {
      headers: {
        'content-type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
        'content-disposition': `attachment; filename="inkling-${what}.${format}"`,
        'cache-control': 'no-store',
      },
    });
  });
  return app;
}

function parseDate(value: string | undefined, name: string): Date | null {
  if (!value) return null;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new InklingError(400, `invalid_${name}`, `${name} must be an ISO date.`);
  return new Date(ms);
}

/** Pulls rows only as fast as the client reads them: CSV (with a header) or NDJSON. */
function encode(rows: AsyncGenerator<ExportRow>, csvColumns: readonly string[] | null): ReadableStream<Uint8Array> {
  const text = new TextEncoder();
  let header = csvColumns !== null;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (header && csvColumns) {
        header = false;
        controller.enqueue(text.encode(csvLine([...csvColumns])));
        return;
      }
      const next = await rows.next();
      if (next.done) {
        controller.close();
        return;
      }
      const row = next.value;
      const line = csvColumns ? csvLine(csvColumns.map((k) => row[k] ?? null)) : `${JSON.stringify(row)}\n`;
      controller.enqueue(text.encode(line));
    },
    async cancel() {
      await rows.return(undefined);
    },
  });
}
