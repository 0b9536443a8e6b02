import type { Hono } from 'hono';
import { InklingError } from '../errors.ts';
import { findPerson } from '../identity/persons.ts';
import { encodeEventCursor, parseEventCursor } from '../sales/event-keyset.ts';
import { setPersonOwner } from '../sales/owners.ts';
import { describePerson } from '../sales/person-detail.ts';
import { describeTimeline } from '../sales/timeline.ts';
import { pagePersonEvents } from '../sales/timeline-events.ts';
import { ownerSection, readOwnerForm, TIMELINE_PAGE } from './account.ts';
import { type DashboardDeps, type DashboardEnv, sendPage } from './context.ts';
import { type Device, describeDevice, loadDevices, loadScoreHistory } from './detail-data.ts';
import { categoryMix, explanationSection, gauge, historySection, timelineSection } from './detail-parts.ts';
import { html, type SafeHtml } from './html.ts';
import { layout } from './layout.ts';
import { accountLabel, num, tierBadge, time } from './partials.ts';

const MAX_REF = 256;

const INTENT: Record<string, string> = {
  buying: 'Buying',
  partnership: 'Partnership',
  support: 'Support (an existing customer)',
  job_seeker: 'Job seeker',
  unknown: 'Not clear yet',
};

function identitiesSection(userId: string | null, email: string | null, devices: Device[]): SafeHtml {
  return html`<section class="card" aria-labelledby="h-ids">
<h2 id="h-ids">Identities</h2>
<dl class="facts">
<div><dt>User id</dt><dd>${userId ?? html`<span class="muted">none (anonymous)</span>`}</dd></div>
<div><dt>Email</dt><dd>${email ?? html`<span class="muted">unknown</span>`}</dd></div>
</dl>
<h3>Devices (${num(devices.length)})</h3>
${
  devices.length
    ? html`<ul class="identities">${devices.map(
        (d) =>
          html`<li><strong>${describeDevice(d)}</strong> <span class="sub">anonymous id <code>${d.anonymousId}</code> · last seen ${time(d.lastSeen)}</span></li>`,
      )}</ul>`
    : html`<p class="muted">No anonymous id.</p>`
}
</section>`;
}

/**
 * `GET /dashboard/people/:id` (person id, user id or anonymous id): as the account page, for
 * a person, with their identities and devices (each anonymous id's latest user agent), the
 * explanation, intent type and account. `POST .../owner` (admins) as `PUT /v1/people/:id`.
 */
export function registerPerson(app: Hono<DashboardEnv>, deps: DashboardDeps): void {
  app.get('/dashboard/people/:id', async (c) => {
    const session = c.get('session');
    const siteId = session.siteId;
    const ref = c.req.param('id');
    const row = ref.length <= MAX_REF ? await findPerson(deps.db, siteId, ref) : undefined;
    if (!row) throw new InklingError(404, 'person_not_found', 'There is no such person on this site.');
    const person = await describePerson(deps.db, siteId, row);
    const days = c.req.query('days') === '90' ? 90 : 30;
    const before = parseEventCursor(c.req.query('cursor'));
    const who = { id: row.id, userId: row.user_id, email: row.email };
    const keys = { userId: row.user_id, anonymousIds: person.anonymousIds };
    const [history, config, devices, rows, categories] = await Promise.all([
      loadScoreHistory(deps.db, siteId, 'person', row.id, days),
      deps.configs.config(siteId),
      loadDevices(deps.db, siteId, person.anonymousIds),
      pagePersonEvents(deps.db, siteId, who, keys, TIMELINE_PAGE + 1, before),
      deps.db.query<{ categories: Record<string, number> }>(
        'select categories from person_scores where site_id = $1 and person_id = $2',
        [siteId, row.id],
      ),
    ]);
    const page = rows.slice(0, TIMELINE_PAGE);
    const items = await describeTimeline(deps.db, siteId, await deps.configs.model(siteId), page, false);
    const path = `/dashboard/people/${encodeURIComponent(row.id)}`;
    const last = page[page.length - 1];
    const keep = days === 90 ? 'days=90&' : '';
    const next =
      rows.length > TIMELINE_PAGE && last ? `${path}?${keep}cursor=${encodeEventCursor(last.position)}#timeline` : null;
    const traitName = typeof person.traits?.name === 'string' ? person.traits.name : null;
    const title = traitName || row.email || row.user_id || row.id;
    const account = person.account;
    const body = html`<div class="page-head">
<h1>${title}</h1>
<p class="sub">${row.email && traitName ? html`${row.email} · ` : ''}${
      account
        ? html`account <a href="/dashboard/accounts/${encodeURIComponent(String(account.id))}">${accountLabel({ id: String(account.id), name: (account.name as string | null) ?? null, domain: (account.domain as string | null) ?? null })}</a> ${tierBadge(String(account.tier))}`
        : 'no account'
    }</p>
</div>
${c.req.query('saved') === '1' ? html`<p class="notice" role="status">Owner saved.</p>` : ''}
<div class="grid">
<section class="card" aria-labelledby="h-score"><h2 id="h-score">Score</h2>${gauge(person.score as number, String(person.tier), String(person.trend), Number(person.change7d))}
<p>Intent: <strong>${INTENT[String(person.type)] ?? String(person.type)}</strong></p></section>
${ownerSection((person.owner as string | null) ?? null, path, session.user.role === 'admin', session)}
${historySection(history, days, path)}
${explanationSection(Array.isArray(person.explanation) ? person.explanation : [])}
${categoryMix(categories[0]?.categories ?? {}, config.categories)}
${identitiesSection(row.user_id, row.email, devices)}
${timelineSection(items, next, before ? `${path}${days === 90 ? '?days=90' : ''}#timeline` : null, false)}
</div>`;
    return sendPage(c, layout({ title, session, active: 'other', body, charts: true }));
  });

  app.post('/dashboard/people/:id/owner', async (c) => {
    const { session, owner } = await readOwnerForm(c);
    const ref = c.req.param('id');
    const id = ref.length <= MAX_REF ? await setPersonOwner(deps.db, session.siteId, ref, owner) : undefined;
    if (!id) throw new InklingError(404, 'person_not_found', 'There is no such person on this site.');
    return c.redirect(`/dashboard/people/${encodeURIComponent(id)}?saved=1`, 303);
  });
}
