import { Hono } from 'hono';
import { isPrivateHost } from '../../shared/rules/private-host.ts';
import type { RuleDefinition } from '../../shared/rules/types.ts';
import { deleteRule, findRule, insertRule, listRules, type StoredRule, updateRule } from '../alerts/rules-store.ts';
import type { Database } from '../db/client.ts';
import { InklingError } from '../errors.ts';
import { describeIssue } from '../ingest/schema.ts';
import type { ConfigStore } from '../scoring/config-store.ts';
import { jsonBody } from './json-body.ts';
import { ruleInputSchema } from './rule-schema.ts';
import { type SecretKeyEnv, secretKeyAuth } from './secret-key.ts';

function toAnswer(rule: StoredRule) {
  return {
    ...rule.definition,
    id: rule.id,
    name: rule.name,
    subject: rule.subject,
    enabled: rule.enabled,
    disabledReason: rule.disabledReason,
    secret: rule.secret,
    createdAt: rule.createdAt.toISOString(),
    updatedAt: rule.updatedAt.toISOString(),
  };
}

/**
 * `GET/POST /v1/rules`, `GET/PUT/DELETE /v1/rules/:id` (secret key): alerts and triggers.
 * A rule naming a signal the site's scoring model does not define is refused, and with
 * `denyPrivate` (INKLING_WEBHOOK_DENY_PRIVATE) one whose action URL names a private host.
 */
export function ruleRoutes(
  db: Database,
  configs: ConfigStore,
  options: { denyPrivate?: boolean } = {},
): Hono<SecretKeyEnv> {
  const app = new Hono<SecretKeyEnv>();
  const auth = secretKeyAuth(db);

  const parse = async (siteId: string, body: unknown): Promise<RuleDefinition> => {
    const parsed = ruleInputSchema.safeParse(body);
    if (!parsed.success) throw new InklingError(400, 'invalid_body', describeIssue(parsed.error));
    const def = parsed.data;
    const signal = def.when.type === 'signal' || def.when.type === 'behavior' ? def.when.signal : undefined;
    if (signal !== undefined && !(await configs.model(siteId)).signals.has(signal)) {
      throw new InklingError(400, 'unknown_signal', `when.signal: the site's scoring model has no signal "${signal}".`);
    }
    if (options.denyPrivate) {
      def.actions.forEach((a, i) => {
        if (isPrivateHost(new URL(a.url).hostname)) {
          throw new InklingError(
            400,
            'invalid_body',
            `actions[${i}].url: names a loopback or private host, refused on this collector (INKLING_WEBHOOK_DENY_PRIVATE).`,
          );
        }
      });
    }
    return def;
  };
  const notFound = () => new InklingError(404, 'not_found', 'No such rule on this site.');

  app.get('/v1/rules', auth, async (c) => {
    const rules = await listRules(db, c.var.site.id);
    return c.json({ rules: rules.map(toAnswer) });
  });

  app.post('/v1/rules', auth, async (c) => {
    const def = await parse(c.var.site.id, await jsonBody(c));
    return c.json(toAnswer(await insertRule(db, c.var.site.id, def)), 201);
  });

  app.get('/v1/rules/:id', auth, async (c) => {
    const rule = await findRule(db, c.var.site.id, c.req.param('id'));
    if (!rule) throw notFound();
    return c.json(toAnswer(rule));
  });

  app.put('/v1/rules/:id', auth, async (c) => {
    const def = await parse(c.var.site.id, await jsonBody(c));
    const rule = await updateRule(db, c.var.site.id, c.req.param('id'), def);
    if (!rule) throw notFound();
    return c.json(toAnswer(rule));
  });

  app.delete('/v1/rules/:id', auth, async (c) => {
    if (!(await deleteRule(db, c.var.site.id, c.req.param('id')))) throw notFound();
    return c.json({ deleted: true });
  });

  return app;
}
