import { AgentError, OperationError } from '@artemis/core';

type ApiMethod = (params: Record<string, unknown>) => Promise<{ data: unknown }>;
type ApiResource = Readonly<Record<string, unknown>>;

/**
 * The Google API discovery client the control plane drives (`client.projects().list(maxResults=100).execute()`),
 * mapped onto the generated Node client: a resource name → its methods → a request whose `execute()` answers the
 * JSON the API returned. Parameter names are the discovery names in both; Python's `body=` is Node's
 * `requestBody`. `list_next(previous_request, previous_response)` pages as Python's does (null after the last page).
 */
export function discoveryResources(
  api: Readonly<Record<string, unknown>>,
  names: readonly string[],
): Record<string, () => object> {
  return Object.fromEntries(names.map((name) => [name, () => resourceFacade(api[name] as ApiResource, name)]));
}

function resourceFacade(resource: ApiResource, name: string): object {
  const facade: Record<string, unknown> = {};
  // The generated resources are classes: their methods live on the prototype.
  const methods = Object.getOwnPropertyNames(Object.getPrototypeOf(resource)).filter((name) => name !== 'constructor');
  for (const method of methods) {
    const call = resource[method];
    if (typeof call !== 'function' || method.startsWith('_')) continue;
    facade[method] = (kwargs: unknown = {}) =>
      new DiscoveryRequest((call as ApiMethod).bind(resource), `${name}.${method}`, asParams(kwargs));
  }
  if (typeof resource.list === 'function') {
    facade.list_next = (previous: unknown, response: unknown) => {
      const token = (response as { nextPageToken?: unknown } | null)?.nextPageToken;
      if (!(previous instanceof DiscoveryRequest) || typeof token !== 'string' || token === '') return null;
      return previous.withPageToken(token);
    };
  }
  return Object.freeze(facade);
}

function asParams(kwargs: unknown): Record<string, unknown> {
  if (typeof kwargs !== 'object' || kwargs === null || Array.isArray(kwargs)) {
    throw new OperationError('Discovery methods take keyword arguments only');
  }
  const { body, ...rest } = kwargs as Record<string, unknown>;
  return body === undefined ? rest : { ...rest, requestBody: body };
}

/** An API call not made yet (Python's HttpRequest): `execute()` sends it. */
export class DiscoveryRequest {
  readonly #call: ApiMethod;
  readonly #name: string;
  readonly #params: Record<string, unknown>;

  constructor(call: ApiMethod, name: string, params: Record<string, unknown>) {
    this.#call = call;
    this.#name = name;
    this.#params = params;
  }

  async execute(): Promise<unknown> {
    try {
      return (await this.#call({ ...this.#params })).data;
    } catch (error) {
      throw httpError(error, this.#name);
    }
  }

  withPageToken(pageToken: string): DiscoveryRequest {
    return new DiscoveryRequest(this.#call, this.#name, { ...this.#params, pageToken });
  }
}

/** A refused call worded as googleapiclient's HttpError: `<HttpError 404 when requesting … returned "…">`. */
export class HttpError extends Error {
  readonly statusCode: number;
  readonly reason: string;

  constructor(status: number, url: string, message: string, reason: string) {
    super(`<HttpError ${status} when requesting ${url} returned "${message}". Details: "${reason}">`);
    this.name = 'HttpError';
    this.statusCode = status;
    this.reason = reason;
  }
}

function httpError(error: unknown, name: string): unknown {
  // The agent's own refusals (the SSRF guard, a token endpoint's answer) keep their envelope, even when the HTTP
  // client wrapped them.
  if (error instanceof AgentError) return error;
  const cause = (error as { cause?: unknown } | null)?.cause;
  if (cause instanceof AgentError) return cause;
  const { status, config, response, message } = (error ?? {}) as {
    status?: unknown;
    config?: { url?: unknown };
    response?: { status?: unknown; data?: { error?: { message?: unknown; errors?: { reason?: unknown }[] } } };
    message?: unknown;
  };
  const code = typeof response?.status === 'number' ? response.status : status;
  if (typeof code !== 'number')
    return error instanceof Error ? error : new OperationError(`${name} failed: ${String(error)}`);
  const url = String(config?.url ?? name).replace(/([?&])(access_token|key)=[^&]*/g, '$1$2=__redacted__');
  const detail = response?.data?.error;
  const text = typeof detail?.message === 'string' ? detail.message : String(message ?? '');
  const reason =
    detail?.errors
      ?.map((item) => String(item.reason ?? ''))
      .filter(Boolean)
      .join(', ') ?? '';
  return new HttpError(code, url, text, reason);
}
