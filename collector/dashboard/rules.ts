import type { Hono } from 'hono';
import { findRule, listRules, updateRule } from '../alerts/rules-store.ts';
import { type ConversionGroup, type RuleStats, ruleStats } from '../alerts/stats.ts';
import type { Queryable } from '../db/client.ts';
import { InklingError } from '../errors.ts';
import { type DashboardDeps, type DashboardEnv, sendPage } from './context.ts';
import { html, type SafeHtml } from './html.ts';
import { csrfField, layout } from './layout.ts';
import { num, time } from './partials.ts';
import type { Session } from './sessions.ts';

/** How many of the site's latest deliveries the page lists. */
export const RECENT_DELIVERIES = 20;

interface DeliveryRow {
  rule_id: string;
  rule_name: string | null;
  kind: string;
  url: string;
  status: string;
  attempts: number;
  last_status: number | null;
  last_error: string | null;
  created_at: Date;
  delivered_at: Date | null;
}

async function recentDeliveries(q: Queryable, siteId: string): Promise<DeliveryRow[]> {
  return q.query<DeliveryRow>(
    `select d.rule_id, r.name as rule_name, d.kind, d.url, d.status, d.attempts, d.last_status, d.last_error,
            d.created_at, d.delivered_at
       from deliveries d left join rules r on r.site_id = d.site_id and r.id = d.rule_id
      where d.site_id = $1 order by d.created_at desc, d.id desc limit ${RECENT_DELIVERIES}`,
    [siteId],
  );
}

/** A delivery's state in words: delivered, retrying (failed, still pending), waiting, given up. */
function deliveryState(d: DeliveryRow): { key: string; label: string } {
  if (d.status === 'delivered') return { key: 'delivered', label: 'delivered' };
  if (d.status === 'dead') return { key: 'dead', label: 'given up' };
  return d.attempts > 0 ? { key: 'failed', label: 'failed, retrying' } : { key: 'pending', label: 'waiting' };
}

/** Where a delivery goes, without the secret a Slack or webhook URL's path may carry: its host. */
function destination(kind: string, url: string): string {
  try {
    return `${kind} · ${new URL(url).host}`;
  } catch {
    return kind;
  }
}

const percent = (rate: number | null) => (rate === null ? '—' : `${Math.round(rate * 1000) / 10}%`);

function conversion(g: ConversionGroup): SafeHtml {
  return html`${percent(g.rate)} <span class="sub">${num(g.converted)} of ${num(g.n)}</span>`;
}

function ruleRow(rule: Awaited<ReturnType<typeof listRules>>[number], stats: RuleStats | undefined, session: Session) {
  const admin = session.user.role === 'admin';
  return html`<tr>
<td data-label="Rule"><strong>${rule.name}</strong> <span class="sub">${rule.subject} · <code>${rule.id}</code></span></td>
<td data-label="State">${rule.enabled ? 'on' : html`<strong>off</strong>`}${rule.disabledReason ? html`<span class="sub">${rule.disabledReason}</span>` : ''}</td>
<td data-label="Fired" class="n">${num(stats?.fired ?? 0)}</td>
<td data-label="Delivered" class="n">${num(stats?.delivered ?? 0)}</td>
<td data-label="Failed" class="n">${num((stats?.failed ?? 0) + (stats?.deadLettered ?? 0))}${stats?.deadLettered ? html`<span class="sub">${num(stats.deadLettered)} given up</span>` : ''}</td>
<td data-label="Held out" class="n">${num(stats?.heldOut ?? 0)}</td>
<td data-label="Converted (fired)">${stats ? conversion(stats.conversion.fired) : '—'}</td>
<td data-label="Converted (held out)">${stats ? conversion(stats.conversion.heldOut) : '—'}</td>
<td data-label="">${
    admin
      ? html`<form method="post" action="/dashboard/rules/${encodeURIComponent(rule.id)}/enabled" class="inline-form">
${csrfField(session)}<input type="hidden" name="enabled" value="${rule.enabled ? '0' : '1'}">
<button type="submit">${rule.enabled ? 'Disable' : 'Enable'}</button></form>`
      : ''
  }</td>
</tr>`;
}

/**
 * `GET /dashboard/rules`: the site's rules with their stats (as `GET /v1/rules/:id/stats`:
 * fired, delivered, failed, held out, conversion of fired vs held out to each rule's goal) and
 * the latest deliveries. `POST /dashboard/rules/:id/enabled` (admins; `enabled` 1 or 0) turns a
 * rule on or off as `PUT /v1/rules/:id` would (turning it on clears why it was turned off).
 */
export function registerRules(app: Hono<DashboardEnv>, deps: DashboardDeps): void {
  app.get('/dashboard/rules', async (c) => {
    const session = c.get('session');
    const siteId = session.siteId;
    const [rules, deliveries] = await Promise.all([listRules(deps.db, siteId), recentDeliveries(deps.db, siteId)]);
    const stats = new Map<string, RuleStats | undefined>();
    for (const rule of rules) stats.set(rule.id, await ruleStats(deps.db, siteId, rule.id));
    const goals = [...new Set([...stats.values()].map((s) => s?.conversion.goal).filter(Boolean))];
    const body = html`<div class="page-head"><h1>Rules</h1></div>
${c.req.query('saved') === '1' ? html`<p class="notice" role="status">Rule saved.</p>` : ''}
<div class="grid">
<section class="card wide" aria-labelledby="h-rules">
<h2 id="h-rules">Rules (${num(rules.length)})</h2>
${
  rules.length === 0
    ? html`<p class="muted">No rule yet: create them with <code>POST /v1/rules</code>.</p>`
    : html`<table class="rules">
<thead><tr><th scope="col">Rule</th><th scope="col">State</th><th scope="col" class="n">Fired</th><th scope="col" class="n">Delivered</th><th scope="col" class="n">Failed</th><th scope="col" class="n">Held out</th><th scope="col">Converted (fired)</th><th scope="col">Converted (held out)</th><th scope="col"><span class="sr">Actions</span></th></tr></thead>
<tbody>${rules.map((r) => ruleRow(r, stats.get(r.id), session))}</tbody></table>
<p class="muted">Converted: subjects that sent the goal event (${goals.join(', ')}) within ${num(stats.values().next().value?.conversion.days ?? 30)} days of their first firing. Failed counts deliveries being retried and given up.</p>`
}
</section>
<section class="card wide" aria-labelledby="h-deliveries">
<h2 id="h-deliveries">Recent deliveries</h2>
${
  deliveries.length === 0
    ? html`<p class="muted">Nothing delivered yet.</p>`
    : html`<table class="deliveries">
<thead><tr><th scope="col">When</th><th scope="col">Rule</th><th scope="col">To</th><th scope="col">Status</th><th scope="col" class="n">Attempts</th><th scope="col">Last answer</th></tr></thead>
<tbody>${deliveries.map((d) => {
        const state = deliveryState(d);
        return html`<tr>
<td data-label="When">${time(d.created_at)}</td>
<td data-label="Rule">${d.rule_name ?? d.rule_id}</td>
<td data-label="To">${destination(d.kind, d.url)}</td>
<td data-label="Status"><span class="status-${state.key}">${state.label}</span>${d.delivered_at ? html` <span class="sub">${time(d.delivered_at)}</span>` : ''}</td>
<td data-label="Attempts" class="n">${num(d.attempts)}</td>
<td data-label="Last answer">${d.last_status ?? ''}${d.last_error ? html` <span class="sub">${d.last_error}</span>` : ''}</td>
</tr>`;
      })}</tbody></table>`
}
</section>
</div>`;
    return sendPage(c, layout({ title: 'Rules', session, active: 'rules', body }));
  });

  app.post('/dashboard/rules/:id/enabled', async (c) => {
    const session = c.get('session');
    if (session.user.role !== 'admin')
      throw new InklingError(403, 'forbidden', 'Only an admin can turn rules on or off.');
    const form = await c.req.parseBody();
    if (form.enabled !== '1' && form.enabled !== '0') {
      throw new InklingError(400, 'invalid_enabled', 'enabled must be 1 or 0.');
    }
    const rule = await findRule(deps.db, session.siteId, c.req.param('id'));
    if (!rule) throw new InklingError(404, 'rule_not_found', 'There is no such rule on this site.');
    await updateRule(deps.db, session.siteId, rule.id, { ...rule.definition, enabled: form.enabled === '1' });
    return c.redirect('/dashboard/rules?saved=1', 303);
  });
}
