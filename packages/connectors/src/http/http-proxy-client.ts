import { pipeline } from 'node:stream';
import {
  type ConnectorContext,
  type Credentials,
  type GuardedStreamResponse,
  OperationError,
  type ProxyClient,
  validate,
  withParameters,
} from '@artemis/core';
import { type HttpConnectArgs, parseHttpCredentials } from './http-credentials';
import { assertSuccess, byteCounter, decodedBody, readBody, sendFollowingRedirects } from './http-exchange';
import { type RequestOptions, requestOptionsSchema, toExchange } from './http-request-options';
import { DEFAULT_RETRY_STATUS_RANGES, retryHttp, type StatusRanges } from './retry-policy';

/** In-memory answers (do_request, download_bytes) stop here; download_to_storage streams whatever the size. */
export const MAX_IN_MEMORY_RESPONSE_BYTES = 100 * 1024 * 1024;

// Positional order of Apollo's signatures, so positional and keyword arguments both land where Python put them.
const REQUEST = [
  'url',
  'http_method',
  'payload',
  'content_type',
  'timeout',
  'user_agent',
  'additional_headers',
  'params',
  'verify_ssl',
  'retry_status_code_ranges',
  'data',
  'response_format',
] as const;
const REQUEST_WITH_RETRY = [
  'url',
  'http_method',
  'payload',
  'content_type',
  'timeout',
  'user_agent',
  'additional_headers',
  'params',
  'retry_status_code_ranges',
  'retry_args',
  'verify_ssl',
  'data',
  'response_format',
] as const;
const DOWNLOAD = [
  'url',
  'http_method',
  'payload',
  'content_type',
  'timeout',
  'user_agent',
  'additional_headers',
  'params',
  'verify_ssl',
  'data',
] as const;
const DOWNLOAD_TO_STORAGE = ['url', 'key', ...DOWNLOAD.slice(1)] as const;

/**
 * The `http` connection type: Apollo's HttpProxyClient surface (`do_request`, `do_request_with_retry`) plus
 * `download_bytes` and `download_to_storage`. Every request, and every redirect hop, goes through the agent's SSRF
 * guard with the socket pinned to the checked address. There is no wrapped driver: only these four methods exist.
 */
export function createHttpProxyClient(credentials: Credentials, context: ConnectorContext): ProxyClient {
  const client = new HttpProxyClient(parseHttpCredentials(credentials), context);
  return {
    extensions: Object.freeze({
      do_request: method('do_request', REQUEST, (options) => client.doRequest(options)),
      do_request_with_retry: method('do_request_with_retry', REQUEST_WITH_RETRY, (options) =>
        client.doRequestWithRetry(options),
      ),
      download_bytes: method('download_bytes', DOWNLOAD, (options) => client.downloadBytes(options)),
      download_to_storage: method('download_to_storage', DOWNLOAD_TO_STORAGE, (options) =>
        client.downloadToStorage(options),
      ),
    }),
  };
}

class HttpProxyClient {
  readonly #credentials: HttpConnectArgs;
  readonly #context: ConnectorContext;

  constructor(credentials: HttpConnectArgs, context: ConnectorContext) {
    this.#credentials = credentials;
    this.#context = context;
  }

  /** One request, no retry; a status in `retry_status_code_ranges` is still an HTTPError (the caller may retry). */
  async doRequest(options: RequestOptions): Promise<unknown> {
    const response = await this.#send(options, 'POST');
    await assertSuccess(response);
    const body = await readBody(decodedBody(response), MAX_IN_MEMORY_RESPONSE_BYTES, response);
    return options.response_format === 'text' ? decodeText(body, response) : parseJson(body, response);
  }

  /** do_request retried on 429 and 5xx (or `retry_status_code_ranges`) with exponential backoff and jitter. */
  doRequestWithRetry(options: RequestOptions): Promise<unknown> {
    const ranges: StatusRanges = options.retry_status_code_ranges?.length
      ? options.retry_status_code_ranges
      : DEFAULT_RETRY_STATUS_RANGES;
    if (!ranges.every(([from, to]) => from < to)) {
      throw new OperationError('retry_status_code_ranges: each range is [from, to) with from < to');
    }
    return retryHttp(() => this.doRequest(options), ranges, options.retry_args ?? {});
  }

  /** The raw body, answered as bytes (an `application/octet-stream` response). */
  async downloadBytes(options: RequestOptions): Promise<Buffer> {
    const response = await this.#send(options, 'GET');
    await assertSuccess(response);
    return readBody(decodedBody(response), MAX_IN_MEMORY_RESPONSE_BYTES, response);
  }

  /** Streams the body into the agent's storage under `key`; memory stays flat whatever the size. */
  async downloadToStorage(options: RequestOptions) {
    const { key } = options;
    if (!key) throw new OperationError('download_to_storage() missing required argument: key');
    const storage = await this.#context.storage();
    const response = await this.#send(options, 'GET');
    await assertSuccess(response);
    const counter = byteCounter();
    const source = pipeline(decodedBody(response), counter, () => {
      // Failures surface through `storage.write`, which consumes the stream.
    });
    try {
      await storage.write(key, source);
    } catch (error) {
      // A backend that gave up must not leave the download's socket open until the timeout.
      response.body.destroy();
      throw error;
    }
    return {
      bucket_name: storage.bucketName,
      key,
      size: counter.bytes,
      content_type: response.headers['content-type'] ?? null,
    };
  }

  #send(options: RequestOptions, defaultMethod: string): Promise<GuardedStreamResponse> {
    const { config } = this.#context;
    const exchange = toExchange(options, this.#credentials, {
      defaultMethod,
      defaultTimeoutMs: config.operationTimeoutSeconds * 1000,
      userAgent: `artemis-agent/${config.version}`,
    });
    return sendFollowingRedirects(this.#context.network, exchange);
  }
}

/** A method whose Python parameters are `names`: positional and keyword arguments become one validated object. */
function method<T>(name: string, names: readonly string[], run: (options: RequestOptions) => Promise<T>) {
  return withParameters(names, (...values: unknown[]) => {
    if (values.length > names.length) {
      throw new OperationError(`${name}() takes at most ${names.length} arguments (${values.length} given)`);
    }
    const given = Object.fromEntries(
      names.flatMap((parameter, index) => (values[index] === undefined ? [] : [[parameter, values[index]]])),
    );
    return run(validate(requestOptionsSchema, given, `${name} arguments`));
  });
}

function parseJson(body: Buffer, response: GuardedStreamResponse): unknown {
  const text = decodeText(body, response);
  // A 204 or an empty 200 has no JSON to parse; null says "nothing" without failing the operation.
  if (text.trim() === '') return null;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new OperationError(`Response from ${response.url.href} is not valid JSON: ${(error as Error).message}`);
  }
}

function decodeText(body: Buffer, response: GuardedStreamResponse): string {
  const charset = /charset\s*=\s*"?([^";\s]+)/i.exec(String(response.headers['content-type'] ?? ''))?.[1];
  try {
    return new TextDecoder(charset ?? 'utf-8').decode(body);
  } catch {
    return body.toString('utf8');
  }
}
