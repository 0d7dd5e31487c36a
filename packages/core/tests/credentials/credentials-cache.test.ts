import { type FakeAws, fakeAwsClients, startFakeAws } from '@artemis/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { Credentials } from '../../src/connectors/proxy-client';
import { ECHO_PATH, echoConnectors, echoRequest } from '../support/echo-connector';
import { expectFreeOfSecrets } from '../support/secret-leaks';
import { startTestAgent, type TestAgent } from '../support/test-agent';

const PASSWORD = 'cache-pw-Ub4Gs6';
const envelope = {
  self_hosted_credentials_type: 'aws_secrets_manager',
  aws_secret: 'prod/db',
  aws_region: 'us-east-1',
};

/** A connector that scribbles over the credentials it is given, as careless driver code might. */
const mutatingConnectors = {
  ...echoConnectors,
  mutating: async () => ({
    create: (credentials: Credentials) => {
      const connectArgs = credentials.connect_args as Record<string, unknown>;
      connectArgs.password = 'overwritten';
      return { extensions: { credentials: () => credentials } };
    },
  }),
};

describe('the external credentials cache (MCD_EXTERNAL_CREDENTIALS_CACHE_TTL_SECONDS)', () => {
  let aws: FakeAws;
  let agent: TestAgent;
  let clock = 0;
  const secretsManagerCalls = () => aws.calls.filter((call) => call.operation === 'secretsmanager.GetSecretValue');
  const cacheLog = () =>
    agent.logs.filter((line) => String(line.msg).startsWith('Loaded external credentials')).map((line) => line.cache);
  const fetchEcho = async (credentials: unknown, extra: Record<string, unknown> = {}, path = ECHO_PATH) => {
    const body = echoRequest(credentials);
    const response = await agent.post(path, { ...body, operation: { ...body.operation, ...extra } });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    aws = await startFakeAws();
  });
  beforeEach(async () => {
    // A fresh agent per test: a fresh cache, with a 300 s TTL on a clock the test moves.
    clock = 1_000_000;
    aws.calls.length = 0;
    aws.secrets.set('prod/db', JSON.stringify({ connect_args: { host: 'db.aws', password: PASSWORD } }));
    agent = await startTestAgent(
      { MCD_EXTERNAL_CREDENTIALS_CACHE_TTL_SECONDS: '300' },
      { connectors: mutatingConnectors, selfHostedCredentials: { aws: fakeAwsClients(aws), now: () => clock } },
    );
  });
  afterEach(async () => {
    expectFreeOfSecrets(agent.logs, [PASSWORD]);
    await agent.close();
  });
  afterAll(() => aws.close());

  it('a second request within the TTL is served from the cache', async () => {
    // Act
    const first = await fetchEcho(envelope);
    clock += 299_000;
    const second = await fetchEcho(envelope);

    // Assess
    expect(first.body.__mcd_result__).toEqual({ connect_args: { host: 'db.aws', password: PASSWORD } });
    expect(second.body.__mcd_result__).toEqual(first.body.__mcd_result__);
    expect(secretsManagerCalls()).toHaveLength(1);
    expect(cacheLog()).toEqual(['miss', 'hit']);
  });

  it('an entry past its TTL is fetched again', async () => {
    // Act
    await fetchEcho(envelope);
    clock += 301_000;
    const second = await fetchEcho(envelope);

    // Assess
    expect(second.status).toBe(200);
    expect(secretsManagerCalls()).toHaveLength(2);
    expect(cacheLog()).toEqual(['miss', 'miss']);
  });

  it('the key ignores key order and connect_args, which are still merged per request', async () => {
    // Act
    const first = await fetchEcho({ ...envelope, connect_args: { port: 1 } });
    const reordered = Object.fromEntries(Object.entries(envelope).reverse());
    const second = await fetchEcho({ connect_args: { port: 2 }, ...reordered });

    // Assess
    expect(secretsManagerCalls()).toHaveLength(1);
    expect(first.body.__mcd_result__).toEqual({ connect_args: { host: 'db.aws', password: PASSWORD, port: 1 } });
    expect(second.body.__mcd_result__).toEqual({ connect_args: { host: 'db.aws', password: PASSWORD, port: 2 } });
  });

  it('a different pointer is a different entry', async () => {
    // Prepare
    aws.secrets.set('prod/other', JSON.stringify({ connect_args: { host: 'other' } }));

    // Act
    await fetchEcho(envelope);
    const other = await fetchEcho({ ...envelope, aws_secret: 'prod/other' });

    // Assess
    expect(other.body.__mcd_result__).toEqual({ connect_args: { host: 'other' } });
    expect(secretsManagerCalls()).toHaveLength(2);
  });

  it('a failure is not cached: the next request fetches again', async () => {
    // Prepare
    aws.secrets.delete('prod/db');

    // Act
    const failed = await fetchEcho(envelope);
    aws.secrets.set('prod/db', JSON.stringify({ connect_args: { host: 'db.aws', password: PASSWORD } }));
    const retried = await fetchEcho(envelope);

    // Assess
    expect(failed.status).toBe(400);
    expect(retried.status).toBe(200);
    expect(retried.body.__mcd_result__).toEqual({ connect_args: { host: 'db.aws', password: PASSWORD } });
    expect(secretsManagerCalls()).toHaveLength(2);
    expect(cacheLog()).toEqual(['miss-failed', 'miss']);
  });

  it('a connector that mutates its credentials does not change the cached document', async () => {
    // Act
    const mutated = await fetchEcho(envelope, { skip_cache: true }, '/api/v1/agent/execute/mutating/read');
    const clean = await fetchEcho(envelope);

    // Assess
    expect(mutated.body.__mcd_result__).toEqual({ connect_args: { host: 'db.aws', password: 'overwritten' } });
    expect(clean.body.__mcd_result__).toEqual({ connect_args: { host: 'db.aws', password: PASSWORD } });
    expect(secretsManagerCalls()).toHaveLength(1);
  });

  it('concurrent requests for one envelope share a single fetch', async () => {
    // Act
    const results = await Promise.all([1, 2, 3, 4, 5].map(() => fetchEcho(envelope)));

    // Assess
    expect(results.map((result) => result.status)).toEqual([200, 200, 200, 200, 200]);
    expect(secretsManagerCalls()).toHaveLength(1);
  });
});

describe('MCD_EXTERNAL_CREDENTIALS_CACHE_TTL_SECONDS=0', () => {
  it('disables the cache: every request fetches', async () => {
    // Prepare
    const aws = await startFakeAws();
    aws.secrets.set('prod/db', JSON.stringify({ connect_args: { host: 'db.aws', password: PASSWORD } }));
    const agent = await startTestAgent(
      { MCD_EXTERNAL_CREDENTIALS_CACHE_TTL_SECONDS: '0' },
      { connectors: echoConnectors, selfHostedCredentials: { aws: fakeAwsClients(aws) } },
    );

    try {
      // Act
      await agent.post(ECHO_PATH, echoRequest(envelope));
      await agent.post(ECHO_PATH, echoRequest(envelope));

      // Assess
      expect(aws.calls).toHaveLength(2);
      expect(agent.logs.filter((line) => line.cache === 'disabled')).toHaveLength(2);
      expectFreeOfSecrets(agent.logs, [PASSWORD]);
    } finally {
      await agent.close();
      await aws.close();
    }
  });
});
