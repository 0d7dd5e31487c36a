import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from '@jest/globals';
import { REPO_ROOT } from '../../packages/testkit/src/build-for-test';

/*
 * scripts/image/node-with-heap, the images' way of sizing the V8 heap from the platform's memory (issue 9 finding 3),
 * run with the real node: as Lambda's AWS_LAMBDA_EXEC_WRAPPER it gets Lambda's own command line, whose
 * --max-old-space-size (about 90% of the memory) would otherwise win over NODE_OPTIONS.
 */
const SCRIPT = join(REPO_ROOT, 'scripts/image/node-with-heap');
const REPORT =
  'console.log(JSON.stringify({ argv: process.execArgv, limit: require("v8").getHeapStatistics().heap_size_limit }))';

async function start(args: string[], env: Record<string, string>) {
  const { stdout } = await promisify(execFile)('sh', [SCRIPT, ...args], { env: { PATH: process.env.PATH, ...env } });
  return JSON.parse(stdout) as { argv: string[]; limit: number };
}

describe('node-with-heap', () => {
  it('replaces Lambda’s --max-old-space-size with 75% of AWS_LAMBDA_FUNCTION_MEMORY_SIZE', async () => {
    // Act: the command line Lambda's bootstrap hands an exec wrapper.
    const started = await start([process.execPath, '--expose-gc', '--max-old-space-size=460', '-e', REPORT], {
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
    });

    // Assess
    expect(started.argv).toEqual(['--max-old-space-size=384', '--expose-gc', '-e', REPORT]);
    expect(started.limit).toBeGreaterThanOrEqual(384 * 1024 * 1024);
    // heap_size_limit = the old space + V8's young reserve (48 MiB on Node 22, 192 MiB on Node 24).
    expect(started.limit).toBeLessThanOrEqual((384 + 192) * 1024 * 1024);
  });

  it('starts node itself when given only the script (the cloudrun and generic images)', async () => {
    // Act
    const started = await start(['-e', REPORT], { AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024' });

    // Assess
    expect(started.argv).toEqual(['--max-old-space-size=768', '-e', REPORT]);
  });

  it('leaves a --max-old-space-size in NODE_OPTIONS in charge', async () => {
    // Act
    const started = await start([process.execPath, '--max-old-space-size=460', '-e', REPORT], {
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
      NODE_OPTIONS: '--max-old-space-size=200',
    });

    // Assess: nothing on the command line overrides the operator's choice.
    expect(started.argv).toEqual(['-e', REPORT]);
    expect(started.limit).toBeLessThanOrEqual((200 + 192) * 1024 * 1024);
  });
});
