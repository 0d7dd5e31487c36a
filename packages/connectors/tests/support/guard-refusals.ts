import { lookup } from 'node:dns/promises';
import { once } from 'node:events';
import { type AddressInfo, createServer } from 'node:net';
import { afterAll, beforeAll, expect } from '@jest/globals';
import { startConnectorsAgent, type TestAgent } from './connectors-agent';

/**
 * A TCP listener on 127.0.0.1 standing in for a database that must not be reached: it counts the connections it
 * accepts and closes them, so a test can prove that a refused destination saw no packet at all.
 */
export interface CountingListener {
  readonly port: number;
  readonly connections: number;
  close(): Promise<void>;
}

export async function startCountingListener(): Promise<CountingListener> {
  let connections = 0;
  const server = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    get connections() {
      return connections;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The error envelope of a destination the SSRF guard refused (SPEC §3.1). */
export function forbiddenEnvelope(message: string, traceId: string, errorName = 'ForbiddenError') {
  return {
    __mcd_error__: message,
    __mcd_exception__: `${errorName}: ${message}`,
    __mcd_stack_trace__: expect.any(Array),
    __mcd_error_type__: 'Forbidden',
    __mcd_trace_id__: traceId,
  };
}

/** The guard's refusal of `localhost`, which names the first address the resolver gives (127.0.0.1 or ::1). */
export async function localhostRefusal(): Promise<string> {
  const [first] = await lookup('localhost', { all: true, verbatim: true });
  return `Destination refused: blocked address ${first?.address} resolved from hostname localhost`;
}

/**
 * For a test file about refusals: a counting listener standing for the database and an agent with loopback refused,
 * started before the file's tests and stopped after them.
 */
export function refusalFixture(): { readonly listener: CountingListener; readonly strict: TestAgent } {
  let listener: CountingListener | undefined;
  let strict: TestAgent | undefined;
  beforeAll(async () => {
    listener = await startCountingListener();
    strict = await startConnectorsAgent({ MCD_NETWORK_ALLOW_LOOPBACK: 'false' });
  });
  afterAll(async () => {
    await strict?.close();
    await listener?.close();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('refusalFixture is used before its beforeAll ran');
    return value;
  };
  return {
    get listener() {
      return started(listener);
    },
    get strict() {
      return started(strict);
    },
  };
}
