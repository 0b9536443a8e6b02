import type { Context } from 'hono';
import { Hono } from 'hono';
import { z } from 'zod';
import { ownerSchema } from '../../shared/owner.ts';
import type { Database } from '../db/client.ts';
import { InklingError } from '../errors.ts';
import { findPerson } from '../identity/persons.ts';
import { describeIssue } from '../ingest/schema.ts';
import { findAccountDetail } from '../sales/lists.ts';
import { setAccountOwner, setPersonOwner } from '../sales/owners.ts';
import { describePerson } from '../sales/person-detail.ts';
import { accountDetailOf } from './accounts.ts';
import { jsonBody } from './json-body.ts';
import { type SecretKeyEnv, secretKeyAuth } from './secret-key.ts';

/**
 * The body of `PUT /v1/accounts/:id` and `PUT /v1/people/:id`: the owner's email, or null for
 * none. Any well-formed email, not only a dashboard user's: alerts route to reps by email, and
 * `owner` traits from a CRM name them the same way (README, "Owners").
 */
export const ownerBodySchema = z.strictObject({ owner: ownerSchema.nullable() });

/** Longest reference a lookup is tried for (the GET routes' bound). */
const MAX_REF = 256;

async function readOwner(c: Context): Promise<string | null> {
  const body = await jsonBody(c);
  const parsed = ownerBodySchema.safeParse(body);
  if (!parsed.success) throw new InklingError(400, 'invalid_body', describeIssue(parsed.error));
  return parsed.data.owner;
}

/**
 * `PUT /v1/accounts/:id` and `PUT /v1/people/:id` (secret key) set the owner alerts route to,
 * by any reference the GET routes take, and answer the updated account or person as GET does
 * (as a CRM's update answers the whole record). The next `owner` trait with a new value
 * overrides it (identity/accounts.ts `ownerTraitSql`).
 */
export function ownerRoutes(db: Database): Hono<SecretKeyEnv> {
  const app = new Hono<SecretKeyEnv>();
  const auth = secretKeyAuth(db);

  app.put('/v1/accounts/:id', auth, async (c) => {
    const owner = await readOwner(c);
    const ref = c.req.param('id');
    const siteId = c.var.site.id;
    const id = ref.length <= MAX_REF ? await setAccountOwner(db, siteId, ref, owner) : undefined;
    const row = id ? await findAccountDetail(db, siteId, id) : undefined;
    if (!row) throw new InklingError(404, 'account_not_found', `No account ${ref} on this site.`);
    return c.json(accountDetailOf(row));
  });

  app.put('/v1/people/:id', auth, async (c) => {
    const owner = await readOwner(c);
    const ref = c.req.param('id');
    const siteId = c.var.site.id;
    const id = ref.length <= MAX_REF ? await setPersonOwner(db, siteId, ref, owner) : undefined;
    const person = id ? await findPerson(db, siteId, id) : undefined;
    if (!person) throw new InklingError(404, 'person_not_found', `No person ${ref} on this site.`);
    return c.json(await describePerson(db, siteId, person));
  });

  return app;
}
