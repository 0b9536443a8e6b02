import { randomBytes, randomUUID } from 'node:crypto';
import { parseDuration } from '../../shared/rules/duration.ts';
import type { RuleDefinition, RuleSubject } from '../../shared/rules/types.ts';
import type { Database, Queryable } from '../db/client.ts';

/** A stored rule. */
export interface StoredRule {
  id: string;
  name: string;
  subject: RuleSubject;
  definition: RuleDefinition;
  secret: string;
  enabled: boolean;
  disabledReason: string | null;
  createdAt: Date;
  updatedAt: Date;
}

interface RuleRow {
  id: string;
  name: string;
  subject: RuleSubject;
  definition: RuleDefinition;
  secret: string;
  enabled: boolean;
  disabled_reason: string | null;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'id, name, subject, definition, secret, enabled, disabled_reason, created_at, updated_at';

const toRule = (r: RuleRow): StoredRule => ({
  id: r.id,
  name: r.name,
  subject: r.subject,
  definition: r.definition,
  secret: r.secret,
  enabled: r.enabled,
  disabledReason: r.disabled_reason,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** A Standard Webhooks signing secret: `whsec_` and 32 random bytes in base64. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** The definition as stored: the body without `enabled`, which has its own column. */
function stored(def: RuleDefinition): RuleDefinition {
  const { enabled: _enabled, ...rest } = def;
  return rest;
}

/**
 * The enabled rules of a site, cached per database object for `RULE_CACHE_MS`: a write
 * through this module empties the site's entry at once (this process), other processes see
 * it when the entry expires, within that time.
 */
export const RULE_CACHE_MS = 2000;
const caches = new WeakMap<Database, Map<string, { rules: StoredRule[]; until: number }>>();

function cacheOf(db: Database) {
  let cache = caches.get(db);
  if (!cache) {
    cache = new Map();
    caches.set(db, cache);
  }
  return cache;
}

/** Forgets the cached rules of `siteId` in this process (after a write, or a rule turned off). */
export function forgetRules(db: Database, siteId: string): void {
  cacheOf(db).delete(siteId);
}

/** The site's enabled rules (cached, see `RULE_CACHE_MS`), read through `q` on a miss. */
export async function enabledRules(q: Queryable, siteId: string): Promise<StoredRule[]> {
  const cache = cacheOf(q.database);
  const hit = cache.get(siteId);
  if (hit && hit.until > Date.now()) return hit.rules;
  const rows = await q.query<RuleRow>(
    `select ${COLUMNS} from rules where site_id = $1 and enabled order by created_at, id`,
    [siteId],
  );
  const rules = rows.map(toRule);
  cache.set(siteId, { rules, until: Date.now() + RULE_CACHE_MS });
  return rules;
}

export async function listRules(db: Database, siteId: string): Promise<StoredRule[]> {
  const rows = await db.query<RuleRow>(`select ${COLUMNS} from rules where site_id = $1 order by created_at, id`, [
    siteId,
  ]);
  return rows.map(toRule);
}

export async function findRule(db: Database, siteId: string, id: string): Promise<StoredRule | undefined> {
  const [row] = await db.query<RuleRow>(`select ${COLUMNS} from rules where site_id = $1 and id = $2`, [siteId, id]);
  return row && toRule(row);
}

export async function insertRule(db: Database, siteId: string, def: RuleDefinition): Promise<StoredRule> {
  const [row] = await db.query<RuleRow>(
    `insert into rules (site_id, id, name, subject, definition, secret, enabled)
     values ($1, $2, $3, $4, $5::jsonb, $6, $7) returning ${COLUMNS}`,
    [
      siteId,
      `rule_${randomUUID()}`,
      def.name,
      def.subject,
      JSON.stringify(stored(def)),
      newWebhookSecret(),
      def.enabled ?? true,
    ],
  );
  forgetRules(db, siteId);
  return toRule(row!);
}

/**
 * Replaces the rule's definition (its id, secret and firings stay). Turning it on clears the
 * reason it was turned off. The round-robin position restarts when the list changes. A cap
 * added or changed counts the rule's recorded firings again (`recountCaps`).
 */
export async function updateRule(
  db: Database,
  siteId: string,
  id: string,
  def: RuleDefinition,
): Promise<StoredRule | undefined> {
  const row = await db.transaction(async (tx) => {
    const [updated] = await tx.query<RuleRow & { cap_changed: boolean }>(
      `with old as (
         select definition->'cap' as cap from rules where site_id = $1 and id = $2 for update
       )
       update rules set name = $3, subject = $4, definition = $5::jsonb, enabled = $6,
         disabled_reason = case when $6 then null else disabled_reason end,
         round_robin_next = case when definition->'route'->'roundRobin' is distinct from $5::jsonb->'route'->'roundRobin'
           then 0 else round_robin_next end,
         updated_at = now()
       from old
       where site_id = $1 and id = $2
       returning ${COLUMNS}, old.cap is distinct from $5::jsonb->'cap' as cap_changed`,
      [siteId, id, def.name, def.subject, JSON.stringify(stored(def)), def.enabled ?? true],
    );
    if (updated?.cap_changed && def.cap) await recountCaps(tx, siteId, id, def.cap, Date.now());
    return updated;
  });
  forgetRules(db, siteId);
  return row && toRule(row);
}

/**
 * Sets what the rule's caps read of each subject (`rule_subjects.fired_count` and
 * `recent_firings`) from its recorded firings. Ingest keeps those counts only for a rule
 * with a cap (record-firings.ts): 18 of the 20 rules of the rules benchmark have none, and
 * each firing's count was a write of its own. So a rule that gets a cap, or a different
 * one, counts its firings here once, in the transaction of the change: fired and held-out
 * ones in all, and those the new window still sees.
 */
async function recountCaps(
  tx: Queryable,
  siteId: string,
  ruleId: string,
  cap: NonNullable<RuleDefinition['cap']>,
  now: number,
): Promise<void> {
  const window = cap.within ? parseDuration(cap.within) : null;
  await tx.query(
    `insert into rule_subjects (site_id, rule_id, subject_id, fired_count, recent_firings, updated_at)
     select $1, $2, subject_id, count(*),
         coalesce(jsonb_agg(floor(extract(epoch from fired_at) * 1000)::bigint order by fired_at)
           filter (where fired_at > $3::timestamptz), '[]'::jsonb),
         $4::timestamptz
       from firings
      where site_id = $1 and rule_id = $2 and outcome in ('fired', 'held_out')
      group by subject_id
     on conflict (site_id, rule_id, subject_id) do update set fired_count = excluded.fired_count,
       recent_firings = excluded.recent_firings, updated_at = excluded.updated_at`,
    [
      siteId,
      ruleId,
      // Without a window no recent firings are kept (caps.ts recordFiring): none is after "infinity".
      window === null ? 'infinity' : new Date(now - window).toISOString(),
      new Date(now).toISOString(),
    ],
  );
}

/**
 * Deletes the rule, what it knew of its subjects and its undelivered messages (nothing goes
 * out in the name of a rule that is gone); its recorded firings stay. Answers whether it existed.
 */
export async function deleteRule(db: Database, siteId: string, id: string): Promise<boolean> {
  const deleted = await db.transaction(async (tx) => {
    const rows = await tx.query('delete from rules where site_id = $1 and id = $2 returning id', [siteId, id]);
    if (rows.length === 0) return false;
    await tx.query('delete from rule_subjects where site_id = $1 and rule_id = $2', [siteId, id]);
    await tx.query(`delete from deliveries where site_id = $1 and rule_id = $2 and status = 'pending'`, [siteId, id]);
    return true;
  });
  forgetRules(db, siteId);
  return deleted;
}
