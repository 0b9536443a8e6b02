import { Hono } from 'hono';
import type { Database } from '../db/client.ts';
import { InklingError } from '../errors.ts';
import { findPerson } from '../identity/persons.ts';
import { erasePerson } from '../sales/erase.ts';
import type { ConfigStore } from '../scoring/config-store.ts';
import type { ScoreChange } from '../scoring/notify.ts';
import { rescoreAccounts } from '../scoring/persist.ts';
import { type SecretKeyEnv, secretKeyAuth } from './secret-key.ts';

/**
 * `DELETE /v1/people/:id` (secret key; person id, user id or anonymous id): erases the
 * person and answers `200 {"erased": {"events", "identities", "scores", "history"}}`;
 * then their account is rescored without them.
 */
export function eraseRoutes(
  db: Database,
  configs: ConfigStore,
  onChanged?: (change: ScoreChange) => void,
): Hono<SecretKeyEnv> {
  const app = new Hono<SecretKeyEnv>();
  app.delete('/v1/people/:id', secretKeyAuth(db), async (c) => {
    const siteId = c.var.site.id;
    const id = c.req.param('id');
    const person = id.length <= 256 ? await findPerson(db, siteId, id) : undefined;
    if (!person) throw new InklingError(404, 'person_not_found', `No person ${id} on this site.`);
    const erased = await erasePerson(db, siteId, person);
    onChanged?.({ site: siteId, kind: 'person', ids: [person.id] });
    if (person.account_id) {
      await rescoreAccounts(db, siteId, [person.account_id], await configs.model(siteId), Date.now());
      onChanged?.({ site: siteId, kind: 'account', ids: [person.account_id] });
    }
    return c.json({ id: person.id, erased });
  });
  return app;
}
