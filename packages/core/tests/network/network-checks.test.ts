import { lookup } from 'node:dns/promises';
import { closedPort, itInPrivateNetwork, startHttpServer, startTcpServer } from '@artemis/testkit';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestAgent, type TestAgent } from '../support/test-agent';

type Json = Record<string, unknown>;
const json = async (response: Response) => ({ status: response.status, body: (await response.json()) as Json });

describe('network checks with loopback allowed (local development)', () => {
  let agent: TestAgent;
  let tcp: Awaited<ReturnType<typeof startTcpServer>>;
  let http: Awaited<ReturnType<typeof startHttpServer>>;
  beforeAll(async () => {
    tcp = await startTcpServer();
    http = await startHttpServer((req, res) => {
      if (req.url === '/redirect') {
        res.writeHead(302, { location: 'http://169.254.169.254/' }).end();
        return;
      }
      if (req.url === '/ip') {
        res.end('203.0.113.7\n');
        return;
      }
      res.end('pong');
    });
    // The former name of MCD_NETWORK_ALLOW_LOOPBACK, still honoured as an alias.
    agent = await startTestAgent({ MCD_HTTP_ALLOW_LOOPBACK: 'true', MCD_CHECK_OUTBOUND_IP_URL: `${http.url}/ip` });
  });
  afterAll(async () => {
    await agent.close();
    await tcp.close();
    await http.close();
  });

  it.each(['open', 'telnet'])('reports an open port (%s), echoing the trace id', async (route) => {
    // Act
    const response = await json(
      await agent.get(`/api/v1/test/network/${route}?host=127.0.0.1&port=${tcp.port}&trace_id=n1`),
    );

    // Assess
    expect(response).toEqual({
      status: 200,
      body: { __mcd_result__: { message: `Port ${tcp.port} is open on 127.0.0.1` }, __mcd_trace_id__: 'n1' },
    });
  });

  it('reads POST parameters from a JSON body', async () => {
    // Act
    const response = await json(
      await agent.post('/api/v1/test/network/open', { host: '127.0.0.1', port: tcp.port, trace_id: 'n2' }),
    );

    // Assess
    expect(response.body).toEqual({
      __mcd_result__: { message: `Port ${tcp.port} is open on 127.0.0.1` },
      __mcd_trace_id__: 'n2',
    });
  });

  it('reports a closed port as an error envelope with HTTP 200', async () => {
    // Prepare
    const port = await closedPort();

    // Act
    const response = await json(await agent.get(`/api/v1/test/network/open?host=127.0.0.1&port=${port}&timeout=2`));

    // Assess
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ __mcd_error__: `Port ${port} is closed on 127.0.0.1.` });
  });

  it.each([
    ['host=127.0.0.1', 'Invalid parameters: port is required'],
    ['port=80', 'Invalid parameters: host is required'],
    ['host=h&port=http', 'Invalid parameters: port: expected an integer'],
    ['host=h&port=70000', 'Invalid parameters: port: expected an integer from 1 to 65535'],
    ['host=h&port=80&timeout=soon', 'Invalid parameters: timeout: expected an integer'],
  ])('answers 400 for bad parameters (%s)', async (query, message) => {
    // Act
    const response = await json(await agent.get(`/api/v1/test/network/open?${query}&trace_id=bad`));

    // Assess
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ __mcd_error__: message, __mcd_trace_id__: 'bad' });
  });

  it('resolves a host name', async () => {
    // Prepare
    const expected = [...new Set((await lookup('localhost', { all: true })).map((a) => a.address))].sort();

    // Act
    const response = await json(await agent.get('/api/v1/test/network/dns?host=localhost'));

    // Assess
    expect(response.body).toEqual({
      __mcd_result__: { message: `Host localhost resolves to: ${expected.join(', ')}` },
    });
  });

  it('answers 400 for a DNS check without a host', async () => {
    const response = await json(await agent.get('/api/v1/test/network/dns'));
    expect(response).toMatchObject({ status: 400, body: { __mcd_error__: 'Invalid parameters: host is required' } });
  });

  it('performs an HTTP GET, with the content when asked', async () => {
    // Act
    const plain = await json(await agent.get(`/api/v1/test/network/http?url=${encodeURIComponent(http.url)}`));
    const withContent = await json(
      await agent.post('/api/v1/test/network/http', { url: http.url, include_response: true, trace_id: 'h1' }),
    );

    // Assess
    expect(plain.body).toEqual({ __mcd_result__: { message: `URL ${http.url} responded with status: 200 (OK)` } });
    expect(withContent.body).toEqual({
      __mcd_result__: { message: `URL ${http.url} responded with status: 200 (OK) and content: pong` },
      __mcd_trace_id__: 'h1',
    });
  });

  itInPrivateNetwork('does not follow redirects (a redirect could lead to a blocked address)', async () => {
    // Act
    const response = await json(await agent.post('/api/v1/test/network/http', { url: `${http.url}/redirect` }));

    // Assess
    expect(response.body).toEqual({
      __mcd_result__: { message: `URL ${http.url}/redirect responded with status: 302 (Found)` },
    });
  });

  it('reports the outbound IP address, and adds it to health with full=true', async () => {
    // Act
    const ip = await json(await agent.get('/api/v1/test/network/outbound_ip_address?trace_id=ip'));
    const health = await json(await agent.get('/api/v1/test/health?full=true'));

    // Assess
    expect(ip.body).toEqual({ __mcd_result__: { outbound_ip_address: '203.0.113.7' }, __mcd_trace_id__: 'ip' });
    expect(health.body.extra).toEqual({ outbound_ip_address: '203.0.113.7' });
    expect(health.body).not.toHaveProperty('warnings');
  });
});

describe('the SSRF guard (SPEC §3.1)', () => {
  let agent: TestAgent;
  let loopbackAgent: TestAgent;
  beforeAll(async () => {
    // Both names of the deny-list apply together.
    agent = await startTestAgent({ MCD_NETWORK_BLOCKED_CIDRS: '10.0.0.0/8', MCD_HTTP_BLOCKED_CIDRS: '2001:db8::/32' });
    loopbackAgent = await startTestAgent({ MCD_NETWORK_ALLOW_LOOPBACK: 'true' });
  });
  afterAll(async () => {
    await agent.close();
    await loopbackAgent.close();
  });

  const refusedMessage = async (a: TestAgent, path: string) => {
    const response = await json(await a.get(path));
    expect(response.status).toBe(200);
    expect(response.body.__mcd_error_type__).toBe('Forbidden');
    return response.body.__mcd_error__;
  };

  // Aimed at non-loopback addresses: run only in the private network namespace (nothing can leave if the guard fails).
  itInPrivateNetwork.each([
    ['169.254.169.254', 'Destination refused: blocked address 169.254.169.254'],
    ['100.100.100.200', 'Destination refused: blocked address 100.100.100.200'],
    ['[fd00:ec2::254]', 'Destination refused: blocked address fd00:ec2::254'],
    ['::ffff:169.254.169.254', 'Destination refused: blocked address ::ffff:169.254.169.254 (embeds 169.254.169.254)'],
    [
      '::ffff:0:169.254.169.254',
      'Destination refused: blocked address ::ffff:0:169.254.169.254 (embeds 169.254.169.254)',
    ],
    ['64:ff9b::a9fe:a9fe', 'Destination refused: blocked address 64:ff9b::a9fe:a9fe (embeds 169.254.169.254)'],
    ['2002:a9fe:a9fe::1', 'Destination refused: blocked address 2002:a9fe:a9fe::1 (embeds 169.254.169.254)'],
    ['fe80::1', 'Destination refused: blocked address fe80::1'],
    ['metadata.google.internal', 'Destination refused: host metadata.google.internal'],
    ['METADATA.GOOGLE.INTERNAL.', 'Destination refused: host METADATA.GOOGLE.INTERNAL.'],
  ])('always refuses the metadata / link-local destination %s, even with loopback allowed', async (host, message) => {
    // Act / Assess
    await expect(
      refusedMessage(loopbackAgent, `/api/v1/test/network/open?host=${encodeURIComponent(host)}&port=80`),
    ).resolves.toBe(message);
  });

  it.each([
    ['127.0.0.1', 'Destination refused: blocked address 127.0.0.1'],
    ['0.0.0.0', 'Destination refused: blocked address 0.0.0.0'],
    ['::1', 'Destination refused: blocked address ::1'],
    ['::127.0.0.1', 'Destination refused: blocked address ::127.0.0.1 (embeds 127.0.0.1)'],
    ['::ffff:0:7f00:1', 'Destination refused: blocked address ::ffff:0:7f00:1 (embeds 127.0.0.1)'],
    ['2130706433', 'Destination refused: blocked address 2130706433'],
    ['0x7f.1', 'Destination refused: blocked address 0x7f.1'],
    ['localhost', /^Destination refused: blocked address (127\.0\.0\.1|::1) resolved from hostname localhost$/],
    ['/tmp/x', 'Destination refused: Unix socket /tmp/x (only TCP connections are allowed)'],
  ])('refuses loopback, unspecified and Unix socket destination %s by default', async (host, message) => {
    // Act
    const text = await refusedMessage(agent, `/api/v1/test/network/open?host=${encodeURIComponent(host)}&port=80`);

    // Assess
    if (typeof message === 'string') expect(text).toBe(message);
    else expect(text).toMatch(message);
  });

  itInPrivateNetwork.each([
    ['10.1.2.3', 'Destination refused: blocked address 10.1.2.3'],
    ['2001:db8::5', 'Destination refused: blocked address 2001:db8::5'],
  ])('refuses MCD_NETWORK_BLOCKED_CIDRS / MCD_HTTP_BLOCKED_CIDRS destination %s', async (host, message) => {
    // Act / Assess
    await expect(
      refusedMessage(agent, `/api/v1/test/network/open?host=${encodeURIComponent(host)}&port=80`),
    ).resolves.toBe(message);
  });

  itInPrivateNetwork('guards the HTTP check too', async () => {
    // Act
    const metadata = await refusedMessage(
      loopbackAgent,
      `/api/v1/test/network/http?url=${encodeURIComponent('http://169.254.169.254/latest/meta-data/')}`,
    );

    // Assess
    expect(metadata).toBe('Destination refused: blocked address 169.254.169.254');
  });

  it('refuses non-http schemes in the HTTP check', async () => {
    // Act
    const file = await refusedMessage(
      agent,
      `/api/v1/test/network/http?url=${encodeURIComponent('file:///etc/passwd')}`,
    );

    // Assess
    expect(file).toBe('Destination refused: unsupported scheme file');
  });

  it('turns an outbound IP failure into a health warning, never a 500', async () => {
    // Prepare: the default check URL is on the internet, which is unreachable here; loopback is blocked.
    const blocked = await startTestAgent({ MCD_CHECK_OUTBOUND_IP_URL: 'http://127.0.0.1:9/' });

    // Act
    const health = await json(await blocked.get('/api/v1/test/health?full=true&trace_id=w'));
    await blocked.close();

    // Assess
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({
      trace_id: 'w',
      warnings: ['Failed to get outbound IP address: Destination refused: blocked address 127.0.0.1'],
    });
    expect(health.body).not.toHaveProperty('extra');
  });
});
