import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { execute, startConnectorsAgent, type TestAgent } from '../support/connectors-agent';
import { type LocalHttpServer, type RecordedRequest, sendJson, startHttpServer } from '../support/local-http-server';

/**
 * Glue and Athena cannot run here, so a local HTTP server stands in for their endpoint (`endpoint_url`): the real SDK
 * signs and sends the request, the server records it and answers what AWS would.
 */

type Reply = { status: number; body: unknown };

const JSON_11 = 'application/x-amz-json-1.1';

describe('glue and athena: request shapes at the HTTP level', () => {
  let agent: TestAgent;
  let server: LocalHttpServer;
  const replies: Reply[] = [];

  beforeAll(async () => {
    agent = await startConnectorsAgent();
    server = await startHttpServer((_request, response) => {
      const reply = replies.shift() ?? { status: 500, body: { __type: 'InternalServiceException', Message: 'none' } };
      sendJson(response, reply.status, reply.body, { 'content-type': JSON_11, 'x-amzn-requestid': 'req-42' });
    });
  });

  afterAll(async () => {
    await agent.close();
    await server.close();
  });

  afterEach(() => {
    replies.length = 0;
    server.requests.length = 0;
  });

  const credentials = () => ({
    endpoint_url: server.url,
    aws_region: 'eu-west-1',
    aws_access_key_id: 'AKIDLOCAL',
    aws_secret_access_key: 'local-secret',
  });

  const target = (request: RecordedRequest) => request.headers['x-amz-target'];
  const body = (request: RecordedRequest | undefined) => JSON.parse(request?.body.toString('utf8') ?? 'null');

  it('glue get_tables sends AWSGlue.GetTables as JSON 1.1, signed for glue, and parses the answer', async () => {
    // Prepare
    replies.push({
      status: 200,
      body: { TableList: [{ Name: 'orders', DatabaseName: 'sales', CreateTime: 1_700_000_000 }] },
    });

    // Act
    const answer = await execute(
      agent,
      'glue',
      [{ method: 'get_tables', kwargs: { DatabaseName: 'sales', Expression: 'ord*' } }],
      credentials(),
    );

    // Assess
    const [request] = server.requests;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/');
    expect(request && target(request)).toBe('AWSGlue.GetTables');
    expect(request?.headers['content-type']).toBe(JSON_11);
    expect(request?.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDLOCAL\/\d{8}\/eu-west-1\/glue\/aws4_request,/,
    );
    expect(body(request)).toEqual({ DatabaseName: 'sales', Expression: 'ord*' });
    expect(answer.__mcd_result__).toEqual({
      TableList: [
        {
          Name: 'orders',
          DatabaseName: 'sales',
          CreateTime: { __type__: 'datetime', __data__: '2023-11-14T22:13:20+00:00' },
        },
      ],
      ResponseMetadata: { RequestId: 'req-42', HTTPStatusCode: 200, RetryAttempts: 0 },
    });
  });

  it('glue get_databases through a paginator sends NextToken and merges the pages', async () => {
    // Prepare
    replies.push(
      { status: 200, body: { DatabaseList: [{ Name: 'a' }], NextToken: 'page-2' } },
      { status: 200, body: { DatabaseList: [{ Name: 'b' }] } },
    );

    // Act
    const answer = await execute(
      agent,
      'glue',
      [
        {
          method: 'get_paginator',
          args: ['get_databases'],
          next: { method: 'paginate', kwargs: { CatalogId: '123' }, next: { method: 'build_full_result' } },
        },
      ],
      credentials(),
    );

    // Assess
    expect(server.requests.map(target)).toEqual(['AWSGlue.GetDatabases', 'AWSGlue.GetDatabases']);
    expect(server.requests.map(body)).toEqual([{ CatalogId: '123' }, { CatalogId: '123', NextToken: 'page-2' }]);
    expect(answer.__mcd_result__).toEqual({ DatabaseList: [{ Name: 'a' }, { Name: 'b' }] });
  });

  it('glue errors become botocore-style ClientErrors', async () => {
    // Prepare
    replies.push({ status: 400, body: { __type: 'EntityNotFoundException', Message: 'Database nope not found.' } });

    // Act
    const answer = await execute(agent, 'glue', [{ method: 'get_database', kwargs: { Name: 'nope' } }], credentials());

    // Assess
    expect(answer).toEqual({
      __mcd_error__:
        'An error occurred (EntityNotFoundException) when calling the GetDatabase operation: Database nope not found.',
      __mcd_exception__:
        'ClientError: An error occurred (EntityNotFoundException) when calling the GetDatabase operation: Database nope not found.',
      __mcd_stack_trace__: expect.any(Array),
      __mcd_trace_id__: 'trace-1',
    });
  });

  it('athena start_query_execution sends AmazonAthena.StartQueryExecution with the SDK idempotency token', async () => {
    // Prepare
    replies.push({ status: 200, body: { QueryExecutionId: 'q-1' } });

    // Act
    const answer = await execute(
      agent,
      'athena',
      [
        {
          method: 'start_query_execution',
          kwargs: {
            QueryString: 'SELECT 1',
            QueryExecutionContext: { Database: 'sales' },
            WorkGroup: 'primary',
          },
        },
      ],
      credentials(),
    );

    // Assess
    const [request] = server.requests;
    expect(request && target(request)).toBe('AmazonAthena.StartQueryExecution');
    expect(request?.headers['content-type']).toBe(JSON_11);
    expect(request?.headers.authorization).toMatch(/\/eu-west-1\/athena\/aws4_request,/);
    expect(body(request)).toEqual({
      QueryString: 'SELECT 1',
      QueryExecutionContext: { Database: 'sales' },
      WorkGroup: 'primary',
      ClientRequestToken: expect.any(String),
    });
    expect(answer.__mcd_result__).toEqual({
      QueryExecutionId: 'q-1',
      ResponseMetadata: { RequestId: 'req-42', HTTPStatusCode: 200, RetryAttempts: 0 },
    });
  });

  it('athena get_query_results answers rows and metadata with boto3 keys', async () => {
    // Prepare
    replies.push({
      status: 200,
      body: {
        ResultSet: {
          Rows: [{ Data: [{ VarCharValue: 'n' }] }, { Data: [{ VarCharValue: '1' }] }],
          ResultSetMetadata: { ColumnInfo: [{ Name: 'n', Type: 'integer' }] },
        },
        UpdateCount: 0,
      },
    });

    // Act
    const answer = await execute(
      agent,
      'athena',
      [{ method: 'get_query_results', kwargs: { QueryExecutionId: 'q-1', MaxResults: 10 } }],
      credentials(),
    );

    // Assess
    expect(body(server.requests[0])).toEqual({ QueryExecutionId: 'q-1', MaxResults: 10 });
    expect(answer.__mcd_result__).toMatchObject({
      ResultSet: {
        Rows: [{ Data: [{ VarCharValue: 'n' }] }, { Data: [{ VarCharValue: '1' }] }],
        ResultSetMetadata: { ColumnInfo: [{ Name: 'n', Type: 'integer' }] },
      },
      UpdateCount: 0,
    });
  });

  it('athena refuses an operation the SDK does not have', async () => {
    // Act
    const answer = await execute(agent, 'athena', [{ method: 'run_everything' }], credentials());

    // Assess
    expect(answer.__mcd_error__).toBe(
      'Unknown operation run_everything: @aws-sdk/client-athena has no RunEverythingCommand',
    );
    expect(server.requests).toHaveLength(0);
  });
});

describe('aws credentials: assumable_role through STS', () => {
  let agent: TestAgent;
  let sts: LocalHttpServer;
  let glue: LocalHttpServer;
  const saved = { ...process.env };

  beforeAll(async () => {
    sts = await startHttpServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/xml' });
      response.end(`<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <Credentials>
      <AccessKeyId>ASIAASSUMED</AccessKeyId>
      <SecretAccessKey>assumed-secret</SecretAccessKey>
      <SessionToken>assumed-session-token</SessionToken>
      <Expiration>2099-01-01T00:00:00Z</Expiration>
    </Credentials>
    <AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/reader/s</Arn><AssumedRoleId>AROA:s</AssumedRoleId></AssumedRoleUser>
  </AssumeRoleResult>
  <ResponseMetadata><RequestId>sts-1</RequestId></ResponseMetadata>
</AssumeRoleResponse>`);
    });
    glue = await startHttpServer((_request, response) =>
      sendJson(response, 200, { DatabaseList: [] }, { 'content-type': JSON_11 }),
    );
    // The agent's own identity, which calls STS; STS itself is the local server.
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: 'AKIDAGENT',
      AWS_SECRET_ACCESS_KEY: 'agent-secret',
      AWS_ENDPOINT_URL_STS: sts.url,
    });
    agent = await startConnectorsAgent();
  });

  afterAll(async () => {
    process.env = saved;
    await agent.close();
    await sts.close();
    await glue.close();
  });

  it('assumes the role with the external id and an mcd_ session name, then signs with the role', async () => {
    // Act
    const answer = await execute(agent, 'glue', [{ method: 'get_databases' }], {
      assumable_role: 'arn:aws:iam::123456789012:role/reader',
      external_id: 'ext-123',
      aws_region: 'us-east-2',
      endpoint_url: glue.url,
    });

    // Assess
    expect(answer.__mcd_result__).toMatchObject({ DatabaseList: [] });
    const assume = new URLSearchParams(sts.requests[0]?.body.toString('utf8'));
    expect(Object.fromEntries(assume)).toEqual({
      Action: 'AssumeRole',
      Version: '2011-06-15',
      RoleArn: 'arn:aws:iam::123456789012:role/reader',
      ExternalId: 'ext-123',
      RoleSessionName: expect.stringMatching(/^mcd_[a-z]{5}_\d+(\.\d+)?$/),
    });
    expect(sts.requests[0]?.headers.authorization).toMatch(/Credential=AKIDAGENT\//);
    expect(glue.requests[0]?.headers.authorization).toMatch(/Credential=ASIAASSUMED\/\d{8}\/us-east-2\/glue\//);
    expect(glue.requests[0]?.headers['x-amz-security-token']).toBe('assumed-session-token');
  });
});
