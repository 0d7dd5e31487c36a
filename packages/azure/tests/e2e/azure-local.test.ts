import { join } from 'node:path';
import {
  adapterCases,
  buildForTest,
  fetchAnswer,
  fixtureEnv,
  type StartedProcess,
  startEmulator,
} from '@artemis/testkit';
import { afterAll, beforeAll, describe, it } from '@jest/globals';

/* End to end: the BUILT Functions app (temp folder, no node_modules above it) behind scripts/azure-local. */
let bundle: Awaited<ReturnType<typeof buildForTest>>;
let emulator: StartedProcess;

beforeAll(async () => {
  bundle = await buildForTest('azure');
  emulator = await startEmulator('azure-local', join(bundle.dir, 'azure/index.mjs'), fixtureEnv());
}, 180_000); // building the bundle on a loaded machine: the hook's time is not what is tested

afterAll(async () => {
  await emulator?.stop();
  await bundle?.remove();
});

describe('scripts/azure-local with the built Functions app', () => {
  it.each(adapterCases('Azure').map((c) => [c.name, c] as const))('%s', async (_name, testCase) => {
    // Act
    const answer = await fetchAnswer(emulator.ready, testCase.call);
    // Assess
    testCase.check(answer);
  });
});
