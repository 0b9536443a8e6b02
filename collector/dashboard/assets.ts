import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Hono } from 'hono';
import type { DashboardEnv } from './context.ts';

/**
 * The dashboard's scripts and styles, served by the collector (no CDN): its own CSS and JS
 * from `collector/dashboard/static/`, uPlot's from `node_modules/uplot/dist/`. Read once,
 * revalidated by ETag.
 */
const ASSETS: Record<string, { file: URL; type: string }> = {
  'dashboard.css': { file: new URL('./static/dashboard.css', import.meta.url), type: 'text/css; charset=utf-8' },
  'dashboard.js': { file: new URL('./static/dashboard.js', import.meta.url), type: 'text/javascript; charset=utf-8' },
  'icon.svg': { file: new URL('./static/icon.svg', import.meta.url), type: 'image/svg+xml' },
  'uplot.iife.min.js': {
    file: new URL('../../node_modules/uplot/dist/uPlot.iife.min.js', import.meta.url),
    type: 'text/javascript; charset=utf-8',
  },
  'uplot.min.css': {
    file: new URL('../../node_modules/uplot/dist/uPlot.min.css', import.meta.url),
    type: 'text/css; charset=utf-8',
  },
};

export function registerAssets(app: Hono<DashboardEnv>): void {
  const loaded = new Map<string, Promise<{ body: Buffer; etag: string }>>();
  const load = (name: string, file: URL) => {
    let hit = loaded.get(name);
    if (!hit) {
      hit = readFile(fileURLToPath(file)).then((body) => ({
        body,
        etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
      }));
      hit.catch(() => loaded.delete(name));
      loaded.set(name, hit);
    }
    return hit;
  };
  app.get('/dashboard/assets/:name', async (c) => {
    const name = c.req.param('name');
    const asset = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
    if (!asset) return c.json({ error: { code: 'not_found', message: `No file ${c.req.path}.` } }, 404);
    const { body, etag } = await load(name, asset.file);
    c.header('ETag', etag);
    c.header('Cache-Control', 'no-cache');
    if (c.req.header('if-none-match') === etag) return c.body(null, 304);
    c.header('Content-Type', asset.type);
    return c.body(new Uint8Array(body));
  });
}
