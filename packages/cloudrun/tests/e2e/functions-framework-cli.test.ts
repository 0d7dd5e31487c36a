import { mkdir, symlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  buildForTest,
  call,
  fetchAnswer,
  fixtureEnv,
  fixtureOperation,
  freePort,
  type StartedProcess,
  startProcess,
} from '@artemis/testkit';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

/*
 * `functions-framework --target=artemis --source=dist/cloudrun`, as `gcloud functions deploy --source dist/cloudrun`
 * runs it: the framework is installed beside the bundle (here: linked, as `npm install` of its package.json would).
 */
const packageDir = fileURLToPath(new URL('../../', import.meta.url));
let bundle: Awaited<ReturnType<typeof buildForTest>>;
let framework: StartedProcess;
let url: string;

beforeAll(async () => {
  bundle = await buildForTest('cloudrun');
  const source = join(bundle.dir, 'cloudrun');
  const installed = join(source, 'node_modules/@google-cloud/functions-framework');
  await mkdir(dirname(installed), { recursive: true });
  await symlink(join(packageDir, 'node_modules/@google-cloud/functions-framework'), installed);
  const port = await freePort();
  framework = await startProcess(
    join(packageDir, 'node_modules/.bin/functions-framework'),
    ['--target=artemis', `--source=${source}`, `--port=${port}`],
    { env: { ...process.env, ...fixtureEnv() }, ready: /URL: http:\/\/localhost:(\d+)/ },
  );
  url = `http://127.0.0.1:${port}`;
}, 180_000); // building the bundle on a loaded machine: the hook's time is not what is tested

afterAll(async () => {
  await framework?.stop();
  await bundle?.remove();
});

describe('functions-framework CLI with dist/cloudrun', () => {
  it('serves health from the registered function', async () => {
    // Act
    const answer = await fetchAnswer(url, {
      method: 'GET',
      path: '/api/v1/test/health',
      query: { trace_id: 'ff' },
    });
    // Assess
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body.toString('utf8'))).toMatchObject({ platform: 'GCP', trace_id: 'ff' });
  });

  it('runs an operation', async () => {
    // Act
    const answer = await fetchAnswer(url, {
      method: 'POST',
      path: '/api/v1/agent/execute/fixture/echo',
      headers: { 'content-type': 'application/json' },
      body: fixtureOperation([call('echo', 'ok')]),
    });
    // Assess
    expect(JSON.parse(answer.body.toString('utf8'))).toEqual({ __mcd_result__: 'ok', __mcd_trace_id__: 'trace-1' });
  });
});
