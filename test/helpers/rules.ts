import type { Collector } from '../../collector/app.ts';
import type { Database } from '../../collector/db/client.ts';
import type { CreatedSite } from '../../collector/sites.ts';
import type { WebhookPayload } from '../../shared/rules/types.ts';

export interface FiringRow {
  id: string;
  rule_id: string;
  subject_kind: string;
  subject_id: string;
  change_key: string;
  outcome: string;
  recipient: string | null;
  payload: WebhookPayload;
}

/** Talks to the rules API of a collector as the site's sales team does (secret key). */
export function rulesClient(collector: Collector, site: CreatedSite) {
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${site.secretKey}` };
  return {
    request(method: string, path: string, body?: unknown) {
      return collector.app.request(path, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    },
    /** Creates a rule (with a webhook action unless the body has actions) and answers it. */
    async create(body: Record<string, unknown>): Promise<{ id: string; secret: string } & Record<string, unknown>> {
      const res = await this.request('POST', '/v1/rules', {
        actions: [{ type: 'webhook', url: 'https://hooks.example/inkling' }],
        ...body,
      });
      if (res.status !== 201) throw new Error(`POST /v1/rules answered ${res.status}: ${await res.text()}`);
      return res.json();
    },
  };
}

/** The rule's recorded firings, oldest first. */
export function firingsOf(db: Database, siteId: string, ruleId: string): Promise<FiringRow[]> {
  return db.query<FiringRow>(
    `select id, rule_id, subject_kind, subject_id, change_key, outcome, recipient, payload from firings
      where site_id = $1 and rule_id = $2 order by fired_at, id`,
    [siteId, ruleId],
  );
}

/** The outbox rows of the rule. */
export function deliveriesOf(db: Database, siteId: string, ruleId: string) {
  return db.query<{ firing_id: string; webhook_id: string; kind: string; url: string; status: string }>(
    'select firing_id, webhook_id, kind, url, status from deliveries where site_id = $1 and rule_id = $2 order by id',
    [siteId, ruleId],
  );
}
