import {
  type CompiledConfig,
  type CompiledRule,
  normalizeEventName,
  resolveModel,
  type ScoringModel,
  toSignal,
} from './compile.ts';
import { normalizePath } from './glob.ts';
import { classifyChatText } from './intent-type.ts';
import type { ScoringEvent, Signal } from './types.ts';

/**
 * What one event counts as under a model: its signal, category, level and points, or null
 * when it counts as nothing (no rule matches, a bot, or an identify/group/alias call).
 * Rules are tried in config order and the first match wins. Derived signals (3+ pages in a
 * session, ...) are not per event: see `deriveSignals`.
 * @example categorize({ ...event, type: 'page', path: '/pricing' }, defaultConfig)?.signal // 'pricing_page'
 */
export function categorize(event: ScoringEvent, model: ScoringModel): Signal | null {
  const compiled = resolveModel(model);
  if (event.isBot) return null;
  const rule = matchRule(event, compiled);
  if (!rule) return null;
  const def = compiled.signals.get(rule.signal);
  if (!def) return null;
  const intent = def.intentFromText ? (classifyChatText(event.properties.text, compiled) ?? def.intent) : def.intent;
  return toSignal(compiled, def, intent);
}

function matchRule(event: ScoringEvent, model: CompiledConfig): CompiledRule | undefined {
  const properties = event.properties ?? {};
  if (event.type === 'track') {
    if (!event.event) return undefined;
    const rules = model.trackRules.get(normalizeEventName(event.event));
    return rules?.find((rule) => rule.where.every((test) => test(properties)));
  }
  if (event.type === 'page') {
    const path = pagePath(event);
    if (path === null) return undefined;
    return pathRules(path, model).find((rule) => rule.where.every((test) => test(properties)));
  }
  return undefined;
}

const MAX_CACHED_PATHS = 20_000;

/**
 * The page rules whose globs match a path, memoized per compiled config: a site has few
 * distinct paths and many views of each, so most page views skip the expressions. Bounded:
 * the memo starts afresh when full. A pure cache, it never changes an answer.
 */
function pathRules(path: string, model: CompiledConfig): readonly CompiledRule[] {
  const cache = model.pathCache;
  let rules = cache.get(path);
  if (!rules) {
    rules = model.pageRules.filter((rule) => rule.paths?.test(path));
    if (cache.size >= MAX_CACHED_PATHS) cache.clear();
    cache.set(path, rules);
  }
  return rules;
}

/** The page's normalized path: `path`, else the path of `url`, else `properties.path` / `properties.url`. */
export function pagePath(event: ScoringEvent): string | null {
  const candidates = [event.path, event.url, event.properties?.path, event.properties?.url];
  for (const candidate of candidates) {
    if (typeof candidate === 'string' && candidate !== '') return normalizePath(candidate);
  }
  return null;
}
