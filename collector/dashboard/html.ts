/**
 * The dashboard's one way to write HTML: `html` is a tagged template that escapes every
 * interpolation (text and attribute values alike) unless it is itself `html` or marked with
 * `trusted()`. Arrays are joined, `null`/`undefined`/`false` render nothing. Every page and
 * partial is written with it, so a visitor's string (an event name, a trait, a page title)
 * can only ever become text.
 * @example html`<td>${account.name}</td>` // "<td>&lt;script&gt;...</td>"
 */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export type Html = SafeHtml | string | number | null | undefined | false | readonly Html[];

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (ch) => ESCAPES[ch] as string);
}

function render(value: Html): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: Html[]): SafeHtml {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i] as Html) + (strings[i + 1] ?? '');
  return new SafeHtml(out);
}

/** Markup written by the code itself (never by a visitor): inserted as is. */
export function trusted(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

/**
 * A URL that may become a link: http(s) only, absolute or a path of this site. Anything else
 * (`javascript:`, `data:`, `vbscript:`, protocol-relative `//host`) answers null, and the
 * template shows the text without a link.
 */
export function safeHref(url: unknown): string | null {
  if (typeof url !== 'string' || url.length > 2048) return null;
  const trimmed = url.trim();
  if (trimmed.startsWith('/') && !trimmed.startsWith('//') && !trimmed.startsWith('/\\')) return trimmed;
  try {
    const parsed = new URL(trimmed);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : null;
  } catch {
    return null;
  }
}

/** A link when the URL is safe, else the text alone. */
export function linkOrText(url: unknown, text: Html): SafeHtml {
  const href = safeHref(url);
  return href ? html`<a href="${href}" rel="noopener noreferrer nofollow">${text}</a>` : html`${text}`;
}

/**
 * JSON for a `<script type="application/json">` block: `<`, `>`, `&` and the line separators
 * are escaped as `\uXXXX`, so no string can close the element.
 */
export function jsonScript(id: string, data: unknown): SafeHtml {
  const json = JSON.stringify(data).replace(
    /[<>&\u2028\u2029]/g,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return html`<script type="application/json" id="${id}">${trusted(json)}</script>`;
}
