import { Hono } from 'hono';
import { z } from 'zod';
import type { Database } from '../db/client.ts';
import { InklingError } from '../errors.ts';
import { parseIsoDate } from '../iso-date.ts';
import type { Logger } from '../log.ts';
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
 * Earliest and latest instants `from`/`to` may name: the four-digit years, which
 * PostgreSQL's timestamptz stores and reads back. A date JS parses but PostgreSQL refuses
 * (year 0, negative or six-digit years) answers 400 before the export starts streaming, as
 * does a date the calendar does not have (`parseIsoDate`).
 */
const MIN_DATE = Date.parse('0001-01-01T00:00:00Z');
const MAX_DATE = Date.parse('9999-12-31T23:59:59.999Z');

const isoDate = z
  .string()
  .max(64)
  .refine((v) => {
    const t = parseIsoDate(v);
    return t !== null && t >= MIN_DATE && t <= MAX_DATE;
  })
  .transform((v) => new Date(parseIsoDate(v) as number))
  .optional();

/** The query of `GET /v1/export` (also documented in /openapi.json from this schema). */
export const exportQuerySchema = z.object({
  what: z.enum(['scores', 'signals']).default('scores'),
  format: z.enum(['csv', 'ndjson']).default('csv'),
  from: isoDate.describe('ISO date (years 0001 to 9999), inclusive'),
  to: isoDate.describe('ISO date (years 0001 to 9999), exclusive'),
});

const EXPORT_ERRORS: Record<string, string> = {
  what: 'what must be scores or signals.',
  format: 'format must be csv or ndjson.',
  from: 'from must be an ISO date from year 0001 to 9999.',
  to: 'to must be an ISO date from year 0001 to 9999.',
};

/**
 * `GET /v1/export?what=scores|signals&format=csv|ndjson&from=&to=` (secret key): streamed,
 * one database page at a time. Signals are filtered by event timestamp, scores by their
 * `updated_at`; `from` inclusive, `to` exclusive.
 */
export function exportRoutes(db: Database, configs: ConfigStore, log: Logger): Hono<SecretKeyEnv> {
  const app = new Hono<SecretKeyEnv>();
  app.get('/v1/export', secretKeyAuth(db), async (c) => {
    const query = exportQuerySchema.safeParse(c.req.query());
    if (!query.success) {
      const name = String(query.error.issues[0]?.path[0] ?? 'query');
      throw new InklingError(400, `invalid_${name}`, EXPORT_ERRORS[name] ?? 'Invalid query.');
    }
    const { what, format } = query.data;
    const range: ExportRange = { from: query.data.from ?? null, to: query.data.to ?? null };
    const siteId = c.var.site.id;
    const rows =
      what === 'signals'
        ? exportSignals(db, siteId, await configs.model(siteId), range)
        : exportScores(db, siteId, range);
    const columns = what === 'signals' ? SIGNAL_COLUMNS : SCORE_COLUMNS;
    const body = encode(rows, format === 'csv' ? columns : null, (err) => {
      // The status line is sent: the one thing left to say is that the download is cut short.
      log.error('export failed mid-stream', { siteId, what, format, err });
      const outgoing = (c.env as { outgoing?: { destroy(): void } } | undefined)?.outgoing;
      outgoing?.destroy();
      return outgoing !== undefined;
    });
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

/**
 * Pulls rows only as fast as the client reads them: CSV (with a header) or NDJSON. A failure
 * mid-stream goes to `failed` (which logs it); when that has cut the connection the stream
 * just ends, otherwise (no socket: `app.request`) the stream errors with it.
 */
function encode(
  rows: AsyncGenerator<ExportRow>,
  csvColumns: readonly string[] | null,
  failed: (err: unknown) => boolean,
): ReadableStream<Uint8Array> {
  const text = new TextEncoder();
  let header = csvColumns !== null;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        await pullRow(controller);
      } catch (err) {
        if (failed(err)) controller.close();
        else controller.error(err);
      }
    },
    async cancel() {
      await rows.return(undefined);
    },
  });

  async function pullRow(controller: ReadableStreamDefaultController<Uint8Array>): Promise<void> {
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
  }
}
