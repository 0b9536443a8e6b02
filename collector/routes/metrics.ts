import { Hono, type MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { Metrics } from '../metrics.ts';

/**
 * `GET /metrics`: the Prometheus text format. Unauthenticated, as Prometheus scrapes by
 * default: it holds counts, latencies and the process's memory, never a key, a site id or
 * any event data. Keep it off the public internet (README "Metrics").
 */
export function metricsRoutes(metrics: Metrics): Hono {
  const app = new Hono();
  app.get('/metrics', async (c) => {
    const text = await metrics.registry.metrics();
    return c.body(text, 200, { 'content-type': metrics.registry.contentType, 'cache-control': 'no-store' });
  });
  return app;
}

/** Observes every request's latency under its route pattern (`/v1/:route`), never its raw path. */
export function requestTimer(metrics: Metrics): MiddlewareHandler {
  return async function requestTimer(c, next) {
    const start = performance.now();
    try {
      await next();
    } finally {
      const pattern = routePath(c, c.req.routeIndex);
      const route = pattern === '' || pattern === '*' || pattern === '/*' ? 'unmatched' : pattern;
      metrics.latency.observe(
        { method: c.req.method, route, status: String(c.res.status) },
        (performance.now() - start) / 1000,
      );
    }
  };
}
