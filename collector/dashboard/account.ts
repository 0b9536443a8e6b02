import type { Context, Hono } from 'hono';
import { ownerSchema } from '../../shared/owner.ts';
import { InklingError } from '../errors.ts';
import { findAccountId } from '../sales/account-ref.ts';
import { encodeEventCursor, parseEventCursor } from '../sales/event-keyset.ts';
import { setAccountOwner } from '../sales/owners.ts';
import { describeTimeline } from '../sales/timeline.ts';
import { pageAccountEvents } from '../sales/timeline-events.ts';
import { type DashboardDeps, type DashboardEnv, sendPage } from './context.ts';
import { CONTACTS_SHOWN, type Contact, loadAccount, loadContacts, loadScoreHistory } from './detail-data.ts';
import { categoryMix, explanationSection, gauge, historySection, timelineSection } from './detail-parts.ts';
import { html, type SafeHtml } from './html.ts';
import { csrfField, layout } from './layout.ts';
import { accountLabel, num, tierBadge, time } from './partials.ts';

/** Timeline items per page on the account and person pages. */
export const TIMELINE_PAGE = 25;

/** The account a reference names on the signed-in user's site, or a 404 page. */
async function accountIdOr404(deps: DashboardDeps, siteId: string, ref: string): Promise<string> {
  const id = ref.length <= 256 ? await findAccountId(deps.db, siteId, ref) : undefined;
  if (!id) throw new InklingError(404, 'account_not_found', 'There is no such account on this site.');
  return id;
}

function contactsSection(contacts: Contact[], total: number): SafeHtml {
  return html`<section class="card wide" aria-labelledby="h-contacts">
<h2 id="h-contacts">Contacts (${num(total)})</h2>
${
  contacts.length === 0
    ? html`<p class="muted">No contact yet.</p>`
    : html`<table class="contacts">
<thead><tr><th scope="col">Contact</th><th scope="col" class="n">Score</th><th scope="col">Tier</th><th scope="col">Intent</th><th scope="col">Last activity</th></tr></thead>
<tbody>${contacts.map(
        (p) => html`<tr>
<td data-label="Contact"><a href="/dashboard/people/${encodeURIComponent(p.id)}">${p.name || p.email || p.userId || p.id}</a>${p.name && p.email ? html`<span class="sub">${p.email}</span>` : ''}</td>
<td data-label="Score" class="n"><strong>${num(p.score)}</strong></td>
<td data-label="Tier">${tierBadge(p.tier)}</td>
<td data-label="Intent">${p.type}${p.engaged ? '' : html` <span class="muted">(not engaged)</span>`}</td>
<td data-label="Last activity">${time(p.lastActivity)}</td>
</tr>`,
      )}</tbody></table>${total > CONTACTS_SHOWN ? html`<p class="muted">The ${CONTACTS_SHOWN} highest scores shown.</p>` : ''}`
}
</section>`;
}

export function ownerSection(
  owner: string | null,
  path: string,
  canChange: boolean,
  session: Parameters<typeof csrfField>[0],
) {
  return html`<section class="card" aria-labelledby="h-owner">
<h2 id="h-owner">Owner</h2>
<p>${owner ?? html`<span class="muted">none</span>`}</p>
${
  canChange
    ? html`<form method="post" action="${path}/owner" class="owner-form">
${csrfField(session)}
<label for="owner">Owner's email (empty: none)</label>
<input type="email" id="owner" name="owner" value="${owner ?? ''}" maxlength="254" autocomplete="off">
<button type="submit">Save owner</button>
</form>`
    : html`<p class="muted">Only an admin can change the owner.</p>`
}
</section>`;
}

/**
 * `GET /dashboard/accounts/:id` (id, domain, group id or a merged-away name): gauge, tier and
 * trend, the score line over 30/90 days (`?days=`) with tier crossings, contacts, category
 * mix, why, owner, and every contact's timeline (`?cursor=` pages it). `POST .../owner`
 * (admins): sets the owner as `PUT /v1/accounts/:id` does.
 */
export function registerAccount(app: Hono<DashboardEnv>, deps: DashboardDeps): void {
  app.get('/dashboard/accounts/:id', async (c) => {
    const session = c.get('session');
    const siteId = session.siteId;
    const id = await accountIdOr404(deps, siteId, c.req.param('id'));
    const days = c.req.query('days') === '90' ? 90 : 30;
    const before = parseEventCursor(c.req.query('cursor'));
    const [account, { contacts, total }, history, config, rows] = await Promise.all([
      loadAccount(deps.db, siteId, id),
      loadContacts(deps.db, siteId, id),
      loadScoreHistory(deps.db, siteId, 'account', id, days),
      deps.configs.config(siteId),
      pageAccountEvents(deps.db, siteId, id, TIMELINE_PAGE + 1, before),
    ]);
    if (!account) throw new InklingError(404, 'account_not_found', 'There is no such account on this site.');
    const page = rows.slice(0, TIMELINE_PAGE);
    const items = await describeTimeline(deps.db, siteId, await deps.configs.model(siteId), page, true);
    const path = `/dashboard/accounts/${encodeURIComponent(id)}`;
    const last = page[page.length - 1];
    const keep = days === 90 ? 'days=90&' : '';
    const next =
      rows.length > TIMELINE_PAGE && last ? `${path}?${keep}cursor=${encodeEventCursor(last.position)}#timeline` : null;
    const saved = c.req.query('saved') === '1';
    const body = html`<div class="page-head">
<h1>${accountLabel(account)}</h1>
<p class="sub">${account.domain ?? ''}${account.groupId ? html` · group ${account.groupId}` : ''} · first seen ${time(account.createdAt, 'date')}</p>
</div>
${saved ? html`<p class="notice" role="status">Owner saved.</p>` : ''}
<div class="grid">
<section class="card" aria-labelledby="h-score"><h2 id="h-score">Score</h2>${gauge(account.score, account.tier, account.trend, account.change7d)}</section>
${ownerSection(account.owner, path, session.user.role === 'admin', session)}
${historySection(history, days, path)}
${categoryMix(account.categories, config.categories)}
${explanationSection(account.explanation)}
${contactsSection(contacts, total)}
${timelineSection(items, next, before ? `${path}${days === 90 ? '?days=90' : ''}#timeline` : null, true)}
</div>`;
    return sendPage(c, layout({ title: accountLabel(account), session, active: 'other', body, charts: true }));
  });

  app.post('/dashboard/accounts/:id/owner', async (c) => {
    const { session, owner } = await readOwnerForm(c);
    const ref = c.req.param('id');
    const id = ref.length <= 256 ? await setAccountOwner(deps.db, session.siteId, ref, owner) : undefined;
    if (!id) throw new InklingError(404, 'account_not_found', 'There is no such account on this site.');
    return c.redirect(`/dashboard/accounts/${encodeURIComponent(id)}?saved=1`, 303);
  });
}

/**
 * The owner form of the account and person pages: admins only; an email, or empty for none.
 */
export async function readOwnerForm(c: Context<DashboardEnv>) {
  const session = c.get('session');
  if (session.user.role !== 'admin') throw new InklingError(403, 'forbidden', 'Only an admin can change the owner.');
  const form = await c.req.parseBody();
  const raw = typeof form.owner === 'string' ? form.owner.trim() : '';
  const parsed = raw === '' ? { success: true as const, data: null } : ownerSchema.safeParse(raw);
  if (!parsed.success) throw new InklingError(400, 'invalid_owner', 'The owner must be an email address, or empty.');
  return { session, owner: parsed.data };
}
