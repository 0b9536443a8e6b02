import { Hono } from 'hono';
import { z } from 'zod';
import { buildCalibrationReport, DEFAULT_HIGH_RATE, DEFAULT_MEDIUM_RATE } from '../calibration/report.ts';
import type { Database } from '../db/client.ts';
import { InklingError } from '../errors.ts';
import { describeIssue } from '../ingest/schema.ts';
import { type SecretKeyEnv, secretKeyAuth } from './secret-key.ts';

const rateParam = (what: string, fallback: number) =>
  z
    .string()
    .regex(/^(0(\.\d{1,6})?|1(\.0{1,6})?|\.\d{1,6})$/, `${what} must be a number from 0 to 1`)
    .transform(Number)
    .pipe(z.number().gt(0).max(1))
    .optional()
    .describe(`The conversion rate the ${what} threshold should give; above 0, at most 1, default ${fallback}`);

/** The query of `GET /v1/calibration` (also documented in /openapi.json from this schema). */
export const calibrationQuerySchema = z.object({
  highRate: rateParam('highRate', DEFAULT_HIGH_RATE),
  mediumRate: rateParam('mediumRate', DEFAULT_MEDIUM_RATE),
  windowDays: z
    .string()
    .regex(/^\d{1,3}$/, 'windowDays must be an integer from 1 to 365')
    .transform(Number)
    .pipe(z.number().int().min(1).max(365))
    .optional()
    .describe(
      "Days after an observation in which an outcome counts; 1 to 365, default the config's outcomes.windowDays",
    ),
});

/**
 * `GET /v1/calibration` (secret key): the calibration report (README "Calibration"): how well
 * the site's scores predicted its outcomes, and a proposal to review. Reads only.
 */
export function calibrationRoutes(db: Database): Hono<SecretKeyEnv> {
  const app = new Hono<SecretKeyEnv>();
  app.get('/v1/calibration', secretKeyAuth(db), async (c) => {
    const query = calibrationQuerySchema.safeParse(c.req.query());
    if (!query.success) throw new InklingError(400, 'invalid_query', describeIssue(query.error));
    return c.json(await buildCalibrationReport(db, c.var.site.id, query.data));
  });
  return app;
}
