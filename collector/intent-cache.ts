import { type Intent, NEUTRAL_INTENT } from '../shared/intent.ts';
import type { ScoreChange } from './changes/change.ts';
import type { ChangeFeed } from './changes/feed.ts';
import type { Database } from './db/client.ts';
import { lookupIntent, type ModelSource } from './intent-lookup.ts';

/** What a lookup answers: the stored intent, or the neutral shape for an unknown id. */
export type IntentSource = (siteId: string, anonymousId: string) => Promise<Intent>;

/**
 * Tier lookups from memory. A visitor's intent is read from the database once
 * (`intent-lookup.ts`) and kept until a score it depends on changes: it subscribes to the
 * change feed (`changes/feed.ts`), which hears every process's changes when PostgreSQL
 * delivers their NOTIFY, and this process's own right after each commit, before the
 * request that made them is answered, so the next lookup here sees the new tier. An unknown id's neutral answer is cached too, until that id is linked to a
 * person or its person gets a first score (both announced as `anonymous` changes). An
 * unverified device's own score depends on its person (rescored with each of its events) and
 * on its id (its link verified or dropped), and is kept only until its next decay step.
 *
 * Why it stays exact: a lookup stores what it read only if no eviction happened while it
 * was reading (a generation counter); while the feed is not listening nothing is cached, and
 * whenever notices may have been missed (a reconnect) the cache is emptied.
 */
export interface IntentCache {
  get: IntentSource;
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
  changes: ChangeFeed,
  models: ModelSource,
  maxEntries = MAX_CACHED_INTENTS,
): IntentCache {
  const entries = new Map<string, Entry>();
  /** site+person and site+account -> keys of the entries that depend on them. */
  const dependents = new Map<string, Set<string>>();
  let generation = 0;
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

  const unsubscribe = changes.subscribe({ changed: evict, missed: clear });

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
      if (changes.listening && !closed && before === generation && !entries.has(key)) {
        const deps = found ? [`p:${found.personId}`] : [`n:${anonymousId}`];
        if (found?.accountId) deps.push(`a:${found.accountId}`);
        if (found?.device) deps.push(`n:${anonymousId}`);
        entries.set(key, { intent: found?.intent ?? NEUTRAL_INTENT, deps, until: found?.until ?? Infinity });
        for (const dep of deps) link(k(siteId, dep), key);
        if (entries.size > maxEntries) drop(entries.keys().next().value as string);
      }
      return found?.intent ?? NEUTRAL_INTENT;
    },
    stats: () => ({ entries: entries.size, hits, misses, listening: changes.listening }),
    async close() {
      closed = true;
      unsubscribe();
      clear();
    },
  };
}
