import { attr, doc, loc, on, safe, win } from './env.ts';

type Props = Record<string, unknown>;

export interface Capture {
  page(): void;
  track(event: string, properties: Props): void;
  identify(userId: string, traits?: Props): void;
  /** The URL as it may be sent (stripped parameters removed). */
  clean_(url: string): string;
}

type El = HTMLElement & Partial<HTMLInputElement & HTMLAnchorElement>;

const DOWNLOAD = /\.(pdf|zip|dmg|exe|csv|xlsx?|docx?|pptx?|mp[34])$/i;

/**
 * Page views (load, history API, popstate, hashchange, back/forward cache restores),
 * clicks, form starts and submits. Listens in the capture phase and never calls
 * preventDefault, so the page's own handlers and navigation run exactly as before.
 */
export function autocapture(c: Capture): void {
  let href = '';
  let path = '';
  // One page view per navigation: several signals for one change (popstate + hashchange)
  // compare equal; replaceState counts only when the path changes.
  const view = (pathOnly?: unknown, force?: boolean) => {
    if (force || (pathOnly === 1 ? loc.pathname !== path : loc.href !== href)) {
      href = loc.href;
      path = loc.pathname;
      c.page();
    }
  };
  view();
  const h = win.history;
  for (const k of ['pushState', 'replaceState'] as const) {
    const original = h[k];
    h[k] = function (this: History, ...args: Parameters<History['pushState']>) {
      const r = original.apply(this, args);
      safe(view)(k === 'replaceState' && 1);
      return r;
    };
  }
  on(win, 'popstate', view);
  on(win, 'hashchange', view);
  on(win, 'pageshow', (e) => (e as PageTransitionEvent).persisted && view(0, true));

  const click = (e: Event) => {
    if ((e as MouseEvent).button > 1) return;
    let el = e.target as El | null;
    while (el && !(el.matches('a[href],button,[type=submit],[type=button],[role=button]') || marked(el))) {
      el = el.parentElement;
    }
    if (!el) return;
    const link = el.tagName === 'A' ? new URL(el.href as string) : undefined;
    const type = el.type;
    c.track('Element Clicked', {
      kind: link ? 'link' : type || el.role ? 'button' : 'other',
      // A form control's value is never read; a button's value is its label.
      text: ((type === 'submit' || type === 'button' ? el.value : '') || el.textContent || '')
        .replace(/\s+/g, ' ')
        .trim()
        .slice(0, 100),
      href: link && c.clean_(link.href),
      id: attr(el, 'id'),
      selector: el.tagName.toLowerCase() + (el.id ? `#${el.id}` : el.classList[0] ? `.${el.classList[0]}` : ''),
      outbound: !!link && /^http/.test(link.protocol) && link.host !== loc.host,
      download: !!link && (el.hasAttribute('download') || DOWNLOAD.test(link.pathname)),
    });
  };
  on(doc, 'click', click, true);
  // The middle button opens links in a new tab without a click event.
  on(doc, 'auxclick', click, true);

  const started = new WeakSet<HTMLFormElement>();
  const form = (f: HTMLFormElement): Props => ({
    // getAttribute: a field named "id" or "action" would shadow the form's own properties.
    formId: attr(f, 'id'),
    formName: attr(f, 'name'),
    // Without its query: a GET form's earlier submission may have put field values there.
    action: c.clean_(attr(f, 'action') || loc.href).split('?')[0],
    fields: [...new Set(Array.from(f.querySelectorAll('[name]'), (e) => attr(e, 'name')))],
  });
  on(
    doc,
    'input',
    (e) => {
      const f = (e.target as El).form;
      if (f && !started.has(f)) {
        started.add(f);
        c.track('Form Started', form(f));
      }
    },
    true,
  );
  on(
    doc,
    'submit',
    (e) => {
      const f = e.target as HTMLFormElement;
      const field = f.querySelector<HTMLInputElement>('[data-inkling-identify]');
      // The one value that may leave the page, and never from a password field.
      const id = field?.type !== 'password' && field?.value.trim().slice(0, 200);
      if (id) c.identify(id, /^\S+@\S+\.\S+$/.test(id) ? { email: id } : {});
      c.track('Form Submitted', form(f));
    },
    true,
  );
}

/** Marked by the site for click capture: any data-inkling-* attribute but the personalization and identify ones. */
function marked(el: Element): boolean {
  return el.getAttributeNames().some((n) => /^data-inkling(?!-(show|hide|identify)$)/.test(n));
}
