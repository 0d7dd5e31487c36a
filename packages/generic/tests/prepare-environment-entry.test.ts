import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { type FakeAws, startFakeAws } from '@artemis/testkit';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

const root = join(import.meta.dirname, '..', '..', '..');
const main = join(root, 'packages', 'generic', 'src', 'generic-entry.ts');
const tsx = join(root, 'node_modules', '.bin', 'tsx');

/** Runs the generic entry point (generic-entry.ts) with `env`; resolves with its exit code and stderr. */
function runMain(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      tsx,
      [main],
      { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 240_000 },
      (error, _stdout, stderr) => resolve({ code: error ? (child.exitCode ?? 1) : 0, stderr }),
    );
  });
}

describe('generic-entry.ts prepares the environment before parsing the configuration', () => {
  let aws: FakeAws;
  beforeAll(async () => {
    aws = await startFakeAws();
  });
  afterAll(() => aws.close());

  it('MCD_ADDITIONAL_ENV_VARS reaches the configuration (an invalid value in it stops start-up naming the variable)', async () => {
    // Act
    const { code, stderr } = await runMain({ MCD_ADDITIONAL_ENV_VARS: '{"MCD_OPERATION_TIMEOUT_SECONDS": "soon"}' });

    // Assess
    expect(code).toBe(1);
    expect(stderr).toContain(
      "artemis: Invalid configuration: MCD_OPERATION_TIMEOUT_SECONDS: expected a non-negative integer (got 'soon')",
    );
  });

  it('a CA bundle secret that cannot be fetched stops start-up with one line', async () => {
    // Act: the real SDK, configured the standard way (AWS_ENDPOINT_URL_*), against the fake.
    const { code, stderr } = await runMain({
      MCD_AWS_CA_BUNDLE_SECRET_NAME: 'agent/missing',
      AWS_ENDPOINT_URL_SECRETS_MANAGER: aws.url,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIDAGENT',
      AWS_SECRET_ACCESS_KEY: 'agent-secret',
    });

    // Assess
    expect(code).toBe(1);
    // The last line: Node may print its own warnings first (the AWS SDK warns about Node 20).
    expect(stderr.trim().split('\n').at(-1)).toBe(
      "artemis: MCD_AWS_CA_BUNDLE_SECRET_NAME: cannot fetch agent/missing from AWS Secrets Manager: ResourceNotFoundException: Secrets Manager can't find the specified secret.",
    );
    expect(aws.calls.map((call) => call.operation)).toEqual(['secretsmanager.GetSecretValue']);
  });
});
