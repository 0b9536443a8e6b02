import { type DestinationStream, pino } from 'pino';

/**
 * Structured logs (pino): one JSON object per line, `{"level", "time", "msg", ...fields}`, on
 * stdout (errors on stderr). An `err` field that is an Error is written as `{"type", "message", "stack"}` on the
 * same line (its stack as one string, never over several lines).
 */
const LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LEVELS)[number];

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** A logger at `level` (`INKLING_LOG_LEVEL`), writing to `destination` (tests), else to stdout and stderr. */
export function createLogger(level: LogLevel = 'info', destination?: DestinationStream): Logger {
  const options = {
    level: isLogLevel(level) ? level : 'info',
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
    serializers: { err: pino.stdSerializers.err },
  };
  const p = pino(options, destination ?? standardStreams());
  return {
    debug: (m, f) => p.debug(f ?? {}, m),
    info: (m, f) => p.info(f ?? {}, m),
    warn: (m, f) => p.warn(f ?? {}, m),
    error: (m, f) => p.error(f ?? {}, m),
  };
}

/** Errors to stderr, everything else to stdout (synchronous writes: nothing is lost on exit). */
function standardStreams(): DestinationStream {
  return pino.multistream(
    [
      { level: 'debug', stream: pino.destination({ dest: 1, sync: true }) },
      { level: 'error', stream: pino.destination({ dest: 2, sync: true }) },
    ],
    { dedupe: true },
  );
}

export function isLogLevel(value: string | undefined): value is LogLevel {
  return (LEVELS as readonly (string | undefined)[]).includes(value);
}
