import { createHash } from 'node:crypto';
import type { Hono } from 'hono';
import type { CalibrationReport } from '../../shared/calibration/report.ts';
import { InklingError } from '../errors.ts';
import { replaceConfig } from '../scoring/replace-config.ts';
import {
  modelSection,
  outcomesSection,
  signalsSection,
  thresholdsSection,
  tiersSection,
  triggersSection,
} from './calibration-parts.ts';
import { type CalibrationOptions, type DashboardDeps, type DashboardEnv, sendPage } from './context.ts';
import { html, type SafeHtml } from './html.ts';
import { csrfField, layout } from './layout.ts';
import type { Session } from './sessions.ts';

/** How old a reviewed report may be when its proposal is applied. */
const APPLY_WITHIN_MS = 24 * 3600_000;

/** A conversion rate asked for (`highRate`, `mediumRate`): a number strictly between 0 and 1, or absent. */
function rateParam(value: unknown, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
  if (!Number.isFinite(n) || n <= 0 || n >= 1) {
    throw new InklingError(400, 'invalid_rate', `${name} must be a conversion rate between 0 and 1, such as 0.3.`);
  }
  return n;
}

/** The report's options from the page's query or the apply form's fields. */
export function calibrationOptions(fields: Record<string, unknown>): CalibrationOptions {
  const highRate = rateParam(fields.highRate, 'highRate');
  const mediumRate = rateParam(fields.mediumRate, 'mediumRate');
  if (highRate !== undefined && mediumRate !== undefined && highRate <= mediumRate) {
    throw new InklingError(400, 'invalid_rate', 'highRate must be above mediumRate.');
  }
  return { highRate, mediumRate };
}

/** What identifies a proposal: the digest of its JSON, so the one applied is the one reviewed. */
export function proposalDigest(proposal: unknown): string {
  return createHash('sha256').update(JSON.stringify(proposal)).digest('base64url');
}

function applyForm(report: CalibrationReport, session: Session): SafeHtml | '' {
  if (!report.model) return '';
  if (session.user.role !== 'admin')
    return html`<p class="muted">An admin of the site can apply it from this page.</p>`;
  const { targets } = report.thresholds;
  return html`<form class="apply-form" method="post" action="/dashboard/calibration/apply">
${csrfField(session)}<input type="hidden" name="proposal" value="${proposalDigest(report.model.proposal)}">
<input type="hidden" name="at" value="${Date.parse(report.generatedAt)}">
<input type="hidden" name="highRate" value="${targets.high}"><input type="hidden" name="mediumRate" value="${targets.medium}">
<button type="submit" class="primary">Apply this proposal</button>
<span class="muted">Replaces the site's model with the one above and recomputes every score, as <code>PUT /v1/config</code> does.</span>
</form>`;
}

/** The instant of the report the person reviewed (the apply form's `at`), refused once it is old. */
function reviewedAt(value: unknown, now: number): number {
  const at = typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(at)) throw new InklingError(400, 'invalid_form', 'The form lacks the report it applies.');
  if (at > now + 60_000 || now - at > APPLY_WITHIN_MS) {
    throw new InklingError(
      409,
      'report_outdated',
      'The report you reviewed is out of date: reload it and review it again.',
    );
  }
  return at;
}

/**
 * `GET /dashboard/calibration` (`?highRate=&mediumRate=`): how well the site's scores predict
 * its outcomes (`deps.calibration`, the report of `GET /v1/calibration`), with the fitted
 * weights as a proposal. `POST /dashboard/calibration/apply` (admins only, a person's click:
 * nothing applies a proposal by itself) recomputes the report at the reviewed instant, checks
 * its proposal is the one reviewed, and stores it through `replaceConfig`, as `PUT /v1/config`
 * does, rescoring the site.
 */
export function registerCalibration(app: Hono<DashboardEnv>, deps: DashboardDeps): void {
  app.get('/dashboard/calibration', async (c) => {
    const session = c.get('session');
    const report = await deps.calibration(session.siteId, calibrationOptions(c.req.query()));
    const body = html`<div class="page-head"><h1>Calibration</h1></div>
<p class="muted">How well this site's scores predict its outcomes, from its own history. Proposals are never applied by themselves.</p>
<div class="grid">
${outcomesSection(report)}
${thresholdsSection(report)}
${tiersSection(report)}
${signalsSection(report)}
${modelSection(report, deps.publicUrl, applyForm(report, session))}
${triggersSection(report)}
</div>`;
    return sendPage(c, layout({ title: 'Calibration', session, active: 'calibration', body }));
  });

  app.post('/dashboard/calibration/apply', async (c) => {
    const session = c.get('session');
    if (session.user.role !== 'admin') throw new InklingError(403, 'forbidden', 'Only an admin can change the model.');
    const form = await c.req.parseBody();
    const reviewed = typeof form.proposal === 'string' ? form.proposal : '';
    const now = reviewedAt(form.at, Date.now());
    const report = await deps.calibration(session.siteId, { ...calibrationOptions(form), now });
    if (!report.model) throw new InklingError(409, 'no_proposal', 'There is no proposal to apply any more.');
    if (proposalDigest(report.model.proposal) !== reviewed) {
      throw new InklingError(
        409,
        'proposal_changed',
        'The proposal has changed since you reviewed it (new data came in): reload the page and review it again.',
      );
    }
    const replaced = await replaceConfig(deps.db, deps.configs, session.siteId, report.model.proposal);
    if (!replaced.ok) {
      const issues = replaced.issues.slice(0, 5).map((i) => `${i.path}: ${i.message}`);
      throw new InklingError(422, 'invalid_proposal', `The proposal is not a valid model: ${issues.join('; ')}`);
    }
    deps.log.info('calibration proposal applied', {
      siteId: session.siteId,
      userId: session.user.id,
      rescored: replaced.rescored,
    });
    return c.redirect('/dashboard/model?applied=1', 303);
  });
}
