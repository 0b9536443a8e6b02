import fc from 'fast-check';

/**
 * fast-check inputs that a careless or hostile client sends: text with NUL, lone
 * surrogates and URL metacharacters, raw bytes that are not UTF-8, numbers JavaScript and
 * PostgreSQL disagree on, cursors and dates at and beyond the edges, JSON nested far deeper
 * than the collector's limit.
 */

/** One unit of hostile text: a troublemaker, any code point, or printable ASCII. */
const hostileUnit = fc.oneof(
  fc.constantFrom(
    '\u0000',
    '\ud800',
    '\udfff',
    '\uffff',
    '\u2028',
    '%00',
    '%',
    '"',
    '\\',
    '/',
    '..',
    '+',
    '&',
    '=',
    '?',
    '#',
  ),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
  fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }),
);

/** Text that PostgreSQL may refuse or JavaScript may mangle. */
export const hostileText = (maxLength = 24) => fc.string({ unit: hostileUnit, maxLength });

/** Text with at least one NUL or lone surrogate: what PostgreSQL refuses or changes. */
export const unstorableText = fc
  .tuple(hostileText(8), fc.constantFrom('\u0000', '\ud800', '\udc00'), hostileText(8))
  .map(([a, bad, b]) => a + bad + b);

/** Every byte outside the unreserved set as `%XX`: bytes that are not UTF-8 survive the URL. */
export function percentEncode(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) {
    const ch = String.fromCharCode(b);
    out += /[A-Za-z0-9_.~-]/.test(ch) ? ch : `%${b.toString(16).padStart(2, '0').toUpperCase()}`;
  }
  return out;
}

/** A URL component: hostile text as UTF-8 (a lone surrogate becomes U+FFFD) or raw bytes. */
export const urlComponent = fc.oneof(
  hostileText().map((s) => percentEncode(Buffer.from(s))),
  fc.uint8Array({ maxLength: 16 }).map(percentEncode),
  fc.constantFrom('', 'x', '1', '-1', '%', '%zz', '%C0%80', '%ED%A0%80', '%2e%2e', '..', `${'9'.repeat(400)}`),
);

/** Numbers that break naive parsing: huge, fractional, negative, not finite, exponent forms. */
const oddNumber = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }),
  fc.constantFrom(0, -0, 100, 101, -1, 2.5, 1e300, -1e300, 2 ** 53, 2 ** 63, Number.MAX_SAFE_INTEGER + 2),
  fc.integer({ min: 0, max: 100 }),
);

const base64url = (s: string) => Buffer.from(s).toString('base64url');

/** List and event cursors, well-formed in shape but carrying odd numbers and ids. */
export const cursor = fc.oneof(
  fc.tuple(oddNumber, hostileText()).map(([n, id]) => base64url(`[${String(n)},${JSON.stringify(id)}]`)),
  fc.tuple(oddNumber, oddNumber).map(([t, id]) => base64url(`${String(t)}~${String(id)}`)),
  fc.jsonValue({ maxDepth: 3 }).map((v) => base64url(JSON.stringify(v) ?? 'null')),
  hostileText(),
);

/** Dates JavaScript parses (or not) that PostgreSQL may not hold. */
export const dateText = fc.oneof(
  fc.date({ noInvalidDate: false }).map((d) => (Number.isNaN(d.getTime()) ? 'Invalid' : d.toISOString())),
  fc.integer({ min: -300_000, max: 300_000 }).map((y) => `${y}-01-01`),
  fc.constantFrom('0000-01-01', '-000001-01-01', '+275760-09-13', '0001-01-01', '9999-12-31', '2026-02-30', 'now'),
);

/** A query value: any of the above. */
export const queryValue = fc.oneof(
  hostileText(),
  oddNumber.map(String),
  cursor,
  dateText,
  fc.constantFrom(
    'high',
    'medium',
    'rising',
    'cooling',
    '-score',
    'score',
    'signals',
    'scores',
    'ndjson',
    'csv',
    '1',
    '500',
  ),
);

/** JSON text nested `depth` levels deep, in objects or arrays. */
const deepJson = fc
  .tuple(fc.integer({ min: 15, max: 20_000 }), fc.boolean())
  .map(([depth, objects]) =>
    objects ? `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}` : `${'['.repeat(depth)}${']'.repeat(depth)}`,
  );

/** Any JSON value whose strings are hostile. */
export const hostileJson = (maxDepth = 4) => fc.jsonValue({ maxDepth, stringUnit: hostileUnit });

/** Something shaped like a Segment message, every field optional and possibly wrong. */
export const messageLike = fc.record(
  {
    type: fc.oneof(fc.constantFrom('track', 'page', 'identify', 'group', 'alias', 'screen'), hostileText(8)),
    messageId: fc.oneof(hostileText(), hostileJson(1)),
    anonymousId: fc.oneof(hostileText(), hostileJson(1)),
    userId: fc.oneof(hostileText(), fc.constant('x'.repeat(300))),
    previousId: hostileText(),
    groupId: hostileText(),
    event: fc.oneof(hostileText(), fc.constant(' ')),
    timestamp: dateText,
    sentAt: dateText,
    properties: hostileJson(),
    traits: hostileJson(),
    context: hostileJson(),
  },
  { requiredKeys: [] },
);

/** A message as JSON text: a message-like object, any JSON, or JSON nested too deep. */
export const messageText = fc.oneof(
  messageLike.map((m) => JSON.stringify(m)),
  hostileJson().map((v) => JSON.stringify(v) ?? 'null'),
  deepJson.map((d) => `{"type":"track","event":"Deep","anonymousId":"d","properties":{"x":${d}}}`),
);

/** A request body: a batch, a message, any JSON, JSON nested too deep, or bytes that are not JSON. */
export const bodyText = fc.oneof(
  fc.array(messageText, { maxLength: 4 }).map((ms) => `{"batch":[${ms.join(',')}]}`),
  fc
    .tuple(fc.array(messageText, { maxLength: 2 }), deepJson)
    .map(([ms, d]) => `{"batch":[${ms.join(',')}],"context":${d}}`),
  messageText,
  deepJson,
  fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b).toString('latin1')),
);

/**
 * A copy of a valid JSON value with its `pick`-th string (or object key, when `asKey`)
 * replaced by `text`: input that passes every check but one, so it reaches what lies behind
 * them (the database) with one hostile string.
 */
export function withHostileLeaf(value: unknown, pick: number, text: string, asKey: boolean): unknown {
  const copy = structuredClone(value);
  const slots: (() => void)[] = [];
  const visit = (node: unknown): void => {
    if (node === null || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const child = record[key];
      if (asKey && !Array.isArray(node)) {
        slots.push(() => {
          delete record[key];
          record[text] = child;
        });
      } else if (!asKey && typeof child === 'string') {
        slots.push(() => {
          record[key] = text;
        });
      }
      visit(child);
    }
  };
  visit(copy);
  slots[pick % Math.max(slots.length, 1)]?.();
  return copy;
}
