import type {
  CalibrationReport,
  FittedModel,
  RankingQuality,
  Rate,
  SignalLift,
  TierConversion,
  TierRates,
} from '../../shared/calibration/report.ts';
import { TIERS } from '../../shared/intent.ts';
import { html, type SafeHtml } from './html.ts';
import { num, tierBadge, time } from './partials.ts';

/**
 * The calibration page's sections, each a pure function of the report (`calibration.ts`
 * gets the report and adds the forms).
 */

/** A share as a percentage with one decimal; a dash when there is none. */
export const percent = (rate: number | null | undefined) =>
  rate === null || rate === undefined ? '—' : `${Math.round(rate * 1000) / 10}%`;

const round2 = (n: number) => Math.round(n * 100) / 100;

/** A rate with its counts and 95 % interval: "12.5% 3 of 24 · 4.3–31%". */
export function rate(r: Rate | null | undefined): SafeHtml {
  if (!r) return html`<span class="muted">—</span>`;
  const interval = r.interval ? html` · ${percent(r.interval.low)}–${percent(r.interval.high)}` : '';
  return html`<span class="rate"><strong>${percent(r.rate)}</strong> <span class="sub">${num(r.converted)} of ${num(r.n)}${interval}</span></span>`;
}

export function outcomesSection(report: CalibrationReport): SafeHtml {
  const { outcomes, range, sample } = report;
  return html`<section class="card wide" aria-labelledby="h-outcomes">
<h2 id="h-outcomes">Outcomes and sample</h2>
<dl class="facts">
<div><dt>Outcome events</dt><dd>${outcomes.events.length === 0 ? 'none configured' : outcomes.events.map((e, i) => html`${i > 0 ? ', ' : ''}<code>${e}</code>`)}</dd></div>
<div><dt>Counts when within</dt><dd>${num(outcomes.windowDays)} days of an observation</dd></div>
<div><dt>Weekly snapshots</dt><dd>${range.weeks === 0 ? 'none yet' : html`${num(range.weeks)}, ${time(range.from, 'date')} to ${time(range.to, 'date')}`}</dd></div>
<div><dt>Subjects</dt><dd>${num(sample.subjects)}</dd></div>
<div><dt>Observations</dt><dd>${num(sample.observations)}, ${num(sample.converted)} converted</dd></div>
<div><dt>Outcome events seen</dt><dd>${num(sample.events)}</dd></div>
</dl>
<p class="muted">An observation is a subject's tier and signals at a weekly snapshot; it converted when one of the outcome events followed within the window. Computed ${time(report.generatedAt)}.</p>
</section>`;
}

function tierRows(rates: TierRates): SafeHtml[] {
  return TIERS.map(
    (tier) => html`<tr>
<td data-label="Tier">${tierBadge(tier)}</td>
<td data-label="Observations" class="n">${num(rates[tier].n)}</td>
<td data-label="Converted" class="n">${num(rates[tier].converted)}</td>
<td data-label="Rate" class="n">${percent(rates[tier].rate)}</td>
<td data-label="95% interval" class="n">${rates[tier].interval ? `${percent(rates[tier].interval?.low)}–${percent(rates[tier].interval?.high)}` : '—'}</td>
</tr>`,
  );
}

function byWeek(kind: 'person' | 'account', conversion: TierConversion): SafeHtml {
  if (conversion.byWeek.length === 0) {
    return html`<p class="muted">No weekly snapshot of ${kind === 'person' ? 'people' : 'accounts'} yet.</p>`;
  }
  return html`<div class="scroll"><table class="compact by-week">
<caption>${kind === 'person' ? 'People' : 'Accounts'} by week: conversion of each tier (observations below)</caption>
<thead><tr><th scope="col">Week of</th>${TIERS.map((t) => html`<th scope="col" class="n">${t}</th>`)}</tr></thead>
<tbody>${conversion.byWeek.map(
    (w) =>
      html`<tr><td>${time(w.week, 'date')}</td>${TIERS.map(
        (t) => html`<td class="n">${percent(w[t].rate)}<span class="sub">${num(w[t].n)}</span></td>`,
      )}</tr>`,
  )}</tbody></table></div>`;
}

function tierTable(kind: 'person' | 'account', conversion: TierConversion): SafeHtml {
  return html`<h3>${kind === 'person' ? 'People' : 'Accounts'}</h3>
<div class="scroll"><table class="compact tier-rates" id="tiers-${kind}">
<thead><tr><th scope="col">Tier</th><th scope="col" class="n">Observations</th><th scope="col" class="n">Converted</th><th scope="col" class="n">Rate</th><th scope="col" class="n">95% interval</th></tr></thead>
<tbody>${tierRows(conversion.overall)}</tbody></table></div>
${byWeek(kind, conversion)}`;
}

export function tiersSection(report: CalibrationReport): SafeHtml {
  return html`<section class="card wide" aria-labelledby="h-tiers">
<h2 id="h-tiers">Conversion by tier</h2>
<p class="muted">Of the observations in each tier, the share that reached an outcome within ${num(report.outcomes.windowDays)} days. A good model converts more the higher the tier, week after week.</p>
${tierTable('person', report.conversionByTier.person)}
${tierTable('account', report.conversionByTier.account)}
</section>`;
}

/** Highest lift first; signals without a lift last, by name. */
export function byLift(signals: readonly SignalLift[]): SignalLift[] {
  return [...signals].sort(
    (a, b) =>
      (b.lift ?? Number.NEGATIVE_INFINITY) - (a.lift ?? Number.NEGATIVE_INFINITY) || a.label.localeCompare(b.label),
  );
}

export function signalsSection(report: CalibrationReport): SafeHtml {
  const rows = byLift(report.signals);
  return html`<section class="card wide" aria-labelledby="h-signals">
<h2 id="h-signals">Signal lift</h2>
<p class="muted">Conversion of observations that showed a signal against those that did not; a lift above 1 means it goes with outcomes. Marked rows have too few observations or conversions to say anything.</p>
${
  rows.length === 0
    ? html`<p class="muted">No signal observed yet.</p>`
    : html`<div class="scroll"><table class="lift">
<thead><tr><th scope="col">Signal</th><th scope="col">Category</th><th scope="col" class="n">Lift</th><th scope="col">With it</th><th scope="col">Without it</th></tr></thead>
<tbody>${rows.map(
        (s) => html`<tr${s.tooSmall ? html` class="too-small"` : ''}>
<td data-label="Signal"><span>${s.label} <code class="sub">${s.signal}</code></span></td>
<td data-label="Category">${s.category}</td>
<td data-label="Lift" class="n"><span>${s.lift === null ? '—' : `×${round2(s.lift)}`}${s.tooSmall ? html`<span class="sub too-small-mark">too few to say</span>` : ''}</span></td>
<td data-label="With it">${rate(s.with)}</td>
<td data-label="Without it">${rate(s.without)}</td>
</tr>`,
      )}</tbody></table></div>`
}
</section>`;
}

function qualityRow(name: string, q: RankingQuality): SafeHtml {
  return html`<tr><th scope="row">${name}</th><td class="n">${q.auc === null ? '—' : round2(q.auc).toFixed(2)}</td><td>${rate(q.topDecile)}</td></tr>`;
}

function weightsTable(model: FittedModel): SafeHtml {
  return html`<div class="scroll"><table class="compact weights">
<thead><tr><th scope="col">Signal</th><th scope="col" class="n">Points now</th><th scope="col" class="n">Fitted</th><th scope="col" class="n">Coefficient</th></tr></thead>
<tbody>${model.weights.map(
    (w) => html`<tr>
<td data-label="Signal"><span>${w.label} <code class="sub">${w.signal}</code></span></td>
<td data-label="Points now" class="n">${num(Math.round(w.current * 10) / 10)}</td>
<td data-label="Fitted" class="n"><span><span aria-hidden="true">→ </span><strong>${num(Math.round(w.fitted * 10) / 10)}</strong></span></td>
<td data-label="Coefficient" class="n">${w.coefficient.toFixed(3)}</td>
</tr>`,
  )}</tbody></table></div>`;
}

/** The model: how well today's and the fitted weights rank the newer subjects, and the proposal. */
export function modelSection(report: CalibrationReport, publicUrl: string, applyForm: SafeHtml | ''): SafeHtml {
  const model = report.model;
  if (!model) {
    return html`<section class="card wide" aria-labelledby="h-model">
<h2 id="h-model">Fitted weights</h2>
<p class="alert">No model was fitted: ${report.modelSkipped ?? 'there is too little history to fit and test one.'}</p>
</section>`;
  }
  const url = `${publicUrl.replace(/\/+$/, '')}/v1/config`;
  return html`<section class="card wide" aria-labelledby="h-model">
<h2 id="h-model">Fitted weights</h2>
<p class="muted">${model.method}, fitted on subjects first seen before ${time(model.splitAt, 'date')} (${num(model.train.subjects)} subjects, ${num(model.train.observations)} observations, ${num(model.train.converted)} converted) and tested on the newer ones (${num(model.test.subjects)} subjects, ${num(model.test.observations)} observations, ${num(model.test.converted)} converted).</p>
<div class="scroll"><table class="compact quality">
<caption>Ranking of the test observations (AUC: 0.5 is chance, 1 is perfect)</caption>
<thead><tr><th scope="col">Weights</th><th scope="col" class="n">AUC</th><th scope="col">Top 10% converted</th></tr></thead>
<tbody>${qualityRow('Today’s', model.current)}${qualityRow('Fitted', model.fitted)}${qualityRow('Uniform', model.uniform)}</tbody></table></div>
<h3>Points of one fresh occurrence, now → fitted</h3>
${weightsTable(model)}
<h3>The proposal</h3>
<p class="muted">A whole model with the fitted points. Nothing changes until a person applies it: review it, then apply it here or send it with</p>
<pre class="command"><code>curl -X PUT ${url} \\
  -H "Authorization: Bearer $INKLING_SECRET_KEY" \\
  -H "Content-Type: application/json" \\
  --data @proposal.json</code></pre>
<pre class="proposal"><code>${JSON.stringify(model.proposal, null, 2)}</code></pre>
${applyForm}
</section>`;
}

export function triggersSection(report: CalibrationReport): SafeHtml {
  return html`<section class="card wide" aria-labelledby="h-triggers">
<h2 id="h-triggers">Trigger lift</h2>
${
  report.triggers.length === 0
    ? html`<p class="muted">No rule with a holdout yet: give a rule a holdout to learn whether its alerts change outcomes.</p>`
    : html`<div class="scroll"><table class="triggers">
<thead><tr><th scope="col">Rule</th><th scope="col">Goal</th><th scope="col">Fired</th><th scope="col">Held out</th><th scope="col" class="n">Lift</th></tr></thead>
<tbody>${report.triggers.map(
        (t) => html`<tr>
<td data-label="Rule"><span><strong>${t.rule.name}</strong> <code class="sub">${t.rule.id}</code></span></td>
<td data-label="Goal"><span><code>${t.goal}</code> <span class="sub">within ${num(t.days)} days</span></span></td>
<td data-label="Fired">${rate(t.fired)}</td>
<td data-label="Held out">${rate(t.heldOut)}</td>
<td data-label="Lift" class="n">${t.lift === null ? '—' : `${t.lift > 0 ? '+' : ''}${Math.round(t.lift * 1000) / 10} pts`}</td>
</tr>`,
      )}</tbody></table></div>`
}
</section>`;
}

const threshold = (n: number | null) => (n === null ? html`<span class="muted">none reaches it</span>` : num(n));

/** Threshold advice: the form asking for conversion rates (GET), and current against proposed thresholds. */
export function thresholdsSection(report: CalibrationReport): SafeHtml {
  const { targets, current, proposed } = report.thresholds;
  return html`<section class="card wide" aria-labelledby="h-thresholds">
<h2 id="h-thresholds">Threshold advice</h2>
<form class="rates-form" method="get" action="/dashboard/calibration">
<label>High should convert (0 to 1) <input type="number" name="highRate" min="0.001" max="0.999" step="any" value="${targets.high}" required></label>
<label>Medium should convert (0 to 1) <input type="number" name="mediumRate" min="0.001" max="0.999" step="any" value="${targets.medium}" required></label>
<button type="submit">Advise</button>
<p class="muted">Asked for: High ${percent(targets.high)}, Medium ${percent(targets.medium)} of observations converting.</p>
</form>
<div class="scroll"><table class="compact advice">
<thead><tr><th scope="col"></th><th scope="col" class="n">High from</th><th scope="col" class="n">Medium from</th>${TIERS.map((t) => html`<th scope="col" class="n">${t} subjects</th>`)}</tr></thead>
<tbody>
<tr><th scope="row">Now</th><td class="n">${num(current.high)}</td><td class="n">${num(current.medium)}</td>${TIERS.map((t) => html`<td class="n">${num(current.subjects[t])}</td>`)}</tr>
<tr><th scope="row">Proposed</th><td class="n">${threshold(proposed.high)}</td><td class="n">${threshold(proposed.medium)}</td>${TIERS.map((t) => html`<td class="n">${num(proposed.subjects[t])}</td>`)}</tr>
</tbody></table></div>
<dl class="facts">
<div><dt>Observed at and above the proposed High</dt><dd>${rate(proposed.conversion.high)}</dd></div>
<div><dt>Observed at and above the proposed Medium</dt><dd>${rate(proposed.conversion.medium)}</dd></div>
</dl>
<p class="muted">The thresholds are part of the model: change them with <code>PUT /v1/config</code> (<code>tiers.high</code>, <code>tiers.medium</code>).</p>
</section>`;
}
