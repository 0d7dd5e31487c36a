import { afterEach, describe, expect, it } from '@jest/globals';
import { execute, SAMPLE_PLUGIN, startTestAgent, type TestAgent } from '../support/test-agent';

/** The sample plugin counts the clients it creates and closes; each test looks at the change it caused. */
const { stats, isHeld, release } = (await import(SAMPLE_PLUGIN)) as {
  stats: { created: number; closed: number; creating: number };
  isHeld: (name: string) => boolean;
  release: (name: string) => void;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('client registry (SPEC §5)', () => {
  let agent: TestAgent | undefined;
  afterEach(async () => {
    await agent?.close();
    agent = undefined;
  });

  const start = async (env: Record<string, string> = {}) => {
    agent = await startTestAgent({ MCD_CONNECTOR_MODULES: SAMPLE_PLUGIN, ...env });
    return agent;
  };
  const delta = () => {
    const before = { ...stats };
    return () => ({
      created: stats.created - before.created,
      closed: stats.closed - before.closed,
      creating: stats.creating - before.creating,
    });
  };
  const call = (
    a: TestAgent,
    credentials: unknown,
    commands: unknown[] = [{ method: 'value', args: [1] }],
    extra = {},
  ) => execute(a, commands, { credentials, extra });

  it('reuses one client for the same credentials, whatever their key order', async () => {
    // Prepare
    const a = await start();
    const changes = delta();

    // Act
    await call(a, { host: 'h', user: 'u' });
    await call(a, { user: 'u', host: 'h' });

    // Assess
    expect(changes()).toMatchObject({ created: 1, closed: 0 });
  });

  it('creates one client per distinct credentials', async () => {
    // Prepare
    const a = await start();
    const changes = delta();

    // Act
    await call(a, { host: 'one' });
    await call(a, { host: 'two' });

    // Assess
    expect(changes()).toMatchObject({ created: 2 });
  });

  it('creates a client once under concurrent requests (single flight)', async () => {
    // Prepare
    const a = await start();
    const changes = delta();

    // Act
    const responses = await Promise.all(Array.from({ length: 20 }, () => call(a, { delay_ms: 100 })));

    // Assess
    expect(responses.every((response) => response.body.__mcd_result__ === 1)).toBe(true);
    expect(changes()).toMatchObject({ creating: 1, created: 1 });
  });

  it('expires clients after MCD_CLIENT_CACHE_EXPIRATION_SECONDS and closes them', async () => {
    // Prepare
    const a = await start({ MCD_CLIENT_CACHE_EXPIRATION_SECONDS: '1' });
    const changes = delta();

    // Act
    await call(a, { host: 'ttl' });
    await sleep(1300);
    await call(a, { host: 'ttl' });

    // Assess
    expect(changes()).toMatchObject({ created: 2, closed: 1 });
  });

  it('does not cache at all when the TTL is 0, closing each client after its request', async () => {
    // Prepare
    const a = await start({ MCD_CLIENT_CACHE_EXPIRATION_SECONDS: '0' });
    const changes = delta();

    // Act
    await call(a, { host: 'no-cache' });
    await call(a, { host: 'no-cache' });

    // Assess
    expect(changes()).toMatchObject({ created: 2, closed: 2 });
  });

  it('evicts the least recently used client past MCD_CLIENT_CACHE_MAX_ENTRIES and closes it', async () => {
    // Prepare
    const a = await start({ MCD_CLIENT_CACHE_MAX_ENTRIES: '2' });
    const changes = delta();

    // Act
    await call(a, { host: 'a' });
    await call(a, { host: 'b' });
    await call(a, { host: 'a' }); // a is now more recent than b
    await call(a, { host: 'c' }); // evicts b
    const afterEviction = changes();
    await call(a, { host: 'a' }); // still cached

    // Assess
    expect(afterEviction).toMatchObject({ created: 3, closed: 1 });
    expect(changes()).toMatchObject({ created: 3, closed: 1 });
  });

  it('disposes a cached client after an error response', async () => {
    // Prepare
    const a = await start();
    const changes = delta();

    // Act
    await call(a, { host: 'flaky' });
    const failed = await call(a, { host: 'flaky' }, [{ method: 'fail', args: ['connection reset'] }]);
    await call(a, { host: 'flaky' });

    // Assess
    expect(failed.body.__mcd_error__).toBe('connection reset');
    expect(changes()).toMatchObject({ created: 2, closed: 1 });
  });

  it('gives skip_cache a fresh client, closed after the request, leaving the cache alone', async () => {
    // Prepare
    const a = await start();
    await call(a, { host: 'cached' });
    const changes = delta();

    // Act
    await call(a, { host: 'cached' }, undefined, { skip_cache: true });
    await call(a, { host: 'cached' });

    // Assess
    expect(changes()).toMatchObject({ created: 1, closed: 1 });
  });

  it('does not cache a failed creation', async () => {
    // Prepare
    const a = await start();
    const changes = delta();

    // Act
    const first = await call(a, { fail_create: true });
    const second = await call(a, { fail_create: true });

    // Assess
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ __mcd_error__: 'cannot connect: refused', __mcd_trace_id__: 'trace-1' });
    expect(second.body.__mcd_error__).toBe('cannot connect: refused');
    expect(changes()).toMatchObject({ creating: 2, created: 0 });
  });

  it('closes a client evicted while in use only when its request ends', async () => {
    // Prepare
    const a = await start({ MCD_CLIENT_CACHE_MAX_ENTRIES: '1' });
    const changes = delta();

    // Act
    const busy = call(a, { host: 'busy' }, [{ method: 'held', args: ['busy'] }]);
    while (!isHeld('busy')) await sleep(10); // "busy" runs, holding its client until released
    await call(a, { host: 'other' }); // evicts "busy" while its request runs
    const whileBusy = changes();
    release('busy');
    const busyResponse = await busy;

    // Assess
    expect(whileBusy).toMatchObject({ created: 2, closed: 0 });
    expect(busyResponse.body.__mcd_result__).toBe('released');
    expect(changes()).toMatchObject({ created: 2, closed: 1 });
  });

  it('closes every cached client when the agent closes', async () => {
    // Prepare
    const a = await start();
    await call(a, { host: 'x' });
    await call(a, { host: 'y' });
    const changes = delta();

    // Act
    await a.close();
    agent = undefined;

    // Assess
    expect(changes()).toMatchObject({ closed: 2 });
  });
});
