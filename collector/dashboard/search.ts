import type { Hono } from 'hono';
import { type DashboardDeps, type DashboardEnv, sendPage } from './context.ts';
import { html } from './html.ts';
import { layout } from './layout.ts';
import { accountDomain, accountLabel, num, tierBadge } from './partials.ts';
import { SEARCH_LIMIT, searchAccounts, searchPeople } from './search-data.ts';

/** `GET /dashboard/search?q=`: people and accounts by name, email, domain or id, linking to their pages. */
export function registerSearch(app: Hono<DashboardEnv>, deps: DashboardDeps): void {
  app.get('/dashboard/search', async (c) => {
    const session = c.get('session');
    const query = (c.req.query('q') ?? '').trim().slice(0, 200);
    const [accounts, people] = query
      ? await Promise.all([
          searchAccounts(deps.db, session.siteId, query),
          searchPeople(deps.db, session.siteId, query),
        ])
      : [[], []];
    const more = (n: number) =>
      n >= SEARCH_LIMIT ? html`<p class="muted">The first ${SEARCH_LIMIT} shown: narrow the search.</p>` : '';
    const body = html`<div class="page-head"><h1>Search</h1></div>
${query ? '' : html`<p class="muted">Search by a person's name, email or id, an account's name, domain or id.</p>`}
${
  query
    ? html`<div class="grid">
<section class="card" aria-labelledby="h-acc"><h2 id="h-acc">Accounts</h2>
${
  accounts.length
    ? html`<ul class="results">${accounts.map(
        (a) =>
          html`<li><a href="/dashboard/accounts/${encodeURIComponent(a.id)}">${accountLabel(a)}</a> ${accountDomain(a)} ${tierBadge(a.tier)} ${num(a.score)}</li>`,
      )}</ul>${more(accounts.length)}`
    : html`<p class="muted">No account matches “${query}”.</p>`
}
</section>
<section class="card" aria-labelledby="h-people"><h2 id="h-people">People</h2>
${
  people.length
    ? html`<ul class="results">${people.map(
        (p) =>
          html`<li><a href="/dashboard/people/${encodeURIComponent(p.id)}">${p.name || p.email || p.userId || p.id}</a> ${p.email && p.name ? html`<span class="sub">${p.email}</span>` : ''} ${tierBadge(p.tier)} ${num(p.score)}</li>`,
      )}</ul>${more(people.length)}`
    : html`<p class="muted">No person matches “${query}”.</p>`
}
</section>
</div>`
    : ''
}`;
    return sendPage(c, layout({ title: 'Search', session, active: 'search', body, query }));
  });
}
