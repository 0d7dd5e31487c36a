import type { Readable } from 'node:stream';
import type * as z from 'zod/mini';
import type { AgentServices } from '../agent/agent-services';
import { encodeJsonBuffer } from '../encoding/json-encoder';
import { OperationError } from '../errors/agent-errors';
import { StorageNotFoundError } from '../errors/storage-errors';
import { type FullStorageBackend, isFullStorageBackend } from '../storage/storage-backend';
import { streamToBuffer } from '../storage/stream-helpers';
import {
  ASYNC_PREFIX,
  isFinal,
  type JobProgress,
  type JobRecord,
  jobKey,
  jobProgressSchema,
  jobRecordSchema,
  PROGRESS_FILE,
  RECORD_FILES,
  REQUEST_FILE,
  RESULT_FILE,
  runFile,
} from './job-records';

/**
 * Reads of a job's object before a torn one counts as a failure. The pauses between them double from 10 ms (310 ms
 * in all): s3rver, the S3 emulator of local development and the e2e suites, rewrites an object in place (truncate,
 * then write), so while a fast delivery rewrites its checkpoint back to back a read often lands inside a write, and
 * on a loaded machine three reads 10-20 ms apart all did (a status read then failed).
 */
const TORN_READS = 6;

/** The agent's storage cannot hold async jobs (an embedder's seam-only backend). */
export class AsyncStorageUnsupportedError extends OperationError {
  constructor() {
    super('The storage backend of this agent does not support async operations');
  }
}

/** Jobs in the agent's storage (job-records.ts has the layout). Any instance of the agent reads what another wrote. */
export class JobStore {
  constructor(
    readonly storage: FullStorageBackend,
    /** The pause between reads of a torn object: the agent's own (`services.async.sleep`, injected by tests). */
    private readonly pause: (ms: number) => Promise<void>,
  ) {}

  static async of(services: AgentServices): Promise<JobStore> {
    const storage = await services.storage();
    if (!isFullStorageBackend(storage)) throw new AsyncStorageUnsupportedError();
    return new JobStore(storage, (ms) => services.async.sleep(ms));
  }

  /** Stores the request, then the Pending record. */
  async submit(record: JobRecord, requestBody: Buffer): Promise<void> {
    await this.storage.write(jobKey(record.request_id, REQUEST_FILE), requestBody);
    if (!(await this.#create(record))) {
      throw new OperationError(`Async request id ${record.request_id} is already taken`);
    }
  }

  /** Records a later state; false when that state (or, for a final one, another final one) was recorded first. */
  advance(record: JobRecord): Promise<boolean> {
    return this.#create(record);
  }

  /**
   * The job's most advanced record; undefined for a job this storage does not know. A job of a kind that has not
   * ended is alive until the later of its record's deadline and its progress record's (the lease it renews).
   */
  async read(requestId: string): Promise<JobRecord | undefined> {
    for (const file of [RECORD_FILES.final, RECORD_FILES.Running, RECORD_FILES.Pending]) {
      const record = await this.#readRecord(jobKey(requestId, file));
      if (!record) continue;
      if (!record.kind || isFinal(record.status)) return record;
      const progress = await this.progress(requestId);
      if (!progress || progress.deadline <= record.deadline) return record;
      return { ...record, deadline: progress.deadline, updated: Math.max(record.updated, progress.updated) };
    }
    return undefined;
  }

  /** The progress record of a job of a kind; undefined before its first one (it is rewritten while it is read). */
  progress(requestId: string): Promise<JobProgress | undefined> {
    return this.#readJson(
      jobKey(requestId, PROGRESS_FILE),
      jobProgressSchema,
      `The async progress record of ${requestId} is not valid`,
    );
  }

  /** Replaces the progress record (a job of a kind writes it as it goes, renewing its lease). */
  async writeProgress(requestId: string, progress: JobProgress): Promise<void> {
    await this.storage.write(jobKey(requestId, PROGRESS_FILE), encodeJsonBuffer(progress));
  }

  /** Takes the job's n-th continuation; false when another worker took it first (a redelivered event). */
  claimRun(requestId: string, continuation: number, now: number): Promise<boolean> {
    return this.storage.writeIfAbsent(jobKey(requestId, runFile(continuation)), encodeJsonBuffer({ claimed: now }));
  }

  /** The submitted body; undefined once the job has ended (or been removed). */
  async request(requestId: string): Promise<Buffer | undefined> {
    return this.#readOptional(jobKey(requestId, REQUEST_FILE));
  }

  /** Writes a result too large, compressed or binary for the record; returns its key. */
  async writeResult(requestId: string, data: Buffer | Readable): Promise<string> {
    const key = jobKey(requestId, RESULT_FILE);
    await this.storage.write(key, data);
    return key;
  }

  resultUrl(key: string, expirationSeconds: number): Promise<string> {
    return this.storage.presignedUrl(key, expirationSeconds);
  }

  /** Deletes the job's objects except `keep` (file names); objects already gone are no failure. */
  async remove(requestId: string, keep: readonly string[] = []): Promise<void> {
    const files = await this.files(requestId);
    for (const file of files) {
      if (keep.includes(file)) continue;
      await this.storage.delete(jobKey(requestId, file)).catch((error: unknown) => {
        if (!(error instanceof StorageNotFoundError)) throw error;
      });
    }
  }

  /** The file names the job has in storage. */
  async files(requestId: string): Promise<string[]> {
    const prefix = `${ASYNC_PREFIX}${requestId}/`;
    const names: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.storage.list({ prefix, continuationToken: token });
      for (const object of page.objects) names.push(object.key.slice(prefix.length));
      token = page.pageToken ?? undefined;
    } while (token);
    return names;
  }

  /** Every job id in storage (one listing of `async/` by folder). */
  async *requestIds(): AsyncGenerator<string> {
    let token: string | undefined;
    do {
      const page = await this.storage.list({ prefix: ASYNC_PREFIX, delimiter: '/', continuationToken: token });
      for (const prefix of page.prefixes) yield prefix.slice(ASYNC_PREFIX.length).replace(/\/$/, '');
      token = page.pageToken ?? undefined;
    } while (token);
  }

  #create(record: JobRecord): Promise<boolean> {
    const file = isFinal(record.status) ? RECORD_FILES.final : RECORD_FILES[record.status];
    return this.storage.writeIfAbsent(jobKey(record.request_id, file), encodeJsonBuffer(record));
  }

  #readRecord(key: string): Promise<JobRecord | undefined> {
    return this.#readJson(key, jobRecordSchema, `The async record ${key} is not valid`);
  }

  /**
   * One JSON object of the job; undefined when absent. A store that serves an object while writing it (an emulator;
   * S3, GCS and Azure replace atomically) may hand out a torn copy — of a progress record it rewrites, of a record
   * being created — so a read that breaks or does not parse is tried again before it counts as a failure.
   */
  async #readJson<T>(key: string, schema: z.ZodMiniType<T, unknown>, invalid: string): Promise<T | undefined> {
    for (let attempt = 1; ; attempt++) {
      try {
        const bytes = await this.#readOptional(key);
        if (!bytes) return undefined;
        const parsed = schema.safeParse(safeJson(bytes));
        if (parsed.success) return parsed.data;
        if (attempt >= TORN_READS) throw new OperationError(invalid);
      } catch (error) {
        if (attempt >= TORN_READS) throw error;
      }
      await this.pause(10 * 2 ** (attempt - 1));
    }
  }

  async #readOptional(key: string): Promise<Buffer | undefined> {
    try {
      return await streamToBuffer(await this.storage.read(key));
    } catch (error) {
      if (error instanceof StorageNotFoundError) return undefined;
      throw error;
    }
  }
}

function safeJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
}
