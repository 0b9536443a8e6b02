import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { type Context, Hono } from 'hono';
import { DEFAULT_PUBLIC_URL } from '../config.ts';
import type { Database } from '../db/client.ts';
import { listSites } from '../sites.ts';

export interface StaticOptions {
  /** Where the SDK build lives. @default <repo>/dist */
  distDir?: string;
  /** The example site. @default <repo>/examples */
  examplesDir?: string;
  /** The collector's public URL, written into the pages (never the request's Host). @default http://127.0.0.1:8787 */
  publicUrl?: string;
}

/** Cookie that remembers `?key=` while a visitor clicks through the example site. */
const KEY_COOKIE = 'inkling_example_key';
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.pdf': 'application/pdf',
  '.txt': 'text/plain; charset=utf-8',
};

interface Built {
  version: string;
  body: Buffer;
  gzipped: Buffer;
  etag: string;
}

/**
 * `GET /inkling.js`: the built browser SDK (dist/inkling.js), cached for 5 minutes and
 * revalidated by ETag (304 on If-None-Match), gzipped when the client accepts it; a 503
 * telling to run `npm run build` while it is missing.
 *
 * `GET /examples/...`: the example marketing site. Its pages carry the CONTRACT snippet
 * with `{{COLLECTOR}}` replaced by the configured public URL (`INKLING_PUBLIC_URL`) and `{{WRITE_KEY}}` by the write
 * key: `?key=pk_...` (remembered in a cookie for the next pages), else the oldest site's
 * (the demo site that `npm start` creates).
 */
export function staticRoutes(db: Database, options: StaticOptions = {}): Hono {
  const dist = options.distDir ?? fileURLToPath(new URL('../../dist/', import.meta.url));
  const examples = normalize(options.examplesDir ?? fileURLToPath(new URL('../../examples/', import.meta.url)));
  const publicUrl = options.publicUrl ?? DEFAULT_PUBLIC_URL;
  const app = new Hono();
  let built: Built | undefined;

  app.get('/inkling.js', async (c) => {
    const file = join(dist, 'inkling.js');
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) {
      return c.json(
        {
          error: {
            code: 'sdk_not_built',
            message: 'dist/inkling.js is missing: run `npm run build` (npm start does).',
          },
        },
        503,
      );
    }
    // Rebuilt while the collector runs: the next request serves the new file.
    const version = `${info.mtimeMs}:${info.size}`;
    if (built?.version !== version) {
      const body = await readFile(file);
      const hash = createHash('sha256').update(body).digest('base64url').slice(0, 22);
      built = { version, body, gzipped: gzipSync(body, { level: 9 }), etag: `W/"${hash}"` };
    }
    c.header('ETag', built.etag);
    c.header('Cache-Control', 'public, max-age=300, stale-while-revalidate=86400');
    c.header('Vary', 'Accept-Encoding');
    // Sites that isolate themselves (COEP) may still load it.
    c.header('Cross-Origin-Resource-Policy', 'cross-origin');
    if (matches(c.req.header('if-none-match'), built.etag)) return c.body(null, 304);
    c.header('Content-Type', 'text/javascript; charset=utf-8');
    if (/\bgzip\b/.test(c.req.header('accept-encoding') ?? '')) {
      c.header('Content-Encoding', 'gzip');
      return c.body(new Uint8Array(built.gzipped));
    }
    return c.body(new Uint8Array(built.body));
  });

  app.get('/examples', (c) => c.redirect('/examples/', 301));
  app.get('/examples/*', async (c) => {
    let rel: string;
    try {
      rel = decodeURIComponent(c.req.path.slice('/examples/'.length));
    } catch {
      return notFound(c);
    }
    if (rel === '' || rel.endsWith('/')) rel += 'index.html';
    const file = normalize(join(examples, rel));
    // No way out of the folder (../, encoded or not), and no dot-files.
    if (!file.startsWith(examples.endsWith(sep) ? examples : examples + sep) || /(^|[\\/])\./.test(rel)) {
      return notFound(c);
    }
    const type = TYPES[extname(file)];
    const body = type ? await readFile(file).catch(() => undefined) : undefined;
    if (!body || !type) return notFound(c);
    if (type.startsWith('text/html')) return page(c, db, body.toString('utf8'), publicUrl);
    c.header('Content-Type', type);
    c.header('Cache-Control', 'no-cache');
    return c.body(new Uint8Array(body));
  });

  return app;
}

async function page(c: Context, db: Database, html: string, publicUrl: string) {
  const fromQuery = c.req.query('key');
  const fromCookie = /(?:^|;\s*)inkling_example_key=([^;]+)/.exec(c.req.header('cookie') ?? '')?.[1];
  let key = [fromQuery, fromCookie].find((k) => k && /^pk_[\w-]{1,100}$/.test(k));
  if (key && key === fromQuery) c.header('Set-Cookie', `${KEY_COOKIE}=${key}; Path=/examples; SameSite=Lax`);
  key ??= (await listSites(db))[0]?.writeKey;
  if (!key) {
    return c.json(
      {
        error: {
          code: 'no_site',
          message: 'No site yet: create one with `npm run inkling -- site create`, or open /examples/?key=pk_...',
        },
      },
      503,
    );
  }
  c.header('Cache-Control', 'no-store');
  return c.html(html.replaceAll('{{WRITE_KEY}}', key).replaceAll('{{COLLECTOR}}', publicUrl));
}

/** Weak comparison of an If-None-Match list (or `*`) with our ETag. */
function matches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const bare = etag.replace(/^W\//, '');
  return header.split(',').some((t) => {
    const tag = t.trim();
    return tag === '*' || tag.replace(/^W\//, '') === bare;
  });
}

function notFound(c: Context) {
  return c.json({ error: { code: 'not_found', message: `No file ${c.req.path}.` } }, 404);
}
