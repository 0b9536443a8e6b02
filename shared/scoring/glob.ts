// Path globs for page rules. A pattern starts with `/` and is matched against the whole
// normalized path (see `normalizePath`), segment by segment:
// - `*` matches any characters inside one segment, `?` exactly one;
// - a `**` segment matches zero or more whole segments, so `/**/pricing/**` matches
//   `/pricing`, `/en/pricing` and `/pricing/teams`;
// - everything else is literal (case-insensitive).
// Compiled once per config into an anchored RegExp whose only repetitions are over
// slash-delimited segments, so matching stays linear in practice (no user regex).

const MAX_DOUBLE_STARS = 4;

/** Why a pattern is not a valid path glob, or null when it is. */
export function globError(pattern: string): string | null {
  if (!pattern.startsWith('/')) return `path pattern "${pattern}" must start with "/"`;
  if (/[\s#]/.test(pattern)) {
    return `path pattern "${pattern}" must not contain whitespace or "#"`;
  }
  const segments = pattern.split('/').slice(1);
  let doubles = 0;
  for (const segment of segments) {
    if (segment === '**') doubles++;
    else if (segment.includes('**')) return `path pattern "${pattern}": "**" must be a whole segment`;
  }
  if (doubles > MAX_DOUBLE_STARS) return `path pattern "${pattern}" has more than ${MAX_DOUBLE_STARS} "**" segments`;
  return null;
}

/** Compiles a valid glob (see `globError`) into an anchored, case-insensitive RegExp. */
export function compileGlob(pattern: string): RegExp {
  // Not normalizePath: `?` is a wildcard here, not the start of a query.
  let normalized = pattern.toLowerCase().replace(/\/{2,}/g, '/');
  if (normalized.length > 1 && normalized.endsWith('/')) normalized = normalized.slice(0, -1);
  const segments = normalized.split('/').slice(1);
  let source = '';
  for (const segment of segments) {
    if (segment === '**') source += '(?:/[^/]+)*';
    else if (segment === '') source += '/';
    else source += `/${segment.split('').map(globChar).join('')}`;
  }
  return new RegExp(`^${source === '' ? '/' : source}$`, 'i');
}

function globChar(ch: string): string {
  if (ch === '*') return '[^/]*';
  if (ch === '?') return '[^/]';
  return ch.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
}

/**
 * The comparable form of a path: without query and fragment, lowercase, repeated slashes
 * collapsed, no trailing slash (except the root). `https://x.com/Pricing/?a=1` -> `/pricing`.
 */
export function normalizePath(input: string): string {
  let path = input;
  const scheme = path.indexOf('://');
  if (scheme !== -1) {
    const slash = path.indexOf('/', scheme + 3);
    path = slash === -1 ? '/' : path.slice(slash);
  }
  const cut = path.search(/[?#]/);
  if (cut !== -1) path = path.slice(0, cut);
  path = path.toLowerCase().replace(/\/{2,}/g, '/');
  // A static site's page file is its page: /pricing.html is /pricing, /blog/index.html is /blog.
  path = path.replace(/(\/index)?\.(html?|php|aspx?|jsp)$/, '');
  if (!path.startsWith('/')) path = `/${path}`;
  if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
  return path;
}
