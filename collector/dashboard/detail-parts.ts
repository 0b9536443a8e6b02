import type { TimelineItem } from '../sales/timeline.ts';
import type { ScoreHistory } from './detail-data.ts';
import { type Html, html, jsonScript, linkOrText, type SafeHtml } from './html.ts';
import { num, tierBadge, time, trendArrow } from './partials.ts';

/** The periods of a score's trend line, in days. */
export const HISTORY_PERIODS = [30, 90] as const;

/** The score as a half-ring gauge (SVG: its arc is an attribute, no inline style), tier and trend beside it. */
export function gauge(score: number, tier: string, trend: string, change7d: number): SafeHtml {
  const s = Math.max(0, Math.min(100, Math.round(score)));
  // A semicircle of radius 40 from (10,50) to (90,50): its length is 40π; the value is a dash of it.
  const length = Math.PI * 40;
  const known = ['high', 'medium', 'low'].includes(tier) ? tier : 'low';
  return html`<div class="gauge-box">
<svg class="gauge" viewBox="0 0 100 56" role="img" aria-label="Score ${s} of 100">
<path class="gauge-track" d="M10 50 A40 40 0 0 1 90 50" fill="none" stroke-width="10"/>
<path class="gauge-value tier-${known}" d="M10 50 A40 40 0 0 1 90 50" fill="none" stroke-width="10" stroke-dasharray="${((s / 100) * length).toFixed(2)} ${length.toFixed(2)}"/>
<text x="50" y="48" text-anchor="middle" class="gauge-text">${s}</text>
</svg>
<div class="gauge-side">${tierBadge(tier)} ${trendArrow(trend, change7d)}</div>
</div>`;
}

/** The score over 30 or 90 days: a uPlot line drawn from JSON, with the tier crossings also listed as text. */
export function historySection(history: ScoreHistory, days: number, basePath: string): SafeHtml {
  return html`<section class="card wide" aria-labelledby="h-history">
<div class="card-head"><h2 id="h-history">Score over ${days} days</h2>
<nav class="periods" aria-label="Period">${HISTORY_PERIODS.map((p) => html`<a href="${basePath}?days=${p}"${p === days ? html` aria-current="true"` : ''}>${p} days</a>`)}</nav></div>
<div class="chart" id="chart-history" data-chart="history" role="img" aria-label="Score per change, last ${days} days, tier crossings marked"></div>
${
  history.crossings.length
    ? html`<ul class="crossings">${history.crossings.map(
        (x) =>
          html`<li>${time(new Date(x.at * 1000))}: ${tierBadge(x.from)} → ${tierBadge(x.to)} at ${num(x.score)}</li>`,
      )}</ul>`
    : html`<p class="muted">${history.at.length ? 'No tier change in this period.' : 'No score recorded in this period.'}</p>`
}
${jsonScript('history-data', history)}
</section>`;
}

/** Points per category as horizontal bars (SVG widths are attributes), largest first. */
export function categoryMix(categories: Record<string, number>, labels: Record<string, { label: string }>): SafeHtml {
  const entries = Object.entries(categories)
    .filter(([, v]) => Number.isFinite(v) && v !== 0)
    .sort((a, b) => b[1] - a[1]);
  const max = Math.max(1, ...entries.map(([, v]) => Math.abs(v)));
  const rowHeight = 26;
  return html`<section class="card" aria-labelledby="h-mix">
<h2 id="h-mix">Category mix</h2>
${
  entries.length === 0
    ? html`<p class="muted">No signals counted yet.</p>`
    : html`<svg class="mix" viewBox="0 0 320 ${entries.length * rowHeight}" role="img" aria-label="Points by category">
${entries.map(([id, v], i) => {
  const w = Math.max(2, (Math.abs(v) / max) * 150);
  const y = i * rowHeight;
  return html`<text x="0" y="${y + 17}" class="mix-label">${labels[id]?.label ?? id}</text>
<rect x="128" y="${y + 5}" width="${w.toFixed(1)}" height="16" rx="3" class="mix-bar${v < 0 ? ' negative' : ''}"/>
<text x="${(132 + w).toFixed(1)}" y="${y + 17}" class="mix-value">${Math.round(v * 10) / 10}</text>`;
})}
</svg>
<table class="compact fallback"><caption>Points by category</caption><tbody>${entries.map(([id, v]) => html`<tr><th scope="row">${labels[id]?.label ?? id}</th><td class="n">${num(Math.round(v * 10) / 10)}</td></tr>`)}</tbody></table>`
}
</section>`;
}

interface ExplanationLine {
  label: string;
  points: number;
  count?: number;
  lastAt?: string;
}

/** Why the score is what it is: each signal with its count and points now. */
export function explanationSection(explanation: unknown[]): SafeHtml {
  const lines = explanation.filter(
    (l): l is ExplanationLine =>
      typeof (l as ExplanationLine)?.label === 'string' && Number.isFinite(Number((l as ExplanationLine)?.points)),
  );
  return html`<section class="card" aria-labelledby="h-why">
<h2 id="h-why">Why this score</h2>
${
  lines.length === 0
    ? html`<p class="muted">No signal counts now.</p>`
    : html`<table class="compact explanation"><thead><tr><th scope="col">Signal</th><th scope="col" class="n">Times</th><th scope="col" class="n">Points</th></tr></thead>
<tbody>${lines.map(
        (l) =>
          html`<tr><td>${l.label}${l.lastAt ? html` <span class="sub">last ${time(l.lastAt)}</span>` : ''}</td><td class="n">${num(Number(l.count ?? 1))}</td><td class="n"><strong>${Number(l.points) > 0 ? '+' : ''}${num(Number(l.points))}</strong></td></tr>`,
      )}</tbody></table>`
}
</section>`;
}

function detailValue(key: string, value: string | number | boolean | string[]): Html {
  if (Array.isArray(value)) return value.join(', ');
  if ((key === 'url' || key === 'href' || key === 'referrer') && typeof value === 'string')
    return linkOrText(value, value);
  return String(value);
}

function itemTitle(t: TimelineItem): Html {
  if (t.type === 'page' || t.type === 'screen')
    return html`Viewed ${String(t.details.title ?? t.path ?? t.name ?? 'a page')}`;
  if (t.type === 'track') return t.event ?? 'an event';
  if (t.type === 'identify') return 'Identified';
  if (t.type === 'group') return 'Joined an account';
  return t.type;
}

/**
 * The timeline: each event newest first, saying what happened (its details), what it counts
 * as and the derived signals it completed; `personLink` adds whose it is (the account page).
 */
export function timelineSection(
  items: TimelineItem[],
  nextHref: string | null,
  firstHref: string | null,
  personLink: boolean,
): SafeHtml {
  return html`<section class="card wide" aria-labelledby="h-timeline" id="timeline">
<h2 id="h-timeline">Timeline</h2>
${
  items.length === 0
    ? html`<p class="muted">No events.</p>`
    : html`<ol class="timeline">${items.map(
        (t) => html`<li>
<div class="when">${time(t.timestamp)}</div>
<div class="what"><strong>${itemTitle(t)}</strong>${t.label ? html` <span class="signal">${t.label}${t.points ? html` <span class="pts">${t.points > 0 ? '+' : ''}${num(t.points)}</span>` : ''}</span>` : ''}
${t.derived.map((d) => html` <span class="signal derived">${d.label} <span class="pts">${d.points > 0 ? '+' : ''}${num(d.points)}</span></span>`)}
${personLink && t.person ? html`<div class="sub">by <a href="/dashboard/people/${encodeURIComponent(t.person.id)}">${t.person.email ?? t.person.userId ?? t.person.id}</a></div>` : ''}
${
  Object.keys(t.details).length
    ? html`<dl class="details">${Object.entries(t.details).map(([k, v]) => html`<div><dt>${k}</dt><dd>${detailValue(k, v)}</dd></div>`)}</dl>`
    : ''
}</div>
</li>`,
      )}</ol>`
}
<nav class="pager" aria-label="Timeline pages">${firstHref ? html`<a href="${firstHref}">Newest</a>` : ''}${nextHref ? html`<a href="${nextHref}">Older events</a>` : ''}</nav>
</section>`;
}
