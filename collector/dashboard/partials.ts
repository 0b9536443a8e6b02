import { html, type SafeHtml } from './html.ts';

/** A tier as a coloured badge (the colour is a class; the text says it too). */
export function tierBadge(tier: string): SafeHtml {
  const known = ['high', 'medium', 'low'].includes(tier) ? tier : 'low';
  return html`<span class="badge tier-${known}">${tier}</span>`;
}

const ARROWS: Record<string, { arrow: string; label: string }> = {
  rising: { arrow: '▲', label: 'rising' },
  declining: { arrow: '▼', label: 'declining' },
  stable: { arrow: '▶', label: 'stable' },
};

/** The trend as an arrow with its name for screen readers, and the 7-day change when given. */
export function trendArrow(trend: string, change7d?: number): SafeHtml {
  const t = ARROWS[trend] ?? (ARROWS.stable as { arrow: string; label: string });
  const change = change7d === undefined || change7d === 0 ? '' : ` ${change7d > 0 ? '+' : ''}${change7d}`;
  return html`<span class="trend trend-${trend in ARROWS ? trend : 'stable'}" title="${t.label}, 7-day change${change || ' 0'}"><span aria-hidden="true">${t.arrow}</span><span class="sr">${t.label}</span>${change}</span>`;
}

/** A date for people: ISO in `<time datetime>`, rewritten in the visitor's locale by dashboard.js. */
export function time(at: Date | string | null | undefined, style: 'date' | 'datetime' = 'datetime'): SafeHtml {
  if (!at) return html`<span class="muted">—</span>`;
  const iso = (at instanceof Date ? at : new Date(at)).toISOString();
  return html`<time datetime="${iso}" data-style="${style}">${style === 'date' ? iso.slice(0, 10) : `${iso.slice(0, 16).replace('T', ' ')} UTC`}</time>`;
}

/** A number for people, in the visitor's locale once dashboard.js runs. */
export function num(value: number): SafeHtml {
  return html`<span class="num" data-num="${value}">${value}</span>`;
}

/** The name to show for an account: its name, else its domain, else its id. */
export function accountLabel(a: { name: string | null; domain: string | null; id: string }): string {
  return a.name?.trim() || a.domain || a.id;
}

/**
 * The domain shown under an account's label, when it adds something: an account made from a
 * work email's domain is named by that domain, and shows it once.
 */
export function accountDomain(a: { name: string | null; domain: string | null; id: string }): SafeHtml | '' {
  return a.domain && accountLabel(a) !== a.domain ? html`<span class="sub">${a.domain}</span>` : '';
}
