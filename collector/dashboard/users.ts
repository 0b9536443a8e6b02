import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { isStorableText } from '../../shared/text.ts';
import type { Queryable } from '../db/client.ts';
import { InklingError } from '../errors.ts';
import { hashPassword } from './passwords.ts';

export const ROLES = ['admin', 'rep'] as const;
export type Role = (typeof ROLES)[number];

/** A dashboard user as the API answers it (never the password hash). */
export interface DashboardUser {
  id: string;
  siteId: string;
  email: string;
  name: string;
  role: Role;
  slackMemberId: string | null;
}

const text = (max: number) =>
  z.string().trim().min(1).max(max).refine(isStorableText, 'must not contain NUL or lone surrogates');

/** `POST /v1/admin/sites/:siteId/users` and `user add`. */
export const userInputSchema = z.strictObject({
  email: z
    .string()
    .trim()
    .max(254)
    .pipe(z.email('must be an email address'))
    .transform((e) => e.toLowerCase()),
  name: text(100),
  role: z.enum(ROLES),
  password: z
    .string()
    .min(10, 'must be at least 10 characters')
    .max(200)
    .refine(isStorableText, 'must not contain NUL'),
  slackMemberId: z
    .string()
    .regex(/^[UW][A-Z0-9]{2,20}$/, 'must look like a Slack member id (U0123ABCD)')
    .nullable()
    .default(null),
});
export type UserInput = z.infer<typeof userInputSchema>;

interface UserRow {
  site_id: string;
  id: string;
  email: string;
  name: string;
  role: Role;
  slack_member_id: string | null;
  password_hash: string;
}

const COLUMNS = 'site_id, id, email, name, role, slack_member_id, password_hash';

function toUser(r: UserRow): DashboardUser {
  return { id: r.id, siteId: r.site_id, email: r.email, name: r.name, role: r.role, slackMemberId: r.slack_member_id };
}

/** Creates a user of a site; 409 when the site already has that email, 404 when the site is unknown. */
export async function createUser(q: Queryable, siteId: string, input: UserInput): Promise<DashboardUser> {
  const passwordHash = await hashPassword(input.password);
  const id = `usr_${randomBytes(9).toString('base64url')}`;
  const rows = await q.query<UserRow>(
    `insert into dashboard_users (site_id, id, email, name, role, slack_member_id, password_hash)
     select s.id, $2, $3, $4, $5, $6, $7 from sites s where s.id = $1
     on conflict (site_id, email) do nothing
     returning ${COLUMNS}`,
    [siteId, id, input.email, input.name, input.role, input.slackMemberId, passwordHash],
  );
  const row = rows[0];
  if (row) return toUser(row);
  const [site] = await q.query('select 1 from sites where id = $1', [siteId]);
  if (!site) throw new InklingError(404, 'not_found', 'No such site.');
  throw new InklingError(409, 'duplicate_email', `The site already has a user with the email ${input.email}.`);
}

/** The users with this email, across sites (or in one site), with their hashes: for sign-in only. */
export async function findUsersByEmail(
  q: Queryable,
  email: string,
  siteId?: string,
): Promise<(DashboardUser & { passwordHash: string })[]> {
  const rows = await q.query<UserRow>(
    `select ${COLUMNS} from dashboard_users where email = $1 and ($2::text is null or site_id = $2) limit 10`,
    [email.trim().toLowerCase(), siteId ?? null],
  );
  return rows.map((r) => ({ ...toUser(r), passwordHash: r.password_hash }));
}

export async function findUser(q: Queryable, siteId: string, id: string): Promise<DashboardUser | undefined> {
  const [row] = await q.query<UserRow>(`select ${COLUMNS} from dashboard_users where site_id = $1 and id = $2`, [
    siteId,
    id,
  ]);
  return row ? toUser(row) : undefined;
}
