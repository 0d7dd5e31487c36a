/**
 * scripts/lambda-local: runs the BUILT Lambda bundle (dist/lambda/index.mjs) behind
 * - the Lambda Invoke API, `POST /2015-03-31/functions/{name}/invocations` (RequestResponse, Event, DryRun), so
 *   `aws lambda invoke --endpoint-url http://127.0.0.1:9001 …` and `@aws-sdk/client-lambda` work locally;
 * - an API-Gateway-style HTTP front on every other path, for curl: each request becomes an HTTP API (payload 2.0)
 *   event, or a REST (1.0) event with `--payload-format 1.0`, and the result becomes the HTTP answer.
 * The handler runs in this process, as in Lambda's runtime: one module load (INIT), then invokes. The agent's async
 * self-invocations (SPEC §8) reach this Invoke API too (AWS_ENDPOINT_URL_LAMBDA), so async jobs run here end to end.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { pathToFileURL } from 'node:url';
import { emulatorOptions, listen, localDefaults, readRequestBody } from './emulators/emulator-options';

type Handler = (event: unknown, context: object) => Promise<unknown>;

/** Lambda's synchronous request and response cap, and the Event (async) request cap. */
const SYNC_LIMIT_BYTES = 6_291_556;
const EVENT_LIMIT_BYTES = 1_048_576;
const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

const options = emulatorOptions(
  { port: 9001, bundle: 'dist/lambda/index.mjs' },
  { 'function-name': { type: 'string' }, 'payload-format': { type: 'string' }, timeout: { type: 'string' } },
);
const functionName = (options.values['function-name'] as string | undefined) ?? 'artemis';
const payloadFormat = (options.values['payload-format'] as string | undefined) ?? '2.0';
// The function's timeout (Lambda's setting, 1 to 900 s): what each invocation's getRemainingTimeInMillis counts down
// from. A short one forces a long job (a webhook delivery) to hand over to its continuations. Like Lambda it is not
// a promise the handler ends in time; unlike Lambda, an invocation that overruns it is not stopped.
const timeoutSeconds = Number((options.values.timeout as string | undefined) ?? 900);
if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1 || timeoutSeconds > 900) {
  throw new Error(`--timeout: expected whole seconds from 1 to 900, got ${options.values.timeout}`);
}
localDefaults({
  AWS_LAMBDA_FUNCTION_NAME: functionName,
  AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
  AWS_REGION: 'us-east-1',
});
const { handler } = (await import(pathToFileURL(options.bundle).href)) as { handler: Handler };

function contextFor(requestId: string) {
  const deadline = Date.now() + timeoutSeconds * 1000;
  return {
    awsRequestId: requestId,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${process.env.AWS_REGION}:000000000000:function:${functionName}`,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}

const server = createServer(async (req, res) => {
  try {
    const body = await readRequestBody(req, res);
    if (!body) return;
    const invoke = INVOKE_PATH.exec(req.url?.split('?')[0] ?? '');
    if (invoke && req.method === 'POST') await invokeApi(decodeURIComponent(invoke[1] as string), req, body, res);
    else await gatewayFront(req, body, res);
  } catch (error) {
    sendJson(res, 500, { message: (error as Error).message });
  }
});

/** The Invoke API, answered as Lambda does (errors as `x-amzn-ErrorType` + JSON, which the SDK turns into classes). */
async function invokeApi(name: string, req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
  // A function is named by name, partial or full ARN (the ARN's last part, or the one before a qualifier).
  const parts = name.split(':');
  const named = parts.length >= 7 ? parts[6] : parts.length === 2 ? parts[0] : parts[parts.length - 1];
  if (named !== functionName) {
    return sendError(res, 404, 'ResourceNotFoundException', `Function not found: ${name}`);
  }
  const type = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
  const limit = type === 'Event' ? EVENT_LIMIT_BYTES : SYNC_LIMIT_BYTES;
  if (body.length > limit) {
    return sendError(
      res,
      413,
      'RequestEntityTooLargeException',
      `Request must be smaller than ${limit} bytes for the InvokeFunction operation`,
    );
  }
  let event: unknown;
  try {
    event = body.length ? JSON.parse(body.toString('utf8')) : {};
  } catch {
    return sendError(res, 400, 'InvalidRequestContentException', 'Could not parse request body into json');
  }
  const requestId = randomUUID();
  if (type === 'DryRun') {
    res.writeHead(204, { 'x-amzn-requestid': requestId }).end();
    return;
  }
  if (type === 'Event') {
    res.writeHead(202, { 'x-amzn-requestid': requestId }).end();
    // Fire and forget, as Lambda does; a failure is only logged.
    handler(event, contextFor(requestId)).catch((error: Error) =>
      process.stderr.write(`Event invoke failed: ${error.stack}\n`),
    );
    return;
  }
  if (type !== 'RequestResponse') {
    return sendError(res, 400, 'InvalidParameterValueException', `Unsupported invocation type: ${type}`);
  }
  const headers = {
    'x-amzn-requestid': requestId,
    'x-amz-executed-version': '$LATEST',
    'content-type': 'application/json',
  };
  let payload: string;
  try {
    payload = JSON.stringify((await handler(event, contextFor(requestId))) ?? null);
  } catch (error) {
    const err = error as Error;
    const unhandled = { errorType: err.name, errorMessage: err.message, trace: err.stack?.split('\n') ?? [] };
    res.writeHead(200, { ...headers, 'x-amz-function-error': 'Unhandled' }).end(JSON.stringify(unhandled));
    return;
  }
  if (Buffer.byteLength(payload) > SYNC_LIMIT_BYTES) {
    const tooLarge = {
      errorMessage: `Response payload size exceeded maximum allowed payload size (${SYNC_LIMIT_BYTES} bytes).`,
      errorType: 'Function.ResponseSizeTooLarge',
    };
    res.writeHead(200, { ...headers, 'x-amz-function-error': 'Unhandled' }).end(JSON.stringify(tooLarge));
    return;
  }
  res.writeHead(200, headers).end(payload);
}

/** An HTTP request as API Gateway would hand it to the function, and the result as API Gateway would answer. */
async function gatewayFront(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
  const url = req.url ?? '/';
  const queryStart = url.indexOf('?');
  const path = queryStart < 0 ? url : url.slice(0, queryStart);
  const rawQuery = queryStart < 0 ? '' : url.slice(queryStart + 1);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers[name] = String(value);
  const requestId = randomUUID();
  // Like HTTP API: text bodies as text, anything else base64.
  const text = /^(text\/|application\/(json|xml|javascript)|[^;]*\+json)/i.test(headers['content-type'] ?? '');
  const bodyFields = body.length
    ? { body: body.toString(text ? 'utf8' : 'base64'), isBase64Encoded: !text }
    : { isBase64Encoded: false };
  const method = req.method ?? 'GET';
  const event =
    payloadFormat === '1.0'
      ? restEvent(method, path, rawQuery, req, headers, requestId, bodyFields)
      : {
          version: '2.0',
          routeKey: '$default',
          rawPath: path,
          rawQueryString: rawQuery,
          headers,
          requestContext: {
            http: { method, path, protocol: 'HTTP/1.1', sourceIp: req.socket.remoteAddress },
            requestId,
            stage: '$default',
          },
          ...bodyFields,
        };
  let result: {
    statusCode?: number;
    headers?: Record<string, string>;
    multiValueHeaders?: Record<string, string[]>;
    cookies?: string[];
    body?: string;
    isBase64Encoded?: boolean;
  };
  try {
    result = (await handler(event, contextFor(requestId))) as typeof result;
  } catch (error) {
    process.stderr.write(`Invoke failed: ${(error as Error).stack}\n`);
    return sendJson(res, 502, { message: 'Internal Server Error' });
  }
  if (typeof result?.statusCode !== 'number') return sendJson(res, 502, { message: 'Internal Server Error' });
  res.statusCode = result.statusCode;
  for (const [name, value] of Object.entries(result.headers ?? {})) res.setHeader(name, value);
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) res.setHeader(name, values);
  if (result.cookies?.length) res.setHeader('set-cookie', result.cookies);
  res.end(Buffer.from(result.body ?? '', result.isBase64Encoded ? 'base64' : 'utf8'));
}

function restEvent(
  method: string,
  path: string,
  rawQuery: string,
  req: IncomingMessage,
  headers: Record<string, string>,
  requestId: string,
  bodyFields: object,
) {
  const multi: Record<string, string[]> = {};
  for (const [key, value] of new URLSearchParams(rawQuery)) multi[key] = [...(multi[key] ?? []), value];
  const keys = Object.keys(multi);
  return {
    resource: '/{proxy+}',
    path,
    httpMethod: method,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])),
    queryStringParameters: keys.length ? Object.fromEntries(keys.map((key) => [key, multi[key]?.at(-1)])) : null,
    multiValueQueryStringParameters: keys.length ? multi : null,
    requestContext: {
      httpMethod: method,
      path,
      requestId,
      stage: 'local',
      identity: { sourceIp: req.socket.remoteAddress },
    },
    body: null,
    ...bodyFields,
  };
}

function sendError(res: ServerResponse, status: number, type: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': type });
  res.end(JSON.stringify({ Type: 'User', Message: message, message }));
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

const url = await listen(server, options, 'lambda-local');
// The agent's async self-invocation (InvocationType Event) comes back here, through the real SDK client: the SDK
// reads its endpoint from AWS_ENDPOINT_URL_LAMBDA; any credentials do, as for Lambda's own local tools.
process.env.AWS_ENDPOINT_URL_LAMBDA ??= url;
if (!process.env.AWS_ACCESS_KEY_ID && !process.env.AWS_PROFILE) {
  process.env.AWS_ACCESS_KEY_ID = 'local';
  process.env.AWS_SECRET_ACCESS_KEY = 'local';
}
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
}
