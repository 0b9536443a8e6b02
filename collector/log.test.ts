import { describe, expect, it } from 'vitest';
import { createLogger } from './log.ts';

function capture() {
  const lines: string[] = [];
  return { lines, stream: { write: (chunk: string) => void lines.push(chunk) } };
}

describe('createLogger', () => {
  it('should write one JSON line per error, with the message and the stack as fields', () => {
    const { lines, stream } = capture();
    const log = createLogger('info', stream);
    const err = new Error('export stream broke');
    log.error('export failed mid-stream', { siteId: 's-1', err });

    expect(lines).toHaveLength(1);
    const line = lines[0] ?? '';
    expect(line.endsWith('\n')).toBe(true);
    expect(line.trimEnd()).not.toContain('\n');
    const entry = JSON.parse(line);
    expect(entry).toMatchObject({ level: 'error', msg: 'export failed mid-stream', siteId: 's-1' });
    expect(entry.err.message).toBe('export stream broke');
    expect(entry.err.stack).toBe(err.stack);
    expect(Date.parse(entry.time)).not.toBeNaN();
  });

  it('should leave out what is below INKLING_LOG_LEVEL', () => {
    const { lines, stream } = capture();
    const log = createLogger('warn', stream);
    log.debug('d');
    log.info('i');
    log.warn('w', { n: 1 });
    expect(lines.map((l) => JSON.parse(l))).toEqual([expect.objectContaining({ level: 'warn', msg: 'w', n: 1 })]);
    const silent = capture();
    createLogger('silent', silent.stream).error('nothing');
    expect(silent.lines).toEqual([]);
  });
});
