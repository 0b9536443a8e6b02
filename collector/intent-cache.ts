import type { Database } from './db/client.ts';
import type { Logger } from './log.ts';
import { type Intent, type IntentSource, lookupIntent, type ModelSource, NEUTRAL_INTENT } from './routes/intent.ts';
import { INTENT_CHANNEL, type ScoreChange } from './scoring/notify.ts';

/**
 * Tier lookups from memory. A visitor's intent is read from the database once and kept
 * until a score it depends on changes: every change of a person's or an account's score
 * (and every merge or erasure) is announced with NOTIFY from the transaction that makes it,
 * and each collector process evicts the entries of those persons and accounts when
 * PostgreSQL delivers the notice, after the commit. The process that made the change also
 * evicts at once (`evict`), before it answers the ingest request, so the next lookup sees
 * the new tier. An unknown id's neutral answer is cached too, until that id is linked to a
 * person or its person gets a first score (both announced as `anonymous` changes). An
 * unverified device's own score depends on its person (rescored with each of its events) and
 * on its id (its link verified or dropped), and is kept only until its next decay step.
 *
 * Why it stays exact: a lookup stores what it read only if no eviction happened while it
 * was reading (a generation counter); while the listening connection is down nothing is
 * cached, and on (re)connect the cache is emptied, since notices sent meanwhile are lost.
 */
export interface IntentCache {
  get: IntentSource;
  /** Evicts the entries of these subjects now (the changes this process just committed). */
  evict(change: ScoreChange): void;
  stats(): { entries: number; hits: number; misses: number; listening: boolean };
  close(): Promise<void>;
}

interface Entry {
  intent: Intent;
  /** Dependency keys (`p:person`, `a:account`, `n:anonymousId`, without the site) that evict it. */
  deps: string[];
  /** Epoch ms after which it is stale (a device's own score decays); Infinity = until evicted. */
  until: number;
}

/** Entries kept, least recently used first out (about 300 bytes each). */
export const MAX_CACHED_INTENTS = 100_000;

const k = (a: string, b: string) => `${a}\u0001${b}`;

export function createIntentCache(
  db: Database,
  log: Logger,
  models: ModelSource,
  maxEntries = MAX_CACHED_INTENTS,
): IntentCache {
  const entries = new Map<string, Entry>();
  /** site+person and site+account -> keys of the entries that depend on them. */
  const dependents = new Map<string, Set<string>>();
  let generation = 0;
  let listening = false;
  let closed = false;
  let hits = 0;
  let misses = 0;

  const link = (dep: string, key: string) => {
    const set = dependents.get(dep);
    if (set) set.add(key);
    else dependents.set(dep, new Set([key]));
  };
  const unlink = (dep: string, key: string) => {
    const set = dependents.get(dep);
    if (!set) return;
    set.delete(key);
    if (set.size === 0) dependents.delete(dep);
  };
  const drop = (key: string) => {
    const e = entries.get(key);
    if (!e) return;
    entries.delete(key);
    const site = key.slice(0, key.indexOf('\u0001'));
    for (const dep of e.deps) unlink(k(site, dep), key);
  };
  const clear = () => {
    generation++;
    entries.clear();
    dependents.clear();
  };
  const evict = (change: ScoreChange) => {
    generation++;
    const prefix = change.kind === 'person' ? 'p:' : change.kind === 'account' ? 'a:' : 'n:';
    for (const id of change.ids) {
      const keys = dependents.get(k(change.site, prefix + id));
      if (keys) for (const key of [...keys]) drop(key);
    }
  };

  const stop = db
    .listen(
      INTENT_CHANNEL,
      (payload) => {
        try {
          evict(JSON.parse(payload) as ScoreChange);
        } catch {
          clear();
        }
      },
      () => {
        clear();
        listening = true;
      },
      () => {
        listening = false;
        clear();
      },
    )
    .catch((err) => {
      log.error('intent cache: cannot listen for score changes; lookups go to the database', { err });
      return null;
    });

  return {
    async get(siteId, anonymousId) {
      const key = k(siteId, anonymousId);
      const hit = entries.get(key);
      if (hit && hit.until <= Date.now()) drop(key);
      else if (hit) {
        hits++;
        // Most recently used last.
        entries.delete(key);
        entries.set(key, hit);
        return hit.intent;
      }
      misses++;
      const before = generation;
      const found = await lookupIntent(db, siteId, anonymousId, models);
      if (listening && !closed && before === generation && !entries.has(key)) {
        const deps = found ? [`p:${found.personId}`] : [`n:${anonymousId}`];
        if (found?.accountId) deps.push(`a:${found.accountId}`);
        if (found?.device) deps.push(`n:${anonymousId}`);
        entries.set(key, { intent: found?.intent ?? NEUTRAL_INTENT, deps, until: found?.until ?? Infinity });
        for (const dep of deps) link(k(siteId, dep), key);
        if (entries.size > maxEntries) drop(entries.keys().next().value as string);
      }
      return found?.intent ?? NEUTRAL_INTENT;
    },
    evict,
    stats: () => ({ entries: entries.size, hits, misses, listening }),
    async close() {
      closed = true;
      listening = false;
      clear();
      const unlisten = await stop;
      await unlisten?.().catch(() => {});
    },
  };
}
