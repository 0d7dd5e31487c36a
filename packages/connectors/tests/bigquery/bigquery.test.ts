import { generateKeyPairSync } from 'node:crypto';
import { type FakeBigquery, startFakeBigquery } from '@artemis/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { execute, startConnectorsAgent, type TestAgent } from '../support/connectors-agent';

describe('bigquery against a BigQuery REST + token endpoint fake (googleapis)', () => {
  let fake: FakeBigquery;
  let agent: TestAgent;
  const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const serviceAccount = () => ({
    type: 'service_account',
    project_id: 'acme',
    private_key_id: 'key-1',
    private_key: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    client_email: 'mc@acme.iam.gserviceaccount.com',
    client_id: '1234',
    token_uri: `${fake.url}/token`,
    root_url: fake.url,
  });
  // Apollo's README example: self._client.projects().list(maxResults=100).execute()
  const listProjects = [
    { method: 'projects', next: { method: 'list', kwargs: { maxResults: 100 }, next: { method: 'execute' } } },
  ];
  beforeAll(async () => {
    fake = await startFakeBigquery();
    fake.serviceAccounts.set(
      'mc@acme.iam.gserviceaccount.com',
      keys.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    );
    agent = await startConnectorsAgent();
  });
  afterAll(async () => {
    await agent.close();
    await fake.close();
  });
  afterEach(() => {
    fake.requests.length = 0;
    fake.routes.clear();
    fake.throttle.remaining = 0;
  });

  it("runs Apollo's projects().list(maxResults=100).execute() with a token from the key's own token_uri", async () => {
    // Prepare
    const projects = {
      kind: 'bigquery#projectList',
      totalItems: 1,
      projects: [{ id: 'acme', numericId: '123456789012345678', projectReference: { projectId: 'acme' } }],
    };
    fake.routes.set('GET /bigquery/v2/projects', projects);

    // Act: flat credentials (the key itself), as Apollo's legacy form sends them
    const answer = await execute(agent, 'bigquery', listProjects, serviceAccount());

    // Assess
    expect(answer).toEqual({ __mcd_result__: projects, __mcd_trace_id__: 'trace-1' });
    const [token, call] = fake.requests;
    expect(token).toMatchObject({ method: 'POST', path: '/token' });
    expect(new URLSearchParams(token?.body).get('grant_type')).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');
    expect(call).toMatchObject({ method: 'GET', path: '/bigquery/v2/projects?maxResults=100' });
    expect(call?.headers.authorization).toBe(`Bearer ${fake.accessToken}`);
  });

  it('maps body= to the request body (jobs().query) and keeps the API answer as it is', async () => {
    // Prepare
    const result = {
      kind: 'bigquery#queryResponse',
      jobComplete: true,
      totalRows: '1',
      rows: [{ f: [{ v: '9007199254740993' }] }],
    };
    fake.routes.set('POST /bigquery/v2/projects/acme/queries', result);
    const commands = [
      {
        method: 'jobs',
        next: {
          method: 'query',
          kwargs: { projectId: 'acme', body: { query: 'SELECT 1', useLegacySql: false } },
          next: { method: 'execute' },
        },
      },
    ];

    // Act: pre-shaped credentials, under connect_args
    const answer = await execute(agent, 'bigquery', commands, { connect_args: serviceAccount() });

    // Assess
    expect(answer.__mcd_result__).toEqual(result);
    const call = fake.requests.find((request) => request.path.startsWith('/bigquery'));
    expect(JSON.parse(call?.body ?? '{}')).toEqual({ query: 'SELECT 1', useLegacySql: false });
  });

  it('retries a throttled call (429) and answers a missing dataset with googleapiclient’s HttpError', async () => {
    // Prepare
    fake.routes.set('GET /bigquery/v2/projects/acme/datasets', { datasets: [{ id: 'acme:sales' }] });
    fake.throttle.remaining = 1;
    const datasets = [
      { method: 'datasets', next: { method: 'list', kwargs: { projectId: 'acme' }, next: { method: 'execute' } } },
    ];
    const missing = [
      {
        method: 'tables',
        next: { method: 'list', kwargs: { projectId: 'acme', datasetId: 'gone' }, next: { method: 'execute' } },
      },
    ];

    // Act
    const listed = await execute(agent, 'bigquery', datasets, serviceAccount());
    const failed = await execute(agent, 'bigquery', missing, serviceAccount());

    // Assess
    expect(listed.__mcd_result__).toEqual({ datasets: [{ id: 'acme:sales' }] });
    expect(fake.requests.filter((request) => request.path.endsWith('/datasets'))).toHaveLength(2);
    expect(failed).toMatchObject({
      __mcd_error__: `<HttpError 404 when requesting ${fake.url}/bigquery/v2/projects/acme/datasets/gone/tables returned "Not found: /bigquery/v2/projects/acme/datasets/gone/tables". Details: "notFound">`,
      __mcd_exception__: expect.stringMatching(/^HttpError: <HttpError 404/),
      __mcd_error_attrs__: { status_code: 404, reason: 'notFound' },
    });
  });

  it('pages with list_next as the Python discovery client does', async () => {
    // Prepare
    fake.routes.set('GET /bigquery/v2/projects', { projects: [{ id: 'a' }], nextPageToken: 'p2' });
    const commands = [
      { method: 'projects', store: 'resource' },
      { target: 'resource', method: 'list', kwargs: { maxResults: 1 }, store: 'first_request' },
      { target: 'first_request', method: 'execute', store: 'first' },
      {
        target: 'resource',
        method: 'list_next',
        args: [{ __reference__: 'first_request' }, { __reference__: 'first' }],
        store: 'second_request',
      },
      { target: 'second_request', method: 'execute' },
    ];

    // Act
    await execute(agent, 'bigquery', commands, serviceAccount());

    // Assess
    const calls = fake.requests
      .filter((request) => request.path.startsWith('/bigquery'))
      .map((request) => request.path);
    expect(calls).toEqual(['/bigquery/v2/projects?maxResults=1', '/bigquery/v2/projects?maxResults=1&pageToken=p2']);
  });

  it('answers a key the token endpoint refuses without echoing the key', async () => {
    // Prepare: a key whose public half the endpoint does not know
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();

    // Act
    const answer = await execute(agent, 'bigquery', listProjects, { ...serviceAccount(), private_key: other });

    // Assess
    expect(answer.__mcd_error__).toBe(
      `RefreshError: the token endpoint 127.0.0.1:${fake.port} answered HTTP 400: invalid_grant (Invalid JWT Signature.)`,
    );
    expect(JSON.stringify(answer)).not.toContain('PRIVATE KEY');
  });

  it('refuses an API root the SSRF guard blocks', async () => {
    // Prepare
    const guarded = await startConnectorsAgent({ MCD_NETWORK_ALLOW_LOOPBACK: 'false' });
    try {
      // Act
      const answer = await execute(guarded, 'bigquery', listProjects, serviceAccount());

      // Assess
      expect(answer).toMatchObject({
        __mcd_error__: 'Destination refused: blocked address 127.0.0.1',
        __mcd_error_type__: 'Forbidden',
      });
      expect(fake.requests).toEqual([]);
    } finally {
      await guarded.close();
    }
  });
});
