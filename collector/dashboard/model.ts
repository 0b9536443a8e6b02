import type { Hono } from 'hono';
import { catalogueRows, type ScoringConfig } from '../../shared/scoring/index.ts';
import { type DashboardDeps, type DashboardEnv, sendPage } from './context.ts';
import { html, type SafeHtml } from './html.ts';
import { layout } from './layout.ts';
import { num } from './partials.ts';

const round1 = (n: number) => Math.round(n * 10) / 10;
/** The reference's Markdown code marks, as plain text. */
const plain = (s: string) => s.replaceAll('`', '');

function thresholds(config: ScoringConfig): SafeHtml {
  return html`<section class="card" aria-labelledby="h-thresholds">
<h2 id="h-thresholds">Tiers</h2>
<dl class="facts">
<div><dt>High</dt><dd>score ${num(config.tiers.high)} and above</dd></div>
<div><dt>Medium</dt><dd>score ${num(config.tiers.medium)} to ${num(config.tiers.high - 1)}</dd></div>
<div><dt>Low</dt><dd>below ${num(config.tiers.medium)}</dd></div>
<div><dt>Half of the scale</dt><dd>${num(config.curve.pointsForHalf)} points give a score of 50</dd></div>
<div><dt>Trend</dt><dd>±${num(config.trend.threshold)} over ${num(config.trend.windowDays)} days</dd></div>
</dl>
</section>
<section class="card" aria-labelledby="h-decay">
<h2 id="h-decay">Recency</h2>
<table class="compact"><thead><tr><th scope="col">Age up to</th><th scope="col" class="n">Counts</th></tr></thead>
<tbody>${config.decay.steps.map((s) => html`<tr><td>${num(s.days)} days</td><td class="n">${num(Math.round(s.factor * 100))}%</td></tr>`)}</tbody></table>
<p class="muted">A repeat of a signal counts ${num(Math.round(config.frequency.repeatFactor * 100))}% of the one before; ${num(config.diversity.minCategories)}+ categories multiply by ${num(config.diversity.multiplier)}.</p>
</section>`;
}

function catalogue(config: ScoringConfig): SafeHtml {
  const rows = catalogueRows(config);
  const categories = Object.entries(config.categories);
  return html`<section class="card wide" aria-labelledby="h-catalogue">
<h2 id="h-catalogue">Signals and the points each is worth now</h2>
<p class="muted">Points of one fresh occurrence: the level's points times the intent's factor, before recency and repeats.</p>
${categories.map(([id, category]) => {
  const own = rows.filter((r) => r.category === id);
  if (own.length === 0) return '';
  return html`<h3>${category.label}</h3>
<table class="catalogue">
<thead><tr><th scope="col">Signal</th><th scope="col">Matches</th><th scope="col">Level</th><th scope="col">Intent</th><th scope="col" class="n">Points</th></tr></thead>
<tbody>${own.map(
    (r) => html`<tr>
<td data-label="Signal">${r.label} <code class="sub">${r.signal}</code></td>
<td data-label="Matches"><span class="source">${r.source}</span> <code>${plain(r.match)}</code>${r.where ? html` <span class="muted">where ${plain(r.where)}</span>` : ''}</td>
<td data-label="Level">${r.level.replace('_', ' ')}</td>
<td data-label="Intent">${r.intent}</td>
<td data-label="Points" class="n"><strong>${num(round1(r.points))}</strong></td>
</tr>`,
  )}</tbody>
</table>`;
})}
</section>`;
}

/** `GET /dashboard/model`: the site's scoring model as it is now (its own, or the default). */
export function registerModel(app: Hono<DashboardEnv>, deps: DashboardDeps): void {
  app.get('/dashboard/model', async (c) => {
    const session = c.get('session');
    const config = await deps.configs.config(session.siteId);
    const body = html`<div class="page-head"><h1>Scoring model</h1></div>
${c.req.query('applied') === '1' ? html`<p class="notice" role="status">The proposal is applied: this is the site's model now, and every score was recomputed with it.</p>` : ''}
<p class="muted">How well these points predict this site's outcomes, and the points its own history suggests: <a href="/dashboard/calibration">Calibration</a>.</p>
<div class="grid">
${thresholds(config)}
${catalogue(config)}
</div>`;
    return sendPage(c, layout({ title: 'Model', session, active: 'model', body }));
  });
}
