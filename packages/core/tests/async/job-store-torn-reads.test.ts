import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { type JobRecord, jobKey, PROGRESS_FILE, RECORD_FILES } from '../../src/async/job-records';
import { JobStore } from '../../src/async/job-store';
import { OperationError } from '../../src/errors/agent-errors';
import { FilesystemStorage } from '../../src/storage/filesystem-storage';

/*
 * A job's progress record is rewritten while status reads read it; a store that rewrites objects in place (s3rver)
 * hands out torn copies meanwhile. The reader tries again with doubling pauses (injected here: no time passes).
 */
describe('JobStore over a store that serves torn copies', () => {
  let root: string;
  let storage: FilesystemStorage;
  let pauses: number[];
  let tornReads: number;
  let tornKey: string;
  let store: JobStore;
  const requestId = '01a228ac-cb63-7b73-a0fb-4492cfc1df38';
  const progress = { updated: 1_000, deadline: 900_000, byte_offset: 4096 };

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'artemis-job-store-'));
    storage = new FilesystemStorage({ root, prefix: 'mcd', publicUrl: 'http://127.0.0.1:1', signingSecret: 's' });
    const read = storage.read.bind(storage);
    // The first `tornReads` reads of the progress record get the start of it only, as a read inside a rewrite does.
    storage.read = async (key, ...rest) => {
      if (key === tornKey && tornReads > 0) {
        tornReads--;
        return Readable.from([Buffer.from('{"updated":1000,"dead')]);
      }
      return read(key, ...rest);
    };
    pauses = [];
    tornKey = jobKey(requestId, PROGRESS_FILE);
    store = new JobStore(storage, async (ms) => void pauses.push(ms));
    await store.writeProgress(requestId, progress);
  });

  afterEach(() => rm(root, { recursive: true, force: true }));

  it('reads the record once a read is whole, after five torn ones, pausing 10, 20, 40, 80 and 160 ms', async () => {
    // Prepare
    tornReads = 5;
    // Act
    const read = await store.progress(requestId);
    // Assess
    expect(read).toEqual(progress);
    expect(pauses).toEqual([10, 20, 40, 80, 160]);
  });

  it('fails with the record named after six torn reads in a row', async () => {
    // Prepare
    tornReads = 6;
    // Act
    const read = store.progress(requestId);
    // Assess
    await expect(read).rejects.toThrow(OperationError);
    await expect(store.progress(requestId)).resolves.toEqual(progress);
    await expect(read).rejects.toThrow(`The async progress record of ${requestId} is not valid`);
    expect(pauses).toEqual([10, 20, 40, 80, 160]);
  });

  it('reads a job record that was being created (a status read as the final record is written)', async () => {
    // Prepare
    const record: JobRecord = {
      v: 1,
      status: 'Pending',
      request_id: requestId,
      trace_id: 'trace-torn',
      connection_type: 'jobs',
      operation_name: 'op',
      created: 1_000,
      deadline: 900_000,
      updated: 1_000,
      log_context: {},
    };
    await store.submit(record, Buffer.from('{}'));
    tornKey = jobKey(requestId, RECORD_FILES.Pending);
    tornReads = 2;
    // Act
    const read = await store.read(requestId);
    // Assess
    expect(read).toEqual(record);
    expect(pauses).toEqual([10, 20]);
  });
});
