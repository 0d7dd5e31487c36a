import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execute, startConnectorsAgent, type TestAgent } from '../support/connectors-agent';
import { type LocalHttpServer, sendJson, startHttpServer } from '../support/local-http-server';
import { tempDirStorage } from '../support/temp-dir-storage';

const BINARY = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7) % 256));

describe('http connector: requests against a local server', () => {
  let agent: TestAgent;
  let server: LocalHttpServer;
  let storage: Awaited<ReturnType<typeof tempDirStorage>>;

  beforeAll(async () => {
    storage = await tempDirStorage();
    agent = await startConnectorsAgent({}, { storage: async () => storage });
    server = await startHttpServer((request, response) => {
      const path = new URL(request.url, 'http://x').pathname;
      switch (path) {
        case '/echo':
          return sendJson(response, 200, {
            method: request.method,
            query: request.url.split('?')[1] ?? null,
            headers: request.headers,
            body: request.body.toString('utf8'),
          });
        case '/text':
          response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
          return void response.end('plain text ✓');
        case '/empty':
          response.writeHead(204);
          return void response.end();
        case '/not-json':
          response.writeHead(200, { 'content-type': 'application/json' });
          return void response.end('<html>');
        case '/missing':
          response.writeHead(404, { 'content-type': 'text/plain' });
          return void response.end('no such thing');
        case '/unavailable':
          response.writeHead(503);
          return void response.end();
        case '/redirect':
          response.writeHead(302, { location: '/echo?redirected=1' });
          return void response.end();
        case '/binary':
          response.writeHead(200, { 'content-type': 'application/octet-stream' });
          return void response.end(BINARY);
        case '/no-answer':
          return;
        case '/stall':
          response.writeHead(200, { 'content-type': 'application/json' });
          return void response.write('{"partial": ');
        case '/head-gzipped':
          response.writeHead(200, {
            'content-type': 'application/json',
            'content-encoding': 'gzip',
            'content-length': '40',
          });
          return void response.end();
        case '/gzipped':
          response.writeHead(200, { 'content-type': 'application/x-ndjson', 'content-encoding': 'gzip' });
          return void response.end(gzipSync(BINARY));
        default:
          response.writeHead(500);
          response.end();
      }
    });
  });

  afterAll(async () => {
    await server.close();
    await agent.close();
    await storage.remove();
  });

  it('sends a GET with the bearer token, user agent, headers and params, and answers the JSON', async () => {
    // Prepare
    const credentials = { connect_args: { token: 'secret-token' } };
    const command = {
      method: 'do_request',
      kwargs: {
        url: `${server.url}/echo`,
        http_method: 'GET',
        user_agent: 'mc-test/1.0',
        additional_headers: { 'X-Extra': 'yes' },
        params: { q: 'a b', flag: true, many: [1, 2], skipped: null },
      },
    };

    // Act
    const answer = await execute(agent, 'http', [command], credentials);

    // Assess
    expect(answer.__mcd_result__).toMatchObject({
      method: 'GET',
      query: 'q=a+b&flag=True&many=1&many=2',
      headers: { authorization: 'Bearer secret-token', 'user-agent': 'mc-test/1.0', 'x-extra': 'yes' },
      body: '',
    });
  });

  it('POSTs a JSON payload by default, with a custom auth header and type', async () => {
    // Prepare
    const credentials = { connect_args: { token: 'k-1', auth_header: 'X-Api-Key', auth_type: 'Token' } };
    const command = { method: 'do_request', args: [`${server.url}/echo`], kwargs: { payload: { a: [1, 'x'] } } };

    // Act
    const answer = await execute(agent, 'http', [command], credentials);

    // Assess
    const result = answer.__mcd_result__ as { method: string; headers: Record<string, string>; body: string };
    expect(result.method).toBe('POST');
    expect(result.headers['x-api-key']).toBe('Token k-1');
    expect(result.headers.authorization).toBeUndefined();
    expect(result.headers['content-type']).toBe('application/json');
    expect(JSON.parse(result.body)).toEqual({ a: [1, 'x'] });
  });

  it('frames a GET body with its length, as python-requests does (node sends an unframed GET body otherwise)', async () => {
    // Prepare: a GET with a JSON payload (Databricks' query-history list takes its filter that way)
    const command = {
      method: 'do_request',
      kwargs: { url: `${server.url}/echo`, http_method: 'GET', payload: { filter_by: { statuses: ['FINISHED'] } } },
    };

    // Act
    const answer = await execute(agent, 'http', [command], { connect_args: { token: 't' } });

    // Assess
    expect(answer.__mcd_result__).toMatchObject({
      method: 'GET',
      headers: { 'content-length': '39', 'content-type': 'application/json' },
      body: '{"filter_by":{"statuses":["FINISHED"]}}',
    });
  });

  it('sends raw data with its content type, and a bare token when auth_type is empty', async () => {
    // Prepare
    const credentials = { connect_args: { token: 'raw', auth_type: '' } };
    const command = {
      method: 'do_request',
      kwargs: { url: `${server.url}/echo`, http_method: 'put', data: 'a=1&b=2', content_type: 'text/csv' },
    };

    // Act
    const answer = await execute(agent, 'http', [command], credentials);

    // Assess
    expect(answer.__mcd_result__).toMatchObject({
      method: 'PUT',
      headers: { authorization: 'raw', 'content-type': 'text/csv' },
      body: 'a=1&b=2',
    });
  });

  it('answers text with response_format="text" and null for an empty JSON body', async () => {
    // Act
    const text = await execute(agent, 'http', [
      { method: 'do_request', kwargs: { url: `${server.url}/text`, http_method: 'GET', response_format: 'text' } },
    ]);
    const empty = await execute(agent, 'http', [
      { method: 'do_request', kwargs: { url: `${server.url}/empty`, http_method: 'GET' } },
    ]);

    // Assess
    expect(text.__mcd_result__).toBe('plain text ✓');
    expect(empty).toEqual({ __mcd_result__: null, __mcd_trace_id__: 'trace-1' });
  });

  it('answers a HEAD request on a gzip-encoded resource as an empty body', async () => {
    // Act
    const answer = await execute(agent, 'http', [
      { method: 'do_request', kwargs: { url: `${server.url}/head-gzipped`, http_method: 'HEAD' } },
    ]);

    // Assess
    expect(answer).toEqual({ __mcd_result__: null, __mcd_trace_id__: 'trace-1' });
  });

  it('follows a redirect through the guard', async () => {
    // Act
    const answer = await execute(agent, 'http', [
      { method: 'do_request', kwargs: { url: `${server.url}/redirect`, http_method: 'GET' } },
    ]);

    // Assess
    expect(answer.__mcd_result__).toMatchObject({ method: 'GET', query: 'redirected=1' });
  });

  it('reports a 4xx as HTTPError with status_code and reason, the body as message', async () => {
    // Act
    const answer = await execute(agent, 'http', [
      { method: 'do_request', kwargs: { url: `${server.url}/missing`, http_method: 'GET' } },
    ]);

    // Assess
    expect(answer).toEqual({
      __mcd_error__: 'no such thing',
      __mcd_exception__: 'HTTPError: no such thing',
      __mcd_stack_trace__: expect.any(Array),
      __mcd_error_type__: 'HTTPError',
      __mcd_error_attrs__: { status_code: 404, reason: 'Not Found' },
      __mcd_trace_id__: 'trace-1',
    });
  });

  it('reports a bodiless 5xx as HTTPError in requests wording', async () => {
    // Prepare
    const url = `${server.url}/unavailable`;

    // Act
    const answer = await execute(agent, 'http', [{ method: 'do_request', kwargs: { url, http_method: 'GET' } }]);

    // Assess
    expect(answer).toEqual({
      __mcd_error__: `503 Server Error: Service Unavailable for url: ${url}`,
      __mcd_exception__: `HTTPError: 503 Server Error: Service Unavailable for url: ${url}`,
      __mcd_stack_trace__: expect.any(Array),
      __mcd_error_type__: 'HTTPError',
      __mcd_error_attrs__: { status_code: 503, reason: 'Service Unavailable' },
      __mcd_trace_id__: 'trace-1',
    });
  });

  it('answers a ConnectionError when the body stalls past the timeout', async () => {
    // Prepare
    const url = `${server.url}/stall`;

    // Act
    const answer = await execute(agent, 'http', [
      { method: 'do_request', kwargs: { url, http_method: 'GET', timeout: 0.2 } },
    ]);

    // Assess
    expect(answer.__mcd_error__).toBe(`Request to ${url} failed: The operation was aborted due to timeout`);
    expect(answer.__mcd_exception__).toMatch(/^ConnectionError: /);
  });

  it('answers a ConnectionError when no answer comes before the timeout', async () => {
    // Prepare
    const url = `${server.url}/no-answer`;

    // Act
    const answer = await execute(agent, 'http', [{ method: 'download_bytes', kwargs: { url, timeout: 0.2 } }]);

    // Assess
    expect(answer.__mcd_error__).toBe(`Request to ${url} failed: The operation was aborted due to timeout`);
  });

  it('refuses a body that is not JSON with a clear error', async () => {
    // Prepare
    const url = `${server.url}/not-json`;

    // Act
    const answer = await execute(agent, 'http', [{ method: 'do_request', kwargs: { url, http_method: 'GET' } }]);

    // Assess
    expect(answer.__mcd_error__).toMatch(new RegExp(`^Response from ${url} is not valid JSON: `));
    expect(answer.__mcd_error_type__).toBeUndefined();
  });

  it('refuses a mistyped argument, naming it', async () => {
    // Act
    const answer = await execute(agent, 'http', [
      { method: 'do_request', kwargs: { url: `${server.url}/echo`, timeout: 'soon' } },
    ]);

    // Assess
    expect(answer).toEqual({
      __mcd_error__: 'Invalid do_request arguments: timeout: expected number, received string',
      __mcd_exception__: 'BadRequestError: Invalid do_request arguments: timeout: expected number, received string',
      __mcd_stack_trace__: expect.any(Array),
      __mcd_trace_id__: 'trace-1',
    });
  });

  it('refuses an unknown keyword argument as Python would', async () => {
    // Act
    const answer = await execute(agent, 'http', [
      { method: 'do_request', kwargs: { url: `${server.url}/echo`, verify: false } },
    ]);

    // Assess
    expect(answer.__mcd_error__).toBe("do_request() got an unexpected keyword argument 'verify'");
  });

  it('refuses credentials of the wrong shape when the client is created', async () => {
    // Act
    const answer = await execute(agent, 'http', [{ method: 'do_request', args: [`${server.url}/echo`] }], {
      connect_args: { token: 42 },
    });

    // Assess
    expect(answer.__mcd_error__).toBe('Invalid http credentials: connect_args.token: expected string, received number');
  });

  it('answers download_bytes as the raw bytes', async () => {
    // Act
    const response = await agent.post('/api/v1/agent/execute/http/download', {
      operation: { trace_id: 'bin-1', commands: [{ method: 'download_bytes', args: [`${server.url}/binary`] }] },
    });

    // Assess
    expect(response.headers.get('content-type')).toBe('application/octet-stream');
    expect(response.headers.get('x-mcd-trace-id')).toBe('bin-1');
    expect(Buffer.from(await response.arrayBuffer()).equals(BINARY)).toBe(true);
  });

  it('streams download_to_storage into the agent storage, undoing content-encoding', async () => {
    // Act
    const answer = await execute(agent, 'http', [
      { method: 'download_to_storage', kwargs: { url: `${server.url}/gzipped`, key: 'downloads/data.ndjson' } },
    ]);

    // Assess
    expect(answer.__mcd_result__).toEqual({
      bucket_name: 'test-bucket',
      key: 'downloads/data.ndjson',
      size: BINARY.length,
      content_type: 'application/x-ndjson',
    });
    await expect(storage.contents('downloads/data.ndjson')).resolves.toEqual(BINARY);
  });

  it('does not write to storage when the download fails', async () => {
    // Act
    const answer = await execute(agent, 'http', [
      { method: 'download_to_storage', args: [`${server.url}/missing`, 'downloads/missing'] },
    ]);

    // Assess
    expect(answer.__mcd_error_attrs__).toEqual({ status_code: 404, reason: 'Not Found' });
    await expect(storage.contents('downloads/missing')).rejects.toThrow('ENOENT');
  });
});
