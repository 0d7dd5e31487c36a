import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzePipeline, type CompiledPipeline } from '../../src/ctp/compile-pipeline';
import type { CredentialPipeline } from '../../src/ctp/credential-pipeline';
import { TempFiles } from '../../src/ctp/temp-files';
import type { PipelineServices } from '../../src/ctp/transforms/transform';
import { NetworkGuard } from '../../src/network/network-guard';
import type { StorageBackend } from '../../src/storage/storage-backend';

/** Services for running pipelines in a test: a temp folder of its own, a loopback-allowing guard, a fixed clock. */
export async function testServices(
  overrides: Partial<PipelineServices> = {},
): Promise<PipelineServices & { folder: string }> {
  const folder = await mkdtemp(join(tmpdir(), 'artemis-ctp-test-'));
  return {
    folder,
    network: () => new NetworkGuard({ allowLoopback: true, blockedCidrs: [] }),
    tempFiles: new TempFiles(folder),
    storage: async () => {
      throw new Error('no storage in this test');
    },
    awsClientConfig: async () => ({}),
    now: () => Date.UTC(2030, 0, 1),
    timeoutMs: 5000,
    ...overrides,
  } as PipelineServices & { folder: string } & { storage: () => Promise<StorageBackend> };
}

export function compiled(config: unknown, registered?: CredentialPipeline): CompiledPipeline {
  const { pipeline, errors } = analyzePipeline(config, registered);
  if (!pipeline) throw new Error(errors.join('; '));
  return pipeline;
}
