import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from '../db/client.ts';
import type { DashboardUser } from './users.ts';

/** How long a sign-in lasts. @default 14 days */
export const SESSION_DAYS = 14;

export interface Session {
  siteId: string;
  /** SHA-256 (hex) of the cookie's token. */
  id: string;
  csrfToken: string;
  expiresAt: Date;
  user: DashboardUser;
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * Starts a session: answers the cookie value `<site id>.<token>` (32 random bytes). Only the
 * token's hash is stored, so a copy of the table signs no one in. Expired sessions of the
 * same user are removed on the way.
 */
export async function createSession(q: Queryable, user: DashboardUser, now = new Date()): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  const expires = new Date(now.getTime() + SESSION_DAYS * 86_400_000);
  await q.query(
    `with gone as (delete from dashboard_sessions where site_id = $1 and user_id = $3 and expires_at <= $5)
     insert into dashboard_sessions (site_id, id, user_id, csrf_token, created_at, expires_at)
     values ($1, $2, $3, $4, $5, $6)`,
    [user.siteId, hashToken(token), user.id, randomBytes(24).toString('base64url'), now, expires],
  );
  return `${user.siteId}.${token}`;
}

function parseCookie(value: string | undefined): { siteId: string; token: string } | undefined {
  const m = value ? /^(site_[0-9A-Za-z]{1,40})\.([\w-]{43})$/.exec(value) : null;
  return m ? { siteId: m[1] as string, token: m[2] as string } : undefined;
}

/** The live session of a cookie value, with its user; undefined when unknown or expired. */
export async function findSession(
  q: Queryable,
  cookie: string | undefined,
  now = new Date(),
): Promise<Session | undefined> {
  const parsed = parseCookie(cookie);
  if (!parsed) return undefined;
  const [row] = await q.query<{
    id: string;
    csrf_token: string;
    expires_at: Date;
    user_id: string;
    email: string;
    name: string;
    role: 'admin' | 'rep';
    slack_member_id: string | null;
  }>(
    `select s.id, s.csrf_token, s.expires_at, u.id as user_id, u.email, u.name, u.role, u.slack_member_id
     from dashboard_sessions s
     join dashboard_users u on u.site_id = s.site_id and u.id = s.user_id
     where s.site_id = $1 and s.id = $2 and s.expires_at > $3`,
    [parsed.siteId, hashToken(parsed.token), now],
  );
  if (!row) return undefined;
  return {
    siteId: parsed.siteId,
    id: row.id,
    csrfToken: row.csrf_token,
    expiresAt: row.expires_at,
    user: {
      id: row.user_id,
      siteId: parsed.siteId,
      email: row.email,
      name: row.name,
      role: row.role,
      slackMemberId: row.slack_member_id,
    },
  };
}

/** Ends a session (sign-out). */
export async function deleteSession(q: Queryable, siteId: string, id: string): Promise<void> {
  await q.query('delete from dashboard_sessions where site_id = $1 and id = $2', [siteId, id]);
}
