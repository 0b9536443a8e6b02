import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Summarises the V8 CPU profiles that `npm run bench -- --profile` writes for the
 * collector process: self time by area (a package, a source file, GC, idle) and the
 * hottest functions. Usage: `npx tsx bench/profile-summary.ts <dir>`.
 */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function area(url: string, fn: string): string {
  if (fn === '(idle)' || fn === '(program)' || fn === '(garbage collector)') return fn;
  const pkg = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (pkg) return pkg[1] as string;
  const own = url.match(/\/((?:collector|shared|bench)\/.+)$/);
  if (own) return own[1] as string;
  if (url.startsWith('node:')) return url;
  return url ? 'other' : `(native) ${fn || '(anonymous)'}`;
}

function summarise(file: string): void {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const areas = new Map<string, number>();
  const fns = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const [id, us] of self) {
    const { functionName, url, lineNumber } = (byId.get(id) as ProfileNode).callFrame;
    total += us;
    if (functionName === '(idle)') idle += us;
    const a = area(url, functionName);
    areas.set(a, (areas.get(a) ?? 0) + us);
    const f = `${functionName || '(anonymous)'} ${url ? `${a}:${lineNumber + 1}` : ''}`;
    fns.set(f, (fns.get(f) ?? 0) + us);
  }
  const busy = total - idle;
  const top = (m: Map<string, number>, n: number) =>
    [...m]
      .filter(([k]) => !k.startsWith('(idle)'))
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, us]) => `  ${((100 * us) / busy).toFixed(1).padStart(5)} %  ${k}`)
      .join('\n');
  process.stdout.write(
    `${file}\n  busy ${(busy / 1e6).toFixed(1)} s of ${(total / 1e6).toFixed(1)} s\n` +
      `self time by area (% of busy):\n${top(areas, 25)}\nhottest functions:\n${top(fns, 30)}\n`,
  );
}

const dir = process.argv[2];
if (!dir) throw new Error('usage: tsx bench/profile-summary.ts <profile dir>');
for (const f of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) summarise(join(dir, f));
