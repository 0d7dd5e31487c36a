import { mkdir, symlink } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { buildForTest, REPO_ROOT } from '../../packages/testkit/src/build-for-test';
import { freePort, runUntilExit, startProcess } from '../../packages/testkit/src/child-process';

/*
 * Every entry point boots the same way (`bootAgent`, packages/core/src/agent/boot-agent.ts), tested through the
 * BUILT bundles as each platform runs them: the generic and Cloud Run servers with node, the Cloud Run function
 * under the functions-framework CLI, the Lambda handler behind scripts/lambda-local (in-process, as Lambda's runtime
 * loads it) and the Functions app behind scripts/azure-local. A bad start-up is one line on stderr and exit code 1;
 * a good one logs prepareEnvironment's notes.
 */
interface EntryPoint {
  readonly name: string;
  /** The command line, given the build folder and a free port. */
  readonly command: (dir: string, port: number) => [string, string[]];
}

const bin = (name: string) => join(REPO_ROOT, 'node_modules/.bin', name);
const script = (name: string) => join(REPO_ROOT, 'scripts', name);

const ENTRY_POINTS: readonly EntryPoint[] = [
  {
    name: 'generic (node dist/generic/index.mjs)',
    command: (dir) => [process.execPath, [join(dir, 'generic/index.mjs')]],
  },
  {
    name: 'Cloud Run image (node dist/cloudrun/index.mjs)',
    command: (dir) => [process.execPath, [join(dir, 'cloudrun/index.mjs')]],
  },
  {
    name: 'Cloud Run function (functions-framework --source dist/cloudrun)',
    command: (dir, port) => [
      bin('functions-framework'),
      ['--target=artemis', `--source=${join(dir, 'cloudrun')}`, `--port=${port}`],
    ],
  },
  {
    name: 'Lambda (dist/lambda/index.mjs in scripts/lambda-local)',
    command: (dir) => [
      script('lambda-local'),
      ['--no-build', '--port', '0', '--bundle', join(dir, 'lambda/index.mjs')],
    ],
  },
  {
    name: 'Azure Functions (dist/azure/index.mjs in scripts/azure-local)',
    command: (dir) => [script('azure-local'), ['--no-build', '--port', '0', '--bundle', join(dir, 'azure/index.mjs')]],
  },
];

/** A clean environment (none of the developer's MCD_* variables), local storage, loopback only. */
function environment(extra: Record<string, string>): Record<string, string | undefined> {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    PORT: '0',
    MCD_LISTEN_HOST: '127.0.0.1',
    MCD_STORAGE: 'FILESYSTEM',
    MCD_STORAGE_PATH: join(tmpdir(), 'artemis-entry-points-storage'),
    ...extra,
  };
}

let bundle: Awaited<ReturnType<typeof buildForTest>>;

beforeAll(async () => {
  bundle = await buildForTest('generic', 'cloudrun', 'lambda', 'azure');
  // The function's `package.json` names functions-framework; `npm install` beside it is what a deploy does.
  const installed = join(bundle.dir, 'cloudrun/node_modules/@google-cloud/functions-framework');
  await mkdir(dirname(installed), { recursive: true });
  await symlink(join(REPO_ROOT, 'node_modules/@google-cloud/functions-framework'), installed);
}, 180_000);
afterAll(() => bundle?.remove());

describe.each(ENTRY_POINTS.map((entry) => [entry.name, entry] as const))('%s', (_name, entry) => {
  it.each([
    [
      'an invalid MCD_STORAGE',
      { MCD_STORAGE: 'DROPBOX' },
      "artemis: Invalid configuration: MCD_STORAGE: expected one of S3, GCS, AZURE_BLOB, S3_COMPATIBLE, FILESYSTEM (got 'DROPBOX')",
    ],
    [
      'an invalid variable set through MCD_ADDITIONAL_ENV_VARS',
      { MCD_ADDITIONAL_ENV_VARS: '{"MCD_OPERATION_TIMEOUT_SECONDS": "soon"}' },
      "artemis: Invalid configuration: MCD_OPERATION_TIMEOUT_SECONDS: expected a non-negative integer (got 'soon')",
    ],
  ])('stops on %s with one line naming it and exit code 1', async (_case, env, line) => {
    // Prepare
    const [command, args] = entry.command(bundle.dir, await freePort());

    // Act
    const finished = await runUntilExit(command, args, { env: environment(env) });

    // Assess
    expect({ code: finished.code, stderr: finished.stderr }).toEqual({ code: 1, stderr: `${line}\n` });
  });

  it('stops with one line and exit code 1 when a plugin cannot be loaded', async () => {
    // Prepare
    const [command, args] = entry.command(bundle.dir, await freePort());

    // Act
    const finished = await runUntilExit(command, args, {
      env: environment({ MCD_CONNECTOR_MODULES: '/nonexistent/plugin.mjs' }),
    });

    // Assess
    expect(finished.code).toBe(1);
    expect(finished.stderr).toMatch(/^artemis: Cannot load connector module \/nonexistent\/plugin\.mjs: [^\n]+\n$/);
  });

  it("logs prepareEnvironment's start-up notes through the agent's logger", async () => {
    // Prepare
    const [command, args] = entry.command(bundle.dir, await freePort());
    const env = environment({
      MCD_LOG_LEVEL: 'info',
      MCD_ADDITIONAL_ENV_VARS: JSON.stringify({ MCD_AGENT_WRAPPER_TYPE: 'ADDITIONAL', NESTED: { no: 1 } }),
    });

    // Act: the notes are logged in order, so once the last is out, both are.
    const started = await startProcess(command, args, { env, ready: /skipped non-scalar values: NESTED/ });
    await started.stop();

    // Assess
    const messages = started
      .stdout()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => (JSON.parse(line) as { msg?: unknown }).msg);
    expect(messages).toEqual(
      expect.arrayContaining([
        'MCD_ADDITIONAL_ENV_VARS applied: MCD_AGENT_WRAPPER_TYPE',
        'MCD_ADDITIONAL_ENV_VARS skipped non-scalar values: NESTED',
      ]),
    );
  });
});

describe.each(ENTRY_POINTS.slice(0, 2).map((entry) => [entry.name, entry] as const))('%s', (_name, entry) => {
  it('stops with one line and exit code 1 when its port is taken', async () => {
    // Prepare: a server already holds the port.
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as AddressInfo;
    const [command, args] = entry.command(bundle.dir, port);

    // Act
    const finished = await runUntilExit(command, args, { env: environment({ PORT: String(port) }) });
    taken.close();

    // Assess
    expect({ code: finished.code, stderr: finished.stderr }).toEqual({
      code: 1,
      stderr: `artemis: Cannot listen on 127.0.0.1:${port}: listen EADDRINUSE: address already in use 127.0.0.1:${port}\n`,
    });
  });
});
