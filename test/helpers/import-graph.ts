import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/** file (repository-relative, `/`-separated) -> the project files it imports, type-only imports and re-exports included. */
export type ImportGraph = Map<string, string[]>;

/** Every `.ts` file under `dirs` except tests, with its relative imports, as the TypeScript compiler reads them. */
export function readImportGraph(root: string, dirs: readonly string[]): ImportGraph {
  const graph: ImportGraph = new Map();
  for (const dir of dirs) {
    for (const entry of readdirSync(join(root, dir), { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !entry.name.endsWith('.ts') || entry.name.endsWith('.test.ts')) continue;
      const path = join(entry.parentPath, entry.name);
      const info = ts.preProcessFile(readFileSync(path, 'utf8'), true, true);
      const imports = info.importedFiles
        .map((f) => f.fileName)
        .filter((name) => name.startsWith('.'))
        .map((name) =>
          relative(root, resolve(dirname(path), name))
            .split('\\')
            .join('/'),
        );
      graph.set(relative(root, path).split('\\').join('/'), [...new Set(imports)]);
    }
  }
  return graph;
}

/** Each cycle once, as the files along it (first file repeated at the end). */
export function findCycles(graph: ImportGraph): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (!graph.has(next)) continue;
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of [...graph.keys()].sort()) if (!state.has(file)) visit(file);
  return cycles;
}

/** A layer: the files it holds (path prefixes; a prefix ending in `.ts` is one file) and what it may import. */
export interface Layer {
  name: string;
  paths: readonly string[];
  /** The layers (by name) its files may import besides their own. */
  uses: readonly string[];
}

/** The layer of a file: the longest matching prefix wins. */
export function layerOf(layers: readonly Layer[], file: string): Layer | undefined {
  let best: { layer: Layer; length: number } | undefined;
  for (const layer of layers) {
    for (const prefix of layer.paths) {
      const hit = prefix.endsWith('.ts') ? file === prefix : file.startsWith(prefix);
      if (hit && (!best || prefix.length > best.length)) best = { layer, length: prefix.length };
    }
  }
  return best?.layer;
}

/** Every import that goes against the layers, and every file that belongs to no layer. */
export function layerViolations(graph: ImportGraph, layers: readonly Layer[]): string[] {
  const out: string[] = [];
  for (const [file, imports] of graph) {
    const from = layerOf(layers, file);
    if (!from) {
      out.push(`${file} belongs to no layer`);
      continue;
    }
    for (const target of imports) {
      const to = layerOf(layers, target);
      if (!to) out.push(`${file} imports ${target}, which belongs to no layer`);
      else if (to !== from && !from.uses.includes(to.name)) {
        out.push(`${file} (${from.name}) imports ${target} (${to.name})`);
      }
    }
  }
  return out;
}

/** The graph between folders (a file directly under `collector/` or `shared/` stands for itself). */
export function folderGraph(graph: ImportGraph): ImportGraph {
  const folder = (file: string) => {
    const parts = file.split('/');
    return parts.length <= 2 ? file : parts.slice(0, -1).join('/');
  };
  const out: ImportGraph = new Map();
  for (const [file, imports] of graph) {
    const from = folder(file);
    const targets = new Set(out.get(from) ?? []);
    for (const target of imports) if (folder(target) !== from) targets.add(folder(target));
    out.set(from, [...targets]);
  }
  return out;
}
