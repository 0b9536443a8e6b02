import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { CalibrationReport } from '../../shared/calibration/report.ts';
import type { Database } from '../db/client.ts';
import type { Logger } from '../log.ts';
import type { ConfigStore } from '../scoring/config-store.ts';
import type { SafeHtml } from './html.ts';
import type { Session } from './sessions.ts';

/** Sign-in attempts allowed per window, per email and per client address; 0 = no limit. */
export interface LoginLimits {
  /** @default 10 */
  perEmail: number;
  /** @default 50 */
  perAddress: number;
  /** @default 900 (15 minutes) */
  windowSeconds: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = { perEmail: 10, perAddress: 50, windowSeconds: 900 };

/** What the calibration page asks of the report (the options of `GET /v1/calibration`). */
export interface CalibrationOptions {
  /** The conversion rate High should give, 0 to 1. */
  highRate?: number;
  /** The conversion rate Medium should give, 0 to 1. */
  mediumRate?: number;
  windowDays?: number;
  /** The instant to compute at (epoch ms). */
  now?: number;
}

/** What every dashboard page may use. */
export interface DashboardDeps {
  db: Database;
  configs: ConfigStore;
  log: Logger;
  /** Take the client address and scheme from X-Forwarded-For / X-Forwarded-Proto. */
  trustProxy: boolean;
  /** The collector's public URL: an `https:` one makes the session cookie `Secure`, and its origin may post forms. */
  publicUrl: string;
  loginLimits: LoginLimits;
  /** A site's calibration report (`buildCalibrationReport`; tests give a fixed one). */
  calibration: (siteId: string, options: CalibrationOptions) => Promise<CalibrationReport>;
}

/** Hono's environment inside the dashboard: the signed-in session, once the auth middleware found it. */
export interface DashboardEnv {
  Variables: { session: Session };
}

export type DashboardContext = Context<DashboardEnv>;

/** Answers a page: HTML, never cached (it shows a signed-in user's data). */
export function sendPage(c: Context, page: SafeHtml, status: ContentfulStatusCode = 200): Response {
  c.header('Cache-Control', 'no-store');
  return c.html(page.value, status);
}

/** Whether the browser reached the collector over https (directly, or through a trusted proxy). */
export function isHttps(c: Context, deps: Pick<DashboardDeps, 'trustProxy' | 'publicUrl'>): boolean {
  if (new URL(c.req.url).protocol === 'https:') return true;
  if (deps.trustProxy && c.req.header('x-forwarded-proto')?.split(',')[0]?.trim() === 'https') return true;
  return deps.publicUrl.startsWith('https:');
}
