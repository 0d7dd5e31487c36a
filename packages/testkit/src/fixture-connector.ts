import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of the `fixture` connector plugin, for MCD_CONNECTOR_MODULES. */
export const FIXTURE_CONNECTOR_MODULE = fileURLToPath(new URL('../fixtures/fixture-connector.mjs', import.meta.url));

/** Environment for an agent under test: the fixture plugin, local storage, debug logs. */
export function fixtureEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    MCD_CONNECTOR_MODULES: FIXTURE_CONNECTOR_MODULE,
    MCD_STORAGE: 'FILESYSTEM',
    MCD_STORAGE_PATH: join(tmpdir(), 'artemis-test-storage'),
    MCD_LOG_LEVEL: 'warn',
    MCD_AGENT_VERSION: '9.9.9',
    MCD_AGENT_BUILD: '42',
    ...extra,
  };
}

/** The body of an execute request against the fixture connector. */
export function fixtureOperation(commands: unknown[], extra: Record<string, unknown> = {}): Buffer {
  return Buffer.from(JSON.stringify({ credentials: {}, operation: { trace_id: 'trace-1', commands, ...extra } }));
}

export function call(method: string, ...args: unknown[]): Record<string, unknown> {
  return { target: '_client', method, args };
}

/** Absolute path of the `sample` connector plugin (the interpreter's test subject: nested objects, cursors, errors). */
export const SAMPLE_PLUGIN = fileURLToPath(new URL('../fixtures/sample-connector.mjs', import.meta.url));
