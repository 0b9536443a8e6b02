import { Hono } from 'hono';
import type { Database } from '../db/client.ts';
import { InklingError } from '../errors.ts';
import { findPerson } from '../identity/persons.ts';
import { erasePerson } from '../sales/erase.ts';
import type { ConfigStore } from '../scoring/config-store.ts';
import { type SecretKeyEnv, secretKeyAuth } from './secret-key.ts';

/**
 * `DELETE /v1/people/:id` (secret key; person id, user id or anonymous id): erases the
 * person, unlinks the tracked links sent to them, redacts their ids from other users'
 * events, deletes the accounts only they made and rescores the others, all in one
 * transaction. Answers `200 {"id", "erased": {...counts}, "kept": {"messageIds", "accounts"}}`.
 */
export function eraseRoutes(db: Database, configs: ConfigStore): Hono<SecretKeyEnv> {
  const app = new Hono<SecretKeyEnv>();
  app.delete('/v1/people/:id', secretKeyAuth(db), async (c) => {
    const siteId = c.var.site.id;
    const id = c.req.param('id');
    const person = id.length <= 256 ? await findPerson(db, siteId, id) : undefined;
    const erasure = person && (await erasePerson(db, siteId, person.id, await configs.model(siteId), Date.now()));
    // Also when a concurrent erasure or merge removed the person between the two reads.
    if (!person || !erasure) throw new InklingError(404, 'person_not_found', `No person ${id} on this site.`);
    return c.json({ id: person.id, erased: erasure.erased, kept: erasure.kept });
  });
  return app;
}
