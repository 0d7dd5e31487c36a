import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { buildForTest, REPO_ROOT } from '../../packages/testkit/src/build-for-test';
import { runUntilExit } from '../../packages/testkit/src/child-process';

/*
 * Issue 17: a bad MCD_CONFIG_SOURCE stops the BUILT bundles at start-up with one line on stderr and exit code 1 —
 * the generic server (node) and the Lambda handler in scripts/lambda-local (INIT fails). The documents a store may
 * not hold are served from `file:` (the same check applies to every store; packages/core/tests/config-source runs
 * each store's SDK client against its fake).
 */
const SECRET = 'startup-secret-Rk29Xv';

let bundle: Awaited<ReturnType<typeof buildForTest>>;
let dir: string;
beforeAll(async () => {
  bundle = await buildForTest('generic', 'lambda');
  dir = mkdtempSync(join(tmpdir(), 'artemis-config-source-startup-'));
  writeFileSync(join(dir, 'array.json'), JSON.stringify([{ MCD_LOG_LEVEL: 'debug' }]));
  writeFileSync(join(dir, 'foreign.json'), JSON.stringify({ AWS_SECRET_ACCESS_KEY: SECRET }));
  writeFileSync(join(dir, 'nested.json'), JSON.stringify({ MCD_DATABASE: { password: SECRET } }));
}, 180_000);
afterAll(async () => {
  await bundle?.remove();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** An entry point's command line, given the build folder. */
type Command = (build: string) => readonly [string, readonly string[]];

const ENTRY_POINTS: ReadonlyArray<readonly [string, Command]> = [
  ['generic (node dist/generic/index.mjs)', (build) => [process.execPath, [join(build, 'generic/index.mjs')]]],
  [
    'Lambda (dist/lambda/index.mjs in scripts/lambda-local)',
    (build) => [
      join(REPO_ROOT, 'scripts/lambda-local'),
      ['--no-build', '--port', '0', '--bundle', join(build, 'lambda/index.mjs')],
    ],
  ],
];

const CASES = [
  [
    'ssm: with no path',
    'ssm:',
    "artemis: Invalid configuration: MCD_CONFIG_SOURCE: ssm: needs a parameter path such as ssm:/artemis/prod/ or a parameter name (got 'ssm:')",
  ],
  [
    'an unknown scheme',
    'vault:/artemis/prod',
    "artemis: Invalid configuration: MCD_CONFIG_SOURCE: unknown scheme; expected ssm:, secretsmanager:, gcp-secret:, keyvault:, file: (got 'vault:/artemis/prod')",
  ],
  [
    'a JSON array',
    'file:array.json',
    'artemis: MCD_CONFIG_SOURCE file:array.json: expected a JSON object of variables, got an array',
  ],
  [
    'a non-MCD name',
    'file:foreign.json',
    'artemis: MCD_CONFIG_SOURCE file:foreign.json: AWS_SECRET_ACCESS_KEY is not accepted (only MCD_* names and APPINSIGHTS_RESOURCE_ID, GOOGLE_CLOUD_PROJECT, PORT)',
  ],
  [
    'a nested value',
    'file:nested.json',
    'artemis: MCD_CONFIG_SOURCE file:nested.json: MCD_DATABASE must be a string, a number or a boolean (got an object)',
  ],
] as const;

describe.each(ENTRY_POINTS)('%s', (_name, command) => {
  it.each(CASES)('stops on %s with one line and exit code 1', async (_case, source, line) => {
    // Prepare
    const [program, args] = command(bundle.dir);
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: '0',
      MCD_STORAGE: 'FILESYSTEM',
      MCD_STORAGE_PATH: join(dir, 'storage'),
      MCD_CREDENTIALS_FILE_DIRS: dir,
      MCD_CONFIG_SOURCE: source,
    };

    // Act
    const finished = await runUntilExit(program, [...args], { env });

    // Assess
    expect({ code: finished.code, stderr: finished.stderr }).toEqual({ code: 1, stderr: `${line}\n` });
    expect(finished.stdout).not.toContain(SECRET);
  });
});
