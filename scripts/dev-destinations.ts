/**
 * scripts/dev-destinations: the seed's local webhook-destination environment (seed 002), without Docker:
 *   - an S3 emulator (s3rver, :4566, bucket `test-bucket`) holding every `*.ndjson` of the fixtures folder
 *     (scripts/fixtures, or --fixtures DIR), which is also the agent's own storage;
 *   - a mock destination and mock status API (:5005, the seed's `api_destination`) that log what they receive and
 *     can be told to fail, throttle or slow down (`POST /mock/control`);
 *   - the agent's BUILT Lambda bundle behind scripts/lambda-local (:9001), whose continuations come back through the
 *     real @aws-sdk/client-lambda (`--timeout` sets the function timeout they hand over before).
 * Every process stops with this one (Ctrl-C). `--s3-port`, `--mock-port`, `--lambda-port` (0: ephemeral), `--timeout`,
 * `--bundle`, `--no-build` (handled by the bash wrapper). Once ready it prints one line,
 * `dev-destinations ready {"lambda": …, "s3": …, "mock": …, "bucket": …}`, for tools and tests.
 */
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../packages/core/src/config/config';
import { createStorageBackend } from '../packages/core/src/storage/create-storage-backend';
import { S3RVER_KEYS, startS3rver } from '../packages/core/tests/storage/support/storage-emulators';
import { startMockDestination } from '../packages/testkit/src/fakes/mock-destination';

const root = join(import.meta.dirname, '..');
const BUCKET = 'test-bucket';

const { values } = parseArgs({
  options: {
    'no-build': { type: 'boolean' },
    bundle: { type: 'string' },
    timeout: { type: 'string' },
    fixtures: { type: 'string' },
    'lambda-port': { type: 'string' },
    's3-port': { type: 'string' },
    'mock-port': { type: 'string' },
  },
});

const say = (line: string) => process.stdout.write(`${line}\n`);
const stops: (() => Promise<unknown>)[] = [];

async function main(): Promise<void> {
  const s3 = await startS3rver(BUCKET, { port: Number(values['s3-port'] ?? 4566) });
  stops.push(() => s3.stop());
  const storageEnv = {
    MCD_STORAGE: 'S3_COMPATIBLE',
    MCD_STORAGE_BUCKET_NAME: BUCKET,
    MCD_STORAGE_ENDPOINT_URL: s3.url,
    MCD_STORAGE_ACCESS_KEY: S3RVER_KEYS.accessKey,
    MCD_STORAGE_SECRET_KEY: S3RVER_KEYS.secretKey,
    MCD_STORAGE_REGION: 'us-east-1',
    // No prefix: the fixtures sit at the bucket's root, as in the seed's fake S3.
    MCD_STORAGE_PREFIX: '',
  };
  const fixtures = values.fixtures ?? join(root, 'scripts', 'fixtures');
  const storage = await createStorageBackend('S3_COMPATIBLE', loadConfig(storageEnv));
  for (const name of (await readdir(fixtures)).filter((file) => file.endsWith('.ndjson')).sort()) {
    await storage.write(name, createReadStream(join(fixtures, name)));
    say(`[s3] ${s3.url}/${BUCKET}/${name}`);
  }

  const api = await startMockDestination({
    log: (line) => say(`[mock] ${line}`),
    port: Number(values['mock-port'] ?? 5005),
  });
  stops.push(() => api.close());

  const lambdaArgs = ['--no-build', '--port', values['lambda-port'] ?? '9001'];
  if (values.bundle) lambdaArgs.push('--bundle', values.bundle);
  if (values.timeout) lambdaArgs.push('--timeout', values.timeout);
  const lambda = spawn(join(root, 'scripts', 'lambda-local'), lambdaArgs, {
    env: {
      ...storageEnv,
      MCD_HTTP_ALLOW_LOOPBACK: 'true',
      MCD_DESTINATION_DEFAULT: 'http-json',
      MCD_DESTINATION_TENANT: 'local-tenant',
      ...process.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  stops.push(
    () =>
      new Promise((resolve) => {
        if (lambda.exitCode !== null) return resolve(undefined);
        lambda.once('exit', resolve);
        lambda.kill('SIGTERM');
      }),
  );
  const lambdaUrl = await new Promise<string>((resolve, reject) => {
    let seen = '';
    const onData = (prefix: string) => (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      for (const line of text.split('\n').filter(Boolean)) say(`[${prefix}] ${line}`);
      seen += text;
      const match = /lambda-local listening on (http:\/\/\S+)/.exec(seen);
      if (match?.[1]) resolve(match[1]);
    };
    lambda.stdout?.on('data', onData('lambda'));
    lambda.stderr?.on('data', onData('lambda'));
    lambda.once('exit', (code) => reject(new Error(`lambda-local exited with ${code}`)));
  });

  say('');
  say(`Deliver ${s3.url}/${BUCKET}/sample.ndjson to the mock destination, reporting to the mock status API:`);
  say(`  curl -s -X POST '${lambdaUrl}/api/v1/destinations/http-json' -H 'Content-Type: application/json' \\`);
  say(
    `    -d '{"data_url": "${s3.url}/${BUCKET}/sample.ndjson", "callback_url": "${api.url}/mock/poll/", "webhook_id": "wh-abcd12345", "settings": {"url": "${api.url}/mock/destination"}}'`,
  );
  say(`  curl -s '${lambdaUrl}/async/api/v1/status/<job_id>'`);
  say(`  curl -s -X POST '${api.url}/mock/control' -d '{"throttle_every": 3, "retry_after": 1, "fail_batches": [2]}'`);
  say('');
  say(`dev-destinations ready ${JSON.stringify({ lambda: lambdaUrl, s3: s3.url, mock: api.url, bucket: BUCKET })}`);
}

async function stopAll(code: number): Promise<never> {
  for (const stop of stops.reverse()) await stop().catch(() => undefined);
  process.exit(code);
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void stopAll(0));
main().catch((error: Error) => {
  process.stderr.write(`dev-destinations failed: ${error.stack ?? error.message}\n`);
  void stopAll(1);
});
