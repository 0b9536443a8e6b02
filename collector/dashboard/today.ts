import type { Hono } from 'hono';
import { type DashboardDeps, type DashboardEnv, sendPage } from './context.ts';
import { html, jsonScript, type SafeHtml } from './html.ts';
import { layout } from './layout.ts';
import { accountDomain, accountLabel, num, tierBadge, trendArrow } from './partials.ts';
import { countAccountTiers, listTodayAccounts, type TodayAccount, type TodayList } from './today-data.ts';
import type { TrendsCache } from './trends-cache.ts';
import type { Trends } from './trends-data.ts';

const PERIODS = [30, 90] as const;

const LIST_TITLES: Record<TodayList, { title: string; empty: string }> = {
  high: { title: 'High intent', empty: 'No account is at High intent yet.' },
  rising: { title: 'Rising (+20 or more in 7 days)', empty: 'No account rose by 20 points this week.' },
  cooling: { title: 'Cooling (−15 or less in 7 days)', empty: 'No account cooled by 15 points this week.' },
};

function accountTable(list: TodayList, rows: TodayAccount[]): SafeHtml {
  const { title, empty } = LIST_TITLES[list];
  return html`<section class="card" id="list-${list}" aria-labelledby="h-${list}">
<h2 id="h-${list}">${title}</h2>
${
  rows.length === 0
    ? html`<p class="muted">${empty}</p>`
    : html`<table class="accounts">
<thead><tr><th scope="col">Account</th><th scope="col" class="n">Score</th><th scope="col">Tier</th><th scope="col">Trend</th><th scope="col">Owner</th><th scope="col">Top signals</th></tr></thead>
<tbody>${rows.map(
        (a) => html`<tr>
<td data-label="Account"><a href="/dashboard/accounts/${encodeURIComponent(a.id)}">${accountLabel(a)}</a>${accountDomain(a)}</td>
<td data-label="Score" class="n"><strong>${num(a.score)}</strong></td>
<td data-label="Tier">${tierBadge(a.tier)}</td>
<td data-label="Trend">${trendArrow(a.trend, a.change7d)}</td>
<td data-label="Owner">${a.owner ?? html`<span class="muted">none</span>`}</td>
<td data-label="Top signals">${a.signals.length ? html`<ul class="signals">${a.signals.map((s) => html`<li>${s}</li>`)}</ul>` : html`<span class="muted">—</span>`}</td>
</tr>`,
      )}</tbody>
</table>`
}
</section>`;
}

function tierBar(tiers: Record<'high' | 'medium' | 'low', number>): SafeHtml {
  const total = tiers.high + tiers.medium + tiers.low;
  return html`<section class="card" aria-labelledby="h-tiers">
<h2 id="h-tiers">Tier distribution</h2>
<dl class="tiers">${(['high', 'medium', 'low'] as const).map(
    (t) =>
      html`<div class="tier-${t}"><dt>${tierBadge(t)}</dt><dd>${num(tiers[t])} <span class="muted">accounts${total ? ` · ${Math.round((tiers[t] / total) * 100)}%` : ''}</span></dd></div>`,
  )}</dl>
</section>`;
}

function charts(trends: Trends, days: number, mine: boolean): SafeHtml {
  const totals = trends.volume.map((v) => ({ label: v.label, total: v.counts.reduce((a, b) => a + b, 0) }));
  const tth = trends.timeToHigh;
  return html`<section class="card wide" aria-labelledby="h-volume">
<div class="card-head"><h2 id="h-volume">Signals per day by category</h2>
<nav class="periods" aria-label="Period">${PERIODS.map((p) => html`<a href="/dashboard?days=${p}${mine ? '&mine=1' : ''}"${p === days ? html` aria-current="true"` : ''}>${p} days</a>`)}</nav></div>
<div class="chart" id="chart-volume" data-chart="volume" role="img" aria-label="Daily signal volume by category, last ${days} days"></div>
<table class="compact fallback"><caption>Signals in the last ${days} days</caption><tbody>${
    totals.length
      ? totals.map((t) => html`<tr><th scope="row">${t.label}</th><td class="n">${num(t.total)}</td></tr>`)
      : html`<tr><td class="muted">No signals in this period.</td></tr>`
  }</tbody></table>
</section>
<section class="card" aria-labelledby="h-avg">
<h2 id="h-avg">Average account score</h2>
<div class="chart" id="chart-average" data-chart="average" role="img" aria-label="Average account score per day, last ${days} days"></div>
</section>
<section class="card" aria-labelledby="h-tth">
<h2 id="h-tth">Time to high intent</h2>
<p class="big">${tth.medianHours === null ? html`<span class="muted">—</span>` : html`${num(tth.medianHours < 48 ? tth.medianHours : Math.round((tth.medianHours / 24) * 10) / 10)} ${tth.medianHours < 48 ? 'hours' : 'days'}`}</p>
<p class="muted">Median time from an account's first event to its first High score, over the ${num(tth.accounts)} account(s) that first reached High in the last ${days} days.</p>
</section>
${jsonScript('today-data', trends)}`;
}

/** `GET /dashboard`: Today. `?mine=1` keeps the accounts the signed-in user owns; `?days=30|90` the charts' period. */
export function registerToday(app: Hono<DashboardEnv>, deps: DashboardDeps, trends: TrendsCache): void {
  app.get('/dashboard', async (c) => {
    const session = c.get('session');
    const mine = c.req.query('mine') === '1';
    const days = c.req.query('days') === '90' ? 90 : 30;
    const owner = mine ? session.user.email : undefined;
    const [high, rising, cooling, tiers, chartData] = await Promise.all([
      listTodayAccounts(deps.db, session.siteId, 'high', owner),
      listTodayAccounts(deps.db, session.siteId, 'rising', owner),
      listTodayAccounts(deps.db, session.siteId, 'cooling', owner),
      countAccountTiers(deps.db, session.siteId),
      trends.get(session.siteId, days),
    ]);
    const keep = days === 90 ? '&days=90' : '';
    const body = html`<div class="page-head">
<h1>Today</h1>
<nav class="filter" aria-label="Whose accounts">
<a href="${days === 90 ? '/dashboard?days=90' : '/dashboard'}"${mine ? '' : html` aria-current="true"`}>All accounts</a>
<a href="/dashboard?mine=1${keep}"${mine ? html` aria-current="true"` : ''}>Mine</a>
</nav>
</div>
<div class="grid">
${accountTable('high', high)}
${accountTable('rising', rising)}
${accountTable('cooling', cooling)}
${tierBar(tiers)}
${charts(chartData, days, mine)}
</div>`;
    return sendPage(c, layout({ title: 'Today', session, active: 'today', body, charts: true }));
  });
}
