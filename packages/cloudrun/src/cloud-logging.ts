import { AsyncLocalStorage } from 'node:async_hooks';
import { type LogSink, stringifyLogRecord } from '@artemis/core/runtime';

/*
 * Cloud Run structured logging (https://cloud.google.com/logging/docs/structured-logging): a JSON line on stdout
 * whose `severity` sets the entry's level, `message` its summary, and `logging.googleapis.com/trace` (as
 * `projects/<project>/traces/<trace id>`) ties it to the request's trace in the log viewer.
 */

const SEVERITY = { debug: 'DEBUG', info: 'INFO', warn: 'WARNING', error: 'ERROR' } as const;

export const TRACE_FIELD = 'logging.googleapis.com/trace';
export const SPAN_FIELD = 'logging.googleapis.com/spanId';
export const SAMPLED_FIELD = 'logging.googleapis.com/trace_sampled';

/*
 * The request's trace fields travel in their own AsyncLocalStorage and are added by the sink, after the logger has
 * redacted the record: a trace id is a 32-character hex run, which the redactor rightly treats as token-like.
 */
const traces = new AsyncLocalStorage<Readonly<Record<string, unknown>>>();

export function runWithTrace<T>(fields: Readonly<Record<string, unknown>>, fn: () => T): T {
  return traces.run(fields, fn);
}

export function cloudRunLogSink(write: (line: string) => void = (line) => process.stdout.write(line)): LogSink {
  return (record, level) => {
    const entry = { severity: SEVERITY[level], message: record.msg, ...record, ...traces.getStore() };
    write(`${stringifyLogRecord(entry)}\n`);
  };
}

/**
 * The log fields that correlate a request's lines with its trace, from `X-Cloud-Trace-Context`
 * (`TRACE_ID/SPAN_ID;o=1`) or W3C `traceparent` (`00-TRACE_ID-SPAN_ID-FLAGS`). Without a project id Cloud Logging
 * cannot link the trace, so nothing is added (the reason functions-framework dropped the field, its PR #667).
 */
export function traceLogFields(
  headers: Readonly<Record<string, string>>,
  projectId: string | undefined,
): Record<string, unknown> | undefined {
  if (!projectId) return undefined;
  const cloud = headers['x-cloud-trace-context'];
  if (cloud) {
    const match = /^([0-9a-fA-F]{32})(?:\/(\d+))?(?:;o=([01]))?/.exec(cloud);
    if (match)
      return fields(projectId, match[1] as string, match[2], match[3] === undefined ? undefined : match[3] === '1');
  }
  const parent = headers.traceparent;
  if (parent) {
    const match = /^[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(parent.trim());
    if (match)
      return fields(projectId, match[1] as string, match[2], (Number.parseInt(match[3] as string, 16) & 1) === 1);
  }
  return undefined;
}

function fields(projectId: string, traceId: string, spanId: string | undefined, sampled: boolean | undefined) {
  const result: Record<string, unknown> = { [TRACE_FIELD]: `projects/${projectId}/traces/${traceId.toLowerCase()}` };
  if (spanId) result[SPAN_FIELD] = spanId;
  if (sampled !== undefined) result[SAMPLED_FIELD] = sampled;
  return result;
}
