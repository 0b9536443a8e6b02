import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findCycles, folderGraph, type Layer, layerViolations, readImportGraph } from './helpers/import-graph.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * Imports run one way (ARCHITECTURE.md "Code map"): routes -> (services) -> pipeline ->
 * scoring -> identity -> changes -> db, everything over `base` and `shared`; the SDK over
 * `shared` alone. Each layer lists every layer below it that it may use.
 */
const below = (...names: string[]) => names;
const LAYERS: Layer[] = [
  { name: 'shared', paths: ['shared/'], uses: [] },
  { name: 'sdk', paths: ['sdk/'], uses: below('shared') },
  {
    name: 'base',
    paths: [
      'collector/errors.ts',
      'collector/log.ts',
      'collector/keys.ts',
      'collector/config.ts',
      'collector/periodic.ts',
      'collector/iso-date.ts',
    ],
    uses: below('shared'),
  },
  { name: 'db', paths: ['collector/db/'], uses: below('base', 'shared') },
  { name: 'changes', paths: ['collector/changes/'], uses: below('db', 'base', 'shared') },
  { name: 'identity', paths: ['collector/identity/'], uses: below('changes', 'db', 'base', 'shared') },
  { name: 'scoring', paths: ['collector/scoring/'], uses: below('identity', 'changes', 'db', 'base', 'shared') },
  {
    name: 'pipeline',
    paths: ['collector/pipeline/'],
    uses: below('scoring', 'identity', 'changes', 'db', 'base', 'shared'),
  },
  {
    // Alerts and triggers: rules evaluated on the change notices inside the scoring
    // transaction (registered by app.ts; scoring never imports them), the outbox, the dispatcher.
    name: 'alerts',
    paths: ['collector/alerts/'],
    uses: below('scoring', 'identity', 'changes', 'db', 'base', 'shared'),
  },
  {
    // What routes call besides the pipeline: the writer, the Sales API's queries, the caches.
    name: 'services',
    paths: [
      'collector/ingest/',
      'collector/sales/',
      'collector/calibration/',
      'collector/overload/',
      'collector/intent-cache.ts',
      'collector/intent-lookup.ts',
      'collector/sites.ts',
      'collector/site-cache.ts',
      'collector/metrics.ts',
      'collector/runtime.ts',
    ],
    uses: below('alerts', 'pipeline', 'scoring', 'identity', 'changes', 'db', 'base', 'shared'),
  },
  {
    // The dashboard's pages (server-rendered HTML), its users and sessions: called by app.ts,
    // and by the admin route and the CLI that create users.
    name: 'dashboard',
    paths: ['collector/dashboard/'],
    uses: below('services', 'alerts', 'pipeline', 'scoring', 'identity', 'changes', 'db', 'base', 'shared'),
  },
  {
    name: 'routes',
    paths: [
      'collector/routes/',
      'collector/app.ts',
      'collector/main.ts',
      'collector/cli.ts',
      'collector/cors.ts',
      'collector/url-text.ts',
    ],
    uses: below(
      'dashboard',
      'services',
      'alerts',
      'pipeline',
      'scoring',
      'identity',
      'changes',
      'db',
      'base',
      'shared',
    ),
  },
];

describe('the import graph', () => {
  const graph = readImportGraph(root, ['collector', 'shared', 'sdk']);

  it('should read the imports of every source file, type-only ones included', () => {
    expect(graph.get('collector/intent-cache.ts')).toContain('collector/changes/feed.ts');
    expect(graph.get('shared/scoring/catalogue.ts')).toContain('shared/scoring/config.ts');
    expect(graph.size).toBeGreaterThan(100);
  });

  it('should have no cycle, not even of type-only imports', () => {
    expect(findCycles(graph).map((c) => c.join(' -> '))).toEqual([]);
  });

  it('should have no cycle between folders either', () => {
    expect(findCycles(folderGraph(graph)).map((c) => c.join(' -> '))).toEqual([]);
  });

  it('should import only downwards: routes -> pipeline -> scoring -> identity -> changes -> db', () => {
    expect(layerViolations(graph, LAYERS)).toEqual([]);
  });

  it('should catch a cycle and a backwards import when there is one', () => {
    const bad = new Map([
      ['collector/identity/a.ts', ['collector/scoring/b.ts']],
      ['collector/scoring/b.ts', ['collector/identity/a.ts']],
      ['collector/db/c.ts', []],
      ['collector/nowhere.ts', []],
    ]);
    expect(findCycles(bad)).toEqual([['collector/identity/a.ts', 'collector/scoring/b.ts', 'collector/identity/a.ts']]);
    expect(layerViolations(bad, LAYERS)).toEqual([
      'collector/identity/a.ts (identity) imports collector/scoring/b.ts (scoring)',
      'collector/nowhere.ts belongs to no layer',
    ]);
    // No file imports itself back, yet the folders do: identity -> scoring -> identity.
    const folders = new Map([
      ['collector/identity/a.ts', ['collector/scoring/b.ts']],
      ['collector/scoring/b.ts', []],
      ['collector/scoring/c.ts', ['collector/identity/d.ts']],
      ['collector/identity/d.ts', []],
    ]);
    expect(findCycles(folders)).toEqual([]);
    expect(findCycles(folderGraph(folders))).toEqual([
      ['collector/identity', 'collector/scoring', 'collector/identity'],
    ]);
  });
});
