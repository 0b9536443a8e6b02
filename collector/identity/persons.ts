import { nanoid } from 'nanoid';
import { notifyChanged } from '../changes/notices.ts';
import type { Database, Queryable } from '../db/client.ts';

/** Most verified anonymous ids one person holds; links beyond it are refused and recorded. */
export const MAX_ANONYMOUS_IDS = 100;

/**
 * Most unverified anonymous ids (a browser's identify without a valid `user_hash`) one person
 * holds, apart from the verified ones: a newer one drops the oldest, never a verified one.
 */
export const MAX_UNVERIFIED_ANONYMOUS_IDS = 20;

export const newPersonId = () => `per_${nanoid(16)}`;

export interface PersonRow {
  id: string;
  user_id: string | null;
  email: string | null;
  traits: Record<string, unknown>;
  account_id: string | null;
  /** The rep the person's alerts route to (an email), set by `PUT /v1/people/:id` or the `owner` trait. */
  owner: string | null;
  /** When found by an anonymous id: whether that id's link is verified. */
  verified?: boolean;
}

const COLUMNS = 'id, user_id, email, traits, account_id, owner';

export async function findPersonByUserId(q: Queryable, siteId: string, userId: string): Promise<PersonRow | undefined> {
  const [row] = await q.query<PersonRow>(`select ${COLUMNS} from persons where site_id = $1 and user_id = $2`, [
    siteId,
    userId,
  ]);
  return row;
}

export async function findPersonByAnonymousId(
  q: Queryable,
  siteId: string,
  anonymousId: string,
): Promise<PersonRow | undefined> {
  const [row] = await q.query<PersonRow>(
    `select p.id, p.user_id, p.email, p.traits, p.account_id, p.owner, i.verified
       from identities i join persons p on p.site_id = i.site_id and p.id = i.person_id
      where i.site_id = $1 and i.anonymous_id = $2`,
    [siteId, anonymousId],
  );
  return row;
}

/** A person by person id, user id or any of their anonymous ids (in that order of preference). */
export async function findPerson(q: Queryable, siteId: string, id: string): Promise<PersonRow | undefined> {
  const [row] = await q.query<PersonRow>(
    `select ${COLUMNS} from persons
     where site_id = $1 and (id = $2 or user_id = $2
       or id = (select person_id from identities where site_id = $1 and anonymous_id = $2))
     order by (id = $2) desc, (user_id = $2) is true desc
     limit 1`,
    [siteId, id],
  );
  return row;
}

export async function listAnonymousIds(q: Queryable, siteId: string, personId: string): Promise<string[]> {
  const rows = await q.query<{ anonymous_id: string }>(
    'select anonymous_id from identities where site_id = $1 and person_id = $2 order by created_at, anonymous_id',
    [siteId, personId],
  );
  return rows.map((r) => r.anonymous_id);
}

/** How many anonymous ids the person holds (only the verified ones with `verifiedOnly`). */
export async function countAnonymousIds(
  q: Queryable,
  siteId: string,
  personId: string,
  verifiedOnly = false,
): Promise<number> {
  const [row] = await q.query<{ n: number }>(
    `select count(*)::int as n from identities where site_id = $1 and person_id = $2${verifiedOnly ? ' and verified' : ''}`,
    [siteId, personId],
  );
  return row?.n ?? 0;
}

export async function createPerson(
  q: Queryable,
  siteId: string,
  userId: string | null,
  anonymousId: string | null,
  verified = true,
): Promise<string> {
  const id = newPersonId();
  const email = userId?.includes('@') ? userId.toLowerCase() : null;
  await q.query('insert into persons (site_id, id, user_id, email) values ($1, $2, $3, $4)', [
    siteId,
    id,
    userId,
    email,
  ]);
  if (anonymousId) await addAnonymousId(q, siteId, anonymousId, id, verified);
  return id;
}

export async function addAnonymousId(
  q: Queryable,
  siteId: string,
  anonymousId: string,
  personId: string,
  verified = true,
) {
  await q.query('insert into identities (site_id, anonymous_id, person_id, verified) values ($1, $2, $3, $4)', [
    siteId,
    anonymousId,
    personId,
    verified,
  ]);
  await notifyChanged(q, siteId, 'anonymous', [anonymousId]);
}

export async function recordConflict(
  q: Queryable,
  siteId: string,
  c: { anonymousId: string | null; keptPersonId: string | null; refusedUserId: string | null; reason: string },
) {
  await q.query(
    'insert into identity_conflicts (site_id, anonymous_id, kept_person_id, refused_user_id, reason) values ($1, $2, $3, $4, $5)',
    [siteId, c.anonymousId?.slice(0, 256) ?? null, c.keptPersonId, c.refusedUserId?.slice(0, 256) ?? null, c.reason],
  );
}

/** A person's ids for the Sales API. */
export async function personIds(db: Database, siteId: string, person: PersonRow) {
  return { personId: person.id, userId: person.user_id, anonymousIds: await listAnonymousIds(db, siteId, person.id) };
}
