import type { LogLevel } from '../config/config';
import { currentLogContext } from './log-context';
import { redact } from './redact';

/*
 * A small JSON-lines logger rather than pino: pino bundles to ~59 KiB and the chunk a health check loads must stay
 * under 64 KiB (SPEC §11). What we need is narrow: one object per line, the request's context from
 * AsyncLocalStorage, redaction, and a per-platform shape (Cloud Run `severity`, Azure's context logger).
 */

export type LogFields = Readonly<Record<string, unknown>>;
type Level = Exclude<LogLevel, 'silent'>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

/** Where a finished record goes; platforms may reshape it (Cloud Run adds `severity`). */
export type LogSink = (record: Record<string, unknown>, level: Level) => void;

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export const stdoutSink: LogSink = (record) => {
  process.stdout.write(`${stringifyLogRecord(record)}\n`);
};

export function createLogger(level: LogLevel, sink: LogSink = stdoutSink): Logger {
  const threshold = RANK[level];
  const log = (lvl: Level, msg: string, fields?: LogFields) => {
    if (RANK[lvl] < threshold) return;
    const record = {
      ts: new Date().toISOString(),
      level: lvl,
      msg,
      ...(redact({ ...currentLogContext(), ...fields }) as Record<string, unknown>),
    };
    sink(record, lvl);
  };
  return {
    debug: (msg, fields) => log('debug', msg, fields),
    info: (msg, fields) => log('info', msg, fields),
    warn: (msg, fields) => log('warn', msg, fields),
    error: (msg, fields) => log('error', msg, fields),
  };
}

/**
 * One log line's JSON, for every sink (stdout, Cloud Logging, Azure's invocation logger): bigints as their digits
 * (a driver's int8 in a log field must not throw), and a line that still cannot be encoded (a cycle) becomes a
 * record saying so rather than an exception in the middle of a request.
 */
export function stringifyLogRecord(record: Record<string, unknown>): string {
  try {
    return JSON.stringify(record, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
  } catch (error) {
    // The fields every sink's reader relies on (Cloud Logging's `severity` and `message` too; absent ones drop out).
    const { ts, level, severity, msg, message } = record;
    return JSON.stringify({ ts, level, severity, msg: String(msg), message, invalid_log_error: String(error) });
  }
}
