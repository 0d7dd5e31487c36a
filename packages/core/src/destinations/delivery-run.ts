import type { AgentServices } from '../agent/agent-services';
import type { Outcome } from '../async/finish-job';
import type { JobRun } from '../async/job-kinds';
import type { JobRecord } from '../async/job-records';
import type { JobStore } from '../async/job-store';
import { toErrorEnvelope } from '../errors/error-envelope';
import { WireKey } from '../protocol/wire-keys';
import { type RunClock, sendBatch } from './batch-sender';
import {
  type Checkpoint,
  CheckpointWriter,
  type DeliveryError,
  describeError,
  initialCheckpoint,
  progressOf,
  readCheckpoint,
  withErrors,
} from './checkpoint';
import { dataLocationOf } from './data-location';
import { type OpenedSource, openSource, SourceError } from './data-source';
import type { DeliveryPayload } from './delivery-payload';
import { runnerSettingsSchema } from './delivery-payload';
import { destinationContext } from './destination-context';
import { destinationDirectoryFor } from './destination-directory';
import { DeliveryFailedError } from './destination-errors';
import type { BatchContext, DestinationContext, DestinationModule, Settings } from './destination-module';
import { settingsFor } from './destination-settings';
import { NdjsonReader, type ReadBatch, type RecordConverter } from './ndjson-reader';
import { reportProgress } from './status-report';
import { TokenBucket } from './token-bucket';

/** Breaks of `data_url`'s stream in a row, with no batch settled between them, before the delivery fails. */
const SOURCE_ATTEMPTS = 3;
/** Times a hand-over tries the dispatcher before the delivery fails. */
const DISPATCH_ATTEMPTS = 3;

/**
 * One run of a delivery (SPEC §14): from the checkpoint to the end of the file, or to the point where less than the
 * margin remains of this invocation, where it writes a hand-over checkpoint and dispatches the next continuation
 * through the runtime's own dispatcher (Lambda: an Event self-invocation). Resolves the job's outcome when the
 * delivery has ended (`succeeded`: Completed with a summary; `failed`: Completed with the reason as its error), or
 * undefined when a continuation goes on.
 */
export class DeliveryRun {
  readonly #services: AgentServices;
  readonly #store: JobStore;
  readonly #record: JobRecord;
  readonly #payload: DeliveryPayload;
  readonly #run: JobRun;
  readonly #writer: CheckpointWriter;
  readonly #clock: RunClock;
  readonly #marginMs: number;
  #checkpoint!: Checkpoint;
  #source: OpenedSource | undefined;
  #reporting: Promise<unknown> = Promise.resolve();
  #reportInFlight = false;

  constructor(services: AgentServices, store: JobStore, record: JobRecord, payload: DeliveryPayload, run: JobRun) {
    this.#services = services;
    this.#store = store;
    this.#record = record;
    this.#payload = payload;
    this.#run = run;
    this.#writer = new CheckpointWriter(store, record.request_id);
    const now = services.async.now;
    const configuredEnd = now() + services.config.async.timeoutSeconds * 1000;
    const remaining = () =>
      Math.min(configuredEnd - now(), run.runtime.remainingTimeMs?.() ?? Number.POSITIVE_INFINITY);
    // Half of what the run has at most: a platform timeout shorter than the margin still leaves each run work to do.
    this.#marginMs = Math.min(services.config.destinations.continueMarginSeconds * 1000, remaining() / 2);
    this.#clock = {
      now,
      sleep: (ms) => services.async.sleep(ms),
      remaining,
      workLeft: () => remaining() - this.#marginMs,
    };
  }

  async execute(): Promise<Outcome | undefined> {
    const { logger } = this.#services;
    const started = await this.#start();
    if (!started) return undefined;
    let destination: DestinationModule;
    let context: DestinationContext;
    let settings: Settings;
    try {
      destination = await destinationDirectoryFor(this.#services).get(this.#record.connection_type);
      settings = await settingsFor(destination, this.#payload.settings ?? {});
      context = await destinationContext(
        this.#services,
        this.#record.connection_type,
        this.#record.request_id,
        this.#payload,
        settings,
      );
      await destination.prepare?.(context);
    } catch (error) {
      return this.#fail(`The destination cannot be used: ${(error as Error)?.message ?? String(error)}`);
    }
    if (this.#run.continuation === 0) await this.#report(true);
    logger.info('Delivery run started', {
      continuation: this.#run.continuation,
      byte_offset: this.#checkpoint.byte_offset,
    });
    try {
      return await this.#deliver(destination, context, settings);
    } finally {
      this.#source?.close();
      await this.#reporting;
    }
  }

  /** Takes up the checkpoint (a continuation only its own hand-over) and renews the lease at once. */
  async #start(): Promise<boolean> {
    const { continuation } = this.#run;
    const now = this.#clock.now();
    if (continuation === 0) {
      this.#checkpoint = initialCheckpoint(now, this.#lease());
    } else {
      const stored = await readCheckpoint(this.#store, this.#record.request_id);
      if (stored?.state !== 'handover' || stored.continuation !== continuation) {
        this.#services.logger.warn(`Delivery continuation ${continuation} was not handed over; not run`);
        return false;
      }
      this.#checkpoint = stored;
    }
    await this.#save({ state: 'running', continuation });
    return true;
  }

  async #deliver(
    destination: DestinationModule,
    context: DestinationContext,
    settings: Settings,
  ): Promise<Outcome | undefined> {
    const config = this.#services.config.destinations;
    // The payload's own settings: a destination's schema may have dropped keys it does not know.
    const runner = runnerSettingsSchema.parse(this.#payload.settings ?? {});
    const batchSize = runner.batch_size ?? destination.batchSize;
    const limit = runner.rate_limit
      ? { requests: runner.rate_limit.requests, perSeconds: runner.rate_limit.per_seconds }
      : destination.rateLimit;
    const bucket = limit ? new TokenBucket(limit, this.#clock.now(), this.#checkpoint.rate) : undefined;
    const maxFailedBatches = runner.max_failed_batches ?? config.maxFailedBatches;
    // Records go as they were read when the destination takes JSON text and maps nothing; else parsed (and mapped).
    const { mapRecord, sendJsonText } = destination;
    const asText = !mapRecord && sendJsonText !== undefined;
    const convert: RecordConverter | undefined = mapRecord
      ? (record) => mapRecord(record, settings)
      : asText
        ? (_record, text) => text
        : undefined;
    const send = (batch: readonly unknown[], context: BatchContext) =>
      asText ? sendJsonText.call(destination, batch as readonly string[], context) : destination.send(batch, context);
    const location = dataLocationOf(this.#payload.data_url, {
      type: this.#services.config.storage.type ?? this.#services.defaultStorage,
      bucketName: this.#services.config.storage.bucketName,
      prefix: this.#services.config.storage.prefix,
    });

    let reader: NdjsonReader | undefined;
    /** The next batch, read while the current one is on its way. */
    let ahead: Promise<ReadBatch> | undefined;
    let sourceFailures = 0;
    /** Where the checkpoint stood at the last break: a break after progress past it starts the count again. */
    let brokeAt = -1;
    for (;;) {
      if (!reader) {
        const opened = await this.#open(location);
        if (typeof opened === 'string') return this.#fail(opened);
        const { byte_offset: offset, lines: line } = this.#checkpoint;
        reader = new NdjsonReader(opened.chunks, { offset, line, skipBytes: opened.skipBytes }, config.maxRecordBytes);
      }
      let batch: ReadBatch;
      try {
        batch = await (ahead ?? reader.read(batchSize, config.maxBatchBytes, convert));
        ahead = undefined;
        // An answer that ends cleanly short of the size (a capped 206, a chunked answer a proxy gave up on) is not
        // the end of the file: a break like any other, read on from the last settled line.
        const total = this.#checkpoint.total_bytes;
        if (batch.done && total !== null && batch.endOffset < total) {
          throw new Error(`it ended at byte ${batch.endOffset} of ${total}`);
        }
      } catch (error) {
        // The stream broke: read again from the last settled line. A long file over a flaky link may break many
        // times; only breaks that get no further in between end the delivery.
        if (this.#checkpoint.byte_offset > brokeAt) sourceFailures = 0;
        brokeAt = this.#checkpoint.byte_offset;
        sourceFailures++;
        this.#source?.close();
        reader = undefined;
        ahead = undefined;
        const message = (error as Error)?.message ?? String(error);
        this.#services.logger.warn('Reading data_url failed', { error: message, attempt: sourceFailures });
        if (sourceFailures >= SOURCE_ATTEMPTS) return this.#fail(`Reading data_url failed: ${message}`);
        continue;
      }
      const problems: DeliveryError[] = batch.problems.map(({ line, message }) => ({ line, message }));
      if (this.#checkpoint.records_invalid + problems.length > config.maxInvalidRecords) {
        const first = problems[0];
        await this.#save({}, problems);
        return this.#fail(
          `More than ${config.maxInvalidRecords} invalid records${first ? ` (${describeError(first)})` : ''}`,
        );
      }
      if (batch.records.length === 0) {
        // Only skipped lines: settle them; the file may be over.
        this.#settle(batch, problems, 'none');
        if (batch.done) return this.#succeed();
        continue;
      }
      if (this.#clock.workLeft() <= 0) return this.#handOver();
      const batchNumber = this.#checkpoint.batches_sent + this.#checkpoint.batches_failed + 1;
      const retry = this.#checkpoint.retry;
      const sending = sendBatch(batch.records, {
        send,
        context,
        batchNumber,
        attempts: retry?.attempts ?? 0,
        notBefore: retry?.not_before ?? 0,
        retries: config.batchRetries,
        retryDelayMs: config.retryDelayMs,
        requestTimeoutMs: config.requestTimeoutSeconds * 1000,
        bucket,
        clock: this.#clock,
      });
      if (!batch.done) ahead = readSoon(reader, batchSize, config.maxBatchBytes, convert);
      const result = await sending;
      if (bucket) this.#checkpoint = { ...this.#checkpoint, rate: bucket.state() };
      if (result.kind === 'paused') {
        await this.#save({ retry: { attempts: result.attempts, not_before: result.notBefore } });
        return this.#handOver();
      }
      const failure: DeliveryError | undefined =
        result.kind === 'acked'
          ? undefined
          : {
              batch: batchNumber,
              line: batch.firstLine,
              last_line: batch.lastLine,
              records: batch.records.length,
              ...(result.kind === 'failed' && result.status !== undefined ? { status: result.status } : {}),
              message:
                result.kind === 'failed' ? `${result.message} (${attemptsText(result.attempts)})` : result.message,
            };
      if (result.kind === 'fatal' || (failure && this.#checkpoint.batches_failed >= maxFailedBatches)) {
        // Delivered up to the start of this batch: the checkpoint stays there, and lists why.
        await this.#save({ retry: null }, [...problems, failure as DeliveryError]);
        return this.#fail(describeError(failure as DeliveryError));
      }
      if (failure) this.#services.logger.warn('Batch failed', { batch: batchNumber, status: failure.status });
      this.#settle(batch, failure ? [...problems, failure] : problems, failure ? 'failed' : 'sent');
      this.#maybeReport();
      if (batch.done) return this.#succeed();
    }
  }

  /** Opens data_url at the checkpoint, retrying what may pass; a string is why the delivery fails. */
  async #open(location: ReturnType<typeof dataLocationOf>): Promise<OpenedSource | string> {
    const { byte_offset: offset, total_bytes: totalBytes, etag } = this.#checkpoint;
    for (let attempt = 1; ; attempt++) {
      try {
        const timeoutMs = Math.max(1000, this.#clock.remaining() - this.#marginMs / 2);
        this.#source = await openSource(this.#services, location, { offset, totalBytes, etag }, timeoutMs);
        this.#checkpoint = { ...this.#checkpoint, total_bytes: this.#source.totalBytes, etag: this.#source.etag };
        return this.#source;
      } catch (error) {
        const message = (error as Error)?.message ?? String(error);
        if (!(error instanceof SourceError) || !error.retryable || attempt >= SOURCE_ATTEMPTS) return message;
        this.#services.logger.warn('Opening data_url failed; retrying', { error: message, attempt });
        await this.#clock.sleep(this.#services.config.destinations.retryDelayMs * attempt);
      }
    }
  }

  /** Records a batch (or a run of skipped lines) as settled: the checkpoint moves past it (written in the background). */
  #settle(batch: ReadBatch, errors: readonly DeliveryError[], outcome: 'sent' | 'failed' | 'none'): void {
    const c = this.#checkpoint;
    const records = batch.records.length;
    this.#checkpoint = withErrors(
      {
        ...c,
        byte_offset: batch.endOffset,
        lines: batch.endLine,
        records_sent: c.records_sent + (outcome === 'sent' ? records : 0),
        records_failed: c.records_failed + (outcome === 'failed' ? records : 0),
        records_invalid: c.records_invalid + batch.problems.length,
        records_dropped: c.records_dropped + batch.dropped,
        batches_sent: c.batches_sent + (outcome === 'sent' ? 1 : 0),
        batches_failed: c.batches_failed + (outcome === 'failed' ? 1 : 0),
        retry: null,
        updated: this.#clock.now(),
        deadline: this.#lease(),
      },
      errors,
    );
    this.#writer.write(this.#checkpoint);
  }

  /** Writes the checkpoint with `changes` (and `errors` added) now, and waits for it. */
  async #save(changes: Partial<Checkpoint>, errors: readonly DeliveryError[] = []): Promise<void> {
    this.#checkpoint = withErrors(
      { ...this.#checkpoint, ...changes, updated: this.#clock.now(), deadline: changes.deadline ?? this.#lease() },
      errors,
    );
    this.#writer.write(this.#checkpoint);
    await this.#writer.flush();
  }

  /** A `running` report when the interval has passed (one at a time; the run goes on meanwhile). */
  #maybeReport(): void {
    const intervalMs = this.#services.config.destinations.progressIntervalSeconds * 1000;
    const last = this.#checkpoint.reported_at;
    if (this.#reportInFlight || (last !== null && this.#clock.now() - last < intervalMs)) return;
    this.#reportInFlight = true;
    this.#reporting = this.#report(false).finally(() => {
      this.#reportInFlight = false;
    });
    this.#checkpoint = { ...this.#checkpoint, reported_at: this.#clock.now() };
  }

  async #report(first: boolean): Promise<void> {
    const progress = first ? 0 : progressOf(this.#checkpoint);
    await reportProgress(this.#services, this.#payload, { state: 'running', progress, errors: [], reason: '' });
    if (first) this.#checkpoint = { ...this.#checkpoint, reported_at: this.#clock.now() };
  }

  async #handOver(): Promise<Outcome | undefined> {
    const next = this.#run.continuation + 1;
    const services = this.#services;
    await this.#reporting;
    // The next run must start within the job's timeout: the lease says so.
    await this.#save({
      state: 'handover',
      continuation: next,
      deadline: this.#clock.now() + services.config.async.timeoutSeconds * 1000,
    });
    this.#source?.close();
    for (let attempt = 1; ; attempt++) {
      try {
        await services.async.dispatcher.dispatch({ request_id: this.#record.request_id, continuation: next });
        services.logger.info('Delivery handed over', { continuation: next, byte_offset: this.#checkpoint.byte_offset });
        return undefined;
      } catch (error) {
        const message = (error as Error)?.message ?? String(error);
        services.logger.warn('Delivery hand-over failed', { error: message, attempt });
        if (attempt >= DISPATCH_ATTEMPTS) return this.#fail(`Could not continue the delivery: ${message}`);
        await this.#clock.sleep(1000 * attempt);
      }
    }
  }

  async #succeed(): Promise<Outcome> {
    await this.#save({ state: 'succeeded', retry: null });
    const c = this.#checkpoint;
    this.#services.logger.info('Delivery succeeded', {
      records_sent: c.records_sent,
      batches_sent: c.batches_sent,
      errors: c.errors_total,
      continuation: c.continuation,
    });
    return { status: 'Completed', body: { [WireKey.result]: summaryOf(c), [WireKey.traceId]: this.#record.trace_id } };
  }

  async #fail(reason: string): Promise<Outcome> {
    await this.#save({ state: 'failed', reason });
    this.#services.logger.warn('Delivery failed', { byte_offset: this.#checkpoint.byte_offset });
    return {
      status: 'Completed',
      body: {
        ...toErrorEnvelope(new DeliveryFailedError(reason), { traceId: this.#record.trace_id }),
        [WireKey.result]: summaryOf(this.#checkpoint),
      },
    };
  }

  /** Until when the job counts as alive after a checkpoint: another async timeout. */
  #lease(): number {
    return this.#clock.now() + this.#services.config.async.timeoutSeconds * 1000;
  }
}

function attemptsText(attempts: number): string {
  return `after ${attempts} attempt${attempts === 1 ? '' : 's'}`;
}

/** What the job's status carries once the delivery has ended. */
function summaryOf(c: Checkpoint): Record<string, unknown> {
  return {
    state: c.state,
    progress: progressOf(c),
    records_sent: c.records_sent,
    records_failed: c.records_failed,
    records_invalid: c.records_invalid,
    records_dropped: c.records_dropped,
    batches_sent: c.batches_sent,
    batches_failed: c.batches_failed,
    errors_total: c.errors_total,
    continuations: c.continuation,
    byte_offset: c.byte_offset,
    total_bytes: c.total_bytes,
  };
}

/**
 * The next batch, read while the current one is on its way (about a fifth faster than one after the other): after
 * the current request has gone out (the next macrotask), since parsing first would only hold it back. A failure is
 * kept for whoever awaits it, and is no unhandled rejection when nobody does (after a hand-over).
 */
function readSoon(
  reader: NdjsonReader,
  batchSize: number,
  maxBytes: number,
  convert: RecordConverter | undefined,
): Promise<ReadBatch> {
  const read = new Promise((resolve) => setImmediate(resolve)).then(() => reader.read(batchSize, maxBytes, convert));
  read.catch(() => undefined);
  return read;
}
