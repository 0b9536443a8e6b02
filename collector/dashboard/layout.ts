import { type Html, html, type SafeHtml } from './html.ts';
import type { Session } from './sessions.ts';

/** The pages in the top navigation; `active` marks the current one. */
const NAV = [
  { key: 'today', href: '/dashboard', label: 'Today' },
  { key: 'rules', href: '/dashboard/rules', label: 'Rules' },
  { key: 'model', href: '/dashboard/model', label: 'Model' },
  { key: 'calibration', href: '/dashboard/calibration', label: 'Calibration' },
] as const;

export type NavKey = (typeof NAV)[number]['key'] | 'search' | 'other';

export interface LayoutOptions {
  title: string;
  /** The signed-in session; none on the sign-in page. */
  session?: Session;
  active?: NavKey;
  body: Html;
  /** The search box's current text. */
  query?: string;
  /** Load uPlot and the chart script (pages with charts). */
  charts?: boolean;
}

/**
 * Every dashboard page's frame: head (the served CSS, scripts deferred; no inline script or
 * style: the CSP forbids them), header with navigation, search and sign-out, then the body.
 */
export function layout(o: LayoutOptions): SafeHtml {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>${o.title} · Inkling</title>
<link rel="icon" href="/dashboard/assets/icon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/dashboard/assets/dashboard.css">
${o.charts ? html`<link rel="stylesheet" href="/dashboard/assets/uplot.min.css"><script defer src="/dashboard/assets/uplot.iife.min.js"></script>` : ''}
<script defer src="/dashboard/assets/dashboard.js"></script>
</head>
<body>
${o.session ? header(o.session, o.active, o.query) : html`<header class="top"><span class="brand">Inkling</span></header>`}
<main>
${o.body}
</main>
</body>
</html>`;
}

function header(session: Session, active: NavKey | undefined, query = ''): SafeHtml {
  return html`<header class="top">
<a class="brand" href="/dashboard">Inkling</a>
<nav aria-label="Pages">${NAV.map(
    (n) => html`<a href="${n.href}"${n.key === active ? html` aria-current="page"` : ''}>${n.label}</a>`,
  )}</nav>
<form class="search" method="get" action="/dashboard/search" role="search">
<input type="search" name="q" value="${query}" placeholder="Name, email, domain or id" aria-label="Search" maxlength="200">
<button type="submit">Search</button>
</form>
<form class="signout" method="post" action="/dashboard/logout">
${csrfField(session)}
<span class="who" title="${session.user.email}">${session.user.name}</span>
<button type="submit">Sign out</button>
</form>
</header>`;
}

/** The hidden field every state-changing form of a session carries (checked by `requireCsrf`). */
export function csrfField(session: Session): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${session.csrfToken}">`;
}
