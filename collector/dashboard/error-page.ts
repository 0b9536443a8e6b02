import { html, type SafeHtml } from './html.ts';
import { layout } from './layout.ts';
import type { Session } from './sessions.ts';

const TITLES: Record<number, string> = {
  400: 'Bad request',
  403: 'Refused',
  404: 'Not found',
  409: 'Out of date',
  422: 'Not applied',
  429: 'Too many attempts',
  503: 'Unavailable',
};

/** A small page for a refusal or an error (the API answers JSON; the dashboard answers pages). */
export function errorPage(status: number, message: string, session?: Session): SafeHtml {
  const title = TITLES[status] ?? 'Error';
  return layout({
    title,
    session,
    active: 'other',
    body: html`<section class="card narrow"><h1>${title}</h1><p>${message}</p><p><a href="/dashboard">Back to the dashboard</a></p></section>`,
  });
}
