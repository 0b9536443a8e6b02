import { ROUTES } from '../../collector/ingest/paths.ts';
import { defaultConfig } from '../../shared/scoring/index.ts';

/** The routes the property-based tests (`test/fuzz.test.ts`) call, read from /openapi.json, and their valid inputs. */

export type Auth = 'write' | 'secret' | 'admin' | 'none';

export interface Operation {
  method: string;
  path: string;
  query: string[];
  auth: Auth;
}

/** Every (method, path) of the document, with its query parameters and the key it wants. */
export function operationsOf(doc: {
  paths: Record<
    string,
    Record<string, { security?: Record<string, unknown>[]; parameters?: { name: string; in: string }[] }>
  >;
}): Operation[] {
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => {
      const scheme = Object.keys(op.security?.[0] ?? {})[0] ?? '';
      const auth: Auth = scheme.startsWith('writeKey')
        ? 'write'
        : scheme === 'secretKey'
          ? 'secret'
          : scheme === 'adminToken'
            ? 'admin'
            : 'none';
      const query = (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
      return { method: method.toUpperCase(), path, query, auth };
    }),
  );
}

/** A person and an account the site has (seeded before the run), so ids also reach the queries behind them. */
export const KNOWN_IDS = ['fz-known', encodeURIComponent('ann@fz-acme.com'), 'fz-acme.com'];

/** Values a route accepts, so that generated requests also reach the database with the rest. */
export const PLAUSIBLE: Record<string, string[]> = {
  limit: ['1', '2', '500'],
  tier: ['high', 'medium', 'low'],
  list: ['rising', 'cooling'],
  sort: ['score', '-score'],
  what: ['scores', 'signals'],
  format: ['csv', 'ndjson'],
  from: ['2026-01-01', '0001-01-01T00:00:00Z', '1970-01-01'],
  to: ['2100-01-01', '9999-12-31T23:59:59.999Z'],
  anonymousId: ['fz-ok', 'fz-sib'],
  goal: ['Demo Booked', 'Demo Requested'],
  days: ['1', '30', '3650'],
};

/** One message of each kind, valid: the ingest routes' bodies before one string is made hostile. */
const validMessage = (type: string) => ({
  type,
  messageId: `fz-mut-${type}`,
  anonymousId: 'fz-mut',
  userId: 'ann@fz-acme.com',
  previousId: 'fz-prev',
  groupId: 'fz-acme.com',
  event: 'Demo Requested',
  name: 'Home',
  properties: { path: '/pricing', title: 'Pricing', tags: ['a', 'b'] },
  traits: { email: 'ann@fz-acme.com', name: 'Ann', company: { name: 'Acme' } },
  context: { page: { url: 'https://fz-acme.com/pricing' }, userAgent: 'Mozilla/5.0' },
});

/** A valid body for each route that takes one, by `METHOD path`. */
export function validBody(op: Operation): unknown {
  if (op.method === 'PUT' && op.path === '/v1/config') return defaultConfig;
  if (op.method === 'PUT' && /^\/v1\/(accounts|people)\/\{id\}$/.test(op.path)) return { owner: 'ann@fz-acme.com' };
  if (op.method !== 'POST') return undefined;
  if (op.path === '/v1/links') return { url: 'https://fz-acme.com/pricing', recipient: 'ann@fz-acme.com' };
  if (op.path === '/v1/rules') {
    return {
      name: 'Fuzz rule',
      subject: 'account',
      when: { type: 'behavior', event: 'Demo Requested', where: { plan: 'enterprise' }, times: 2, days: 7 },
      actions: [{ type: 'webhook', url: 'https://fz-acme.com/hook' }],
      cap: { within: '24h', max: 1 },
      holdout: 0.1,
      stopWhen: { event: 'Demo Booked' },
      route: { to: 'owner', roundRobin: ['ann@fz-acme.com'], fallback: 'lead@fz-acme.com' },
    };
  }
  if (op.path === '/v1/admin/sites') return { name: 'Fuzz', origins: ['https://fz-acme.com'] };
  const kind = ROUTES[/^\/v1\/(\w+)$/.exec(op.path)?.[1] ?? ''];
  if (!kind) return undefined;
  return kind === 'batch' ? { batch: [validMessage('track'), validMessage('identify')] } : validMessage(kind);
}
