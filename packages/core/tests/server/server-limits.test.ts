import { once } from 'node:events';
import type { AddressInfo, Socket } from 'node:net';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestAgent, type TestAgent } from '../support/test-agent';

/*
 * The local server's (and the Cloud Run server's) own limits against slow clients (issue 9 finding 8), driven over
 * real sockets with tiny limits. Outcomes only: what a slow client receives and that everyone else is still served,
 * never how long anything took.
 */

const SLOW_BODY_MESSAGE =
  'Request body arrived too slowly (nothing for 300 ms, or under 1000 bytes/s); connection closed';

/** A raw client: what it sent so far is up to the test; `closed` resolves with everything it received. */
function rawClient(agent: TestAgent, first: string): { socket: Socket; closed: Promise<string> } {
  const { port } = agent.server.address() as AddressInfo;
  const socket = connect(port, '127.0.0.1');
  socket.write(first);
  const received: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => received.push(chunk));
  const closed = new Promise<string>((resolve) => {
    socket.once('close', () => resolve(Buffer.concat(received).toString('utf8')));
    socket.once('error', () => undefined);
  });
  return { socket, closed };
}

function parseResponse(raw: string): { status: number; headers: string; body: unknown } {
  const [head = '', body = ''] = raw.split('\r\n\r\n');
  return { status: Number(head.split(' ')[1]), headers: head.toLowerCase(), body: body ? JSON.parse(body) : undefined };
}

const postHeaders = (length: number) =>
  `POST /api/v1/test/health HTTP/1.1\r\nHost: agent\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`;

describe('local server limits against slow clients', () => {
  let agent: TestAgent;
  beforeAll(async () => {
    agent = await startTestAgent({
      MCD_SERVER_HEADERS_TIMEOUT_MS: '200',
      MCD_SERVER_BODY_IDLE_TIMEOUT_MS: '300',
      MCD_SERVER_MIN_BODY_BYTES_PER_SECOND: '1000',
    });
  });
  afterAll(() => agent.close());

  it('answers 408 and closes when the headers never end, and serves other clients meanwhile', async () => {
    // Prepare
    const slow = rawClient(agent, 'GET /health HTTP/1.1\r\nHost: agent\r\nX-Slow: ');

    // Act
    const other = await agent.get('/api/v1/test/health?trace_id=other');
    const received = await slow.closed;

    // Assess
    expect(other.status).toBe(200);
    expect(received.startsWith('HTTP/1.1 408 Request Timeout\r\n')).toBe(true);
  });

  it('answers a 408 error envelope and closes when the body stalls', async () => {
    // Prepare
    const stalled = rawClient(agent, `${postHeaders(100)}{"trace_id":`);

    // Act
    const other = await agent.post('/api/v1/test/health', { trace_id: 'other' });
    const response = parseResponse(await stalled.closed);

    // Assess
    expect(other.status).toBe(200);
    expect(response.status).toBe(408);
    expect(response.headers).toContain('\r\nconnection: close');
    expect(response.body).toEqual({
      __mcd_error__: SLOW_BODY_MESSAGE,
      __mcd_exception__: `RequestTimeoutError: ${SLOW_BODY_MESSAGE}`,
      __mcd_stack_trace__: expect.any(Array),
    });
  });

  it('cuts a body dribbled in below the floor rate, though no gap reaches the idle timeout', async () => {
    // Prepare: one byte every 20 ms is 50 bytes/s, far under the 1000 bytes/s floor
    const length = 10_000;
    const dribbler = rawClient(agent, postHeaders(length));
    let sent = 0;
    const drip = setInterval(() => {
      if (!dribbler.socket.destroyed && sent < length) dribbler.socket.write(' ', () => sent++);
    }, 20);

    // Act
    const other = await agent.get('/api/v1/test/health?trace_id=other');
    const response = parseResponse(await dribbler.closed);
    clearInterval(drip);

    // Assess
    expect(other.status).toBe(200);
    expect(sent).toBeLessThan(length);
    expect(response.status).toBe(408);
    expect(response.body).toMatchObject({ __mcd_error__: SLOW_BODY_MESSAGE });
    expect(agent.logs).toContainEqual(
      expect.objectContaining({ level: 'warn', msg: 'Request body not received', error: SLOW_BODY_MESSAGE }),
    );
  });

  it('still reads an ordinary body under the same limits', async () => {
    // Act
    const response = await agent.post('/api/v1/test/health', { trace_id: 'ordinary' });

    // Assess
    expect(response.status).toBe(200);
    await expect(response.json()).resolves.toMatchObject({ trace_id: 'ordinary' });
  });
});

describe('local server connection cap', () => {
  it('drops connections beyond MCD_SERVER_MAX_CONNECTIONS and serves again once slow ones are cut', async () => {
    // Prepare
    const agent = await startTestAgent({ MCD_SERVER_MAX_CONNECTIONS: '2', MCD_SERVER_HEADERS_TIMEOUT_MS: '200' });
    const accepted: Socket[] = [];
    agent.server.on('connection', (socket: Socket) => accepted.push(socket));
    try {
      const first = rawClient(agent, 'GET / HTTP/1.1\r\nHost: a\r\n');
      const second = rawClient(agent, 'GET / HTTP/1.1\r\nHost: b\r\n');
      while (accepted.length < 2) await once(agent.server, 'connection');

      // Act
      const dropped = once(agent.server, 'drop');
      const third = rawClient(agent, 'GET / HTTP/1.1\r\nHost: c\r\n\r\n');
      await dropped;
      const thirdReceived = await third.closed;
      const cut = await Promise.all([first.closed, second.closed]);
      await Promise.all(accepted.map((socket) => (socket.destroyed ? undefined : once(socket, 'close'))));
      const afterwards = await agent.get('/health');

      // Assess
      expect(agent.server.maxConnections).toBe(2);
      expect(thirdReceived).toBe('');
      expect(cut.map((text) => text.split('\r\n')[0])).toEqual([
        'HTTP/1.1 408 Request Timeout',
        'HTTP/1.1 408 Request Timeout',
      ]);
      expect(afterwards.status).toBe(200);
    } finally {
      await agent.close();
    }
  });
});
