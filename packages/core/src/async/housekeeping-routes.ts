import * as z from 'zod/mini';
import type { AgentServices, RouteContext } from '../agent/agent-services';
import { parseJsonObjectBody } from '../http/json-body';
import { jsonResponse } from '../http/responses';
import { validate } from '../http/validation';
import type { AgentResponse } from '../protocol/agent-response';
import { WireKey } from '../protocol/wire-keys';
import { finishJob } from './finish-job';
import { isFinal, RECORD_FILES } from './job-records';
import { recordAt, timedOutMessage } from './job-status';
import { JobStore } from './job-store';
import { createdTimeOf } from './request-id';

/*
 * The housekeeping routes of Apollo's Durable Functions app (apollo-inventory §1.5), over the jobs in storage.
 * Times are ISO-8601 (Python's fromisoformat: a date, or a date and time with or without an offset; no offset
 * means UTC). Jobs are selected by the creation time their id carries, so only the selected ones are read.
 */

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
/** Records read at once while walking the jobs. */
const READ_CONCURRENCY = 16;

const ISO_TIME = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/** An ISO-8601 time as Unix ms; no offset means UTC (Apollo made naive times offset-aware as UTC on Azure). */
function toMs(text: string): number {
  let iso = text.replace(' ', 'T');
  if (!iso.includes('T')) iso += 'T00:00:00';
  if (!/(Z|[+-]\d{2}:?\d{2})$/i.test(iso)) iso += 'Z';
  return Date.parse(iso);
}

const isoTime = z.pipe(
  z.string().check(z.refine((text) => ISO_TIME.test(text) && !Number.isNaN(toMs(text)), 'expected an ISO-8601 time')),
  z.transform(toMs),
);

const rangeSchema = z.object({
  created_time_from: z.optional(z.nullable(isoTime)),
  created_time_to: z.optional(z.nullable(isoTime)),
  include_pending: z.optional(z.nullable(z.boolean())),
});

function readRange(services: AgentServices, body: Buffer, defaults: { from: number; to: number }) {
  const parsed = validate(rangeSchema, parseJsonObjectBody(body, services.config.limits.maxJsonDepth));
  return {
    from: parsed.created_time_from ?? defaults.from,
    to: parsed.created_time_to ?? defaults.to,
    includePending: parsed.include_pending ?? false,
  };
}

/**
 * POST /async/api/v1/cleanup → `{"deleted_instances": n}`. Removes the jobs created in [created_time_from (default:
 * the beginning), created_time_to (default now − 10 min)] that have ended (a job past its deadline has: its Failed
 * record is written first, with its callback, if its worker never wrote one); with `include_pending`, a job that has
 * not started is ended as Terminated (its stored request removed, its Terminated status kept for the poller). Jobs
 * older than MCD_ASYNC_RETENTION_HOURS are removed whatever their state, except a long job (a delivery) whose lease
 * still holds. Running jobs within their deadline stay.
 */
export async function cleanupRoute({ services, request }: RouteContext): Promise<AgentResponse> {
  const now = services.async.now();
  const range = readRange(services, request.body, { from: 0, to: now - 10 * MINUTE });
  const retainedFrom = now - services.config.async.retentionHours * 60 * MINUTE;
  const store = await JobStore.of(services);
  let deleted = 0;
  await forEachJob(store, async (requestId, created) => {
    const expired = created < retainedFrom;
    const outside = created < range.from || created > range.to;
    if (!expired && outside) return;
    const stored = await store.read(requestId);
    // A long job (a delivery) whose lease still holds is alive, however long ago it was submitted.
    const live = stored?.kind !== undefined && !isFinal(stored.status) && stored.deadline >= now;
    if ((expired && !live) || !stored) {
      await store.remove(requestId);
      if (stored) deleted++;
      return;
    }
    if (outside) return;
    const record = recordAt(stored, now);
    if (isFinal(record.status)) {
      if (!isFinal(stored.status)) {
        await finishJob(services, store, stored, {
          status: 'Failed',
          body: { [WireKey.error]: timedOutMessage(stored) },
        });
      }
      await store.remove(requestId);
      deleted++;
    } else if (record.status === 'Pending' && range.includePending) {
      const terminated = await finishJob(services, store, stored, {
        status: 'Terminated',
        body: { [WireKey.error]: 'Terminated by cleanup before it started.' },
      });
      await store.remove(requestId, terminated ? [RECORD_FILES.final] : []);
      deleted++;
    }
  });
  services.logger.info('Async cleanup', { deleted_instances: deleted });
  return jsonResponse({ deleted_instances: deleted });
}

/**
 * POST /async/api/v1/queue/info → `{"pending_instances": n, "completed_instances": n}` for the jobs created in
 * [created_time_from (default now − 1 day), created_time_to (default now)], as Apollo counts them: Pending and
 * Completed only.
 */
export async function queueInfoRoute({ services, request }: RouteContext): Promise<AgentResponse> {
  const now = services.async.now();
  const range = readRange(services, request.body, { from: now - DAY, to: now });
  const store = await JobStore.of(services);
  let pending = 0;
  let completed = 0;
  await forEachJob(store, async (requestId, created) => {
    if (created < range.from || created > range.to) return;
    const stored = await store.read(requestId);
    const status = stored && recordAt(stored, now).status;
    if (status === 'Pending') pending++;
    else if (status === 'Completed') completed++;
  });
  return jsonResponse({ pending_instances: pending, completed_instances: completed });
}

/** Every job in storage with its creation time, a few at a time. Folders that are not job ids are left alone. */
async function forEachJob(store: JobStore, visit: (requestId: string, created: number) => Promise<void>) {
  let batch: Promise<void>[] = [];
  let failure: { error: unknown } | undefined;
  for await (const requestId of store.requestIds()) {
    const created = createdTimeOf(requestId);
    if (created === undefined) continue;
    // Caught at once (the listing's next page is awaited meanwhile), rethrown once the batch has settled.
    batch.push(
      visit(requestId, created).catch((error: unknown) => {
        failure ??= { error };
      }),
    );
    if (batch.length >= READ_CONCURRENCY) {
      await Promise.all(batch);
      batch = [];
    }
    if (failure) break;
  }
  await Promise.all(batch);
  if (failure) throw failure.error;
}
