import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The embedded database is one process's at a time. A pid file in the data folder tells
 * a second process (another collector, or the CLI) to stay away instead of corrupting it.
 */
export function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'inkling.pid');
  const holder = lockHolder(dataDir);
  if (holder !== undefined && holder !== process.pid) {
    throw new Error(
      `The embedded database in ${dataDir} is in use by process ${holder} (a running collector?). ` +
        'Stop it first, or use the admin API while it runs.',
    );
  }
  writeFileSync(file, String(process.pid));
  return () => {
    if (lockHolder(dataDir) === process.pid) rmSync(file, { force: true });
  };
}

/** The live process holding the data folder, if any. */
export function lockHolder(dataDir: string): number | undefined {
  let pid: number;
  try {
    pid = Number(readFileSync(join(dataDir, 'inkling.pid'), 'utf8'));
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM' ? pid : undefined;
  }
}
