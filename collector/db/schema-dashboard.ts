import { index, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * The people who sign in to the dashboard, per site (`POST /v1/admin/sites/:siteId/users`,
 * `npm run inkling -- user add`). `email` is stored lower-cased and unique per site; the
 * sign-in form finds it across sites through `dashboard_users_email_idx` (not unique: the
 * same address may be a user of two sites, and then the sign-in link names the site).
 * `password_hash` is scrypt's, with its salt and parameters (`collector/dashboard/passwords.ts`).
 */
export const dashboardUsers = pgTable(
  'dashboard_users',
  {
    siteId: text('site_id').notNull(),
    id: text('id').notNull(),
    email: text('email').notNull(),
    name: text('name').notNull(),
    /** `admin` or `rep`. */
    role: text('role').notNull(),
    /** For Slack direct messages from alert routing; null when unknown. */
    slackMemberId: text('slack_member_id'),
    passwordHash: text('password_hash').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.siteId, t.id] }),
    uniqueIndex('dashboard_users_site_email_idx').on(t.siteId, t.email),
    index('dashboard_users_email_idx').on(t.email),
  ],
);

/**
 * A signed-in browser. `id` is the SHA-256 (hex) of the cookie's random token, never the
 * token; `csrf_token` goes into every form of the session and is checked on each POST.
 * The cookie carries `<site id>.<token>`, so the row is found by its whole primary key.
 */
export const dashboardSessions = pgTable(
  'dashboard_sessions',
  {
    siteId: text('site_id').notNull(),
    id: text('id').notNull(),
    userId: text('user_id').notNull(),
    csrfToken: text('csrf_token').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
    expiresAt: ts('expires_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.id] }), index('dashboard_sessions_site_user_idx').on(t.siteId, t.userId)],
);
