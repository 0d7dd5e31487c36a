import { encodeDate } from '../encoding/json-encoder';
import { WireKey } from '../protocol/wire-keys';
import { isFinal, type JobRecord } from './job-records';

/*
 * The status answer (apollo-inventory §1.5): `__mcd_status__` with Durable Functions' status names, the creation
 * and last-update times as Python's isoformat() spells them, and for a job that has ended its envelope's keys at
 * top level. A job that has not ended by its deadline reads Failed, computed here from its own record: no writer is
 * needed (its worker may be gone).
 */

export function timedOutMessage(record: JobRecord): string {
  return `Activity timed out after ${Math.round((record.deadline - record.created) / 1000)} seconds.`;
}

/** The record as it stands at `now`: a job past its deadline that has not ended is Failed (since its deadline). */
export function recordAt(record: JobRecord, now: number): JobRecord {
  if (isFinal(record.status) || now <= record.deadline) return record;
  return { ...record, status: 'Failed', updated: record.deadline, body: { [WireKey.error]: timedOutMessage(record) } };
}

/**
 * The status body; `resultUrl` replaces the location of an offloaded result with a freshly signed one, `progress` is
 * the progress record of a job of a kind (its lease fields left out).
 */
export function statusBody(
  record: JobRecord | undefined,
  resultUrl?: string,
  progress?: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  if (!record) return { [WireKey.status]: 'unknown', [WireKey.created]: null, [WireKey.lastUpdated]: null };
  const body: Record<string, unknown> = {
    [WireKey.status]: record.status,
    [WireKey.created]: isoTime(record.created),
    [WireKey.lastUpdated]: isoTime(record.updated),
    [WireKey.traceId]: record.trace_id,
  };
  if (isFinal(record.status) && record.body) Object.assign(body, record.body);
  if (resultUrl) body[WireKey.resultLocation] = resultUrl;
  if (progress) {
    const { v: _v, updated: _updated, deadline: _deadline, ...shown } = progress;
    body[WireKey.progress] = shown;
  }
  return body;
}

export function isoTime(ms: number): string {
  return encodeDate(new Date(ms)).__data__ as string;
}
