import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Credentials } from '../connectors/proxy-client';
import { SelfHostedCredentialsError } from '../errors/self-hosted-credentials-error';
import type { Logger } from '../logging/logger';
import { canonicalJson } from '../registry/credentials-key';
import type { CredentialSource, SourceContext } from './credential-source';
import { mergeConnectArgs } from './merge-connect-args';
import { parseEnvelope, type SelfHostedEnvelope } from './self-hosted-envelope';
import type { SelfHostedCredentialsOptions } from './self-hosted-options';
import { sourceCatalog } from './sources/source-catalog';

type Document = Record<string, unknown>;

export interface SelfHostedResolverOptions {
  /** MCD_EXTERNAL_CREDENTIALS_CACHE_TTL_SECONDS; 0 disables the cache. */
  readonly ttlSeconds: number;
  readonly logger: Logger;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly clients?: SelfHostedCredentialsOptions;
  /** Directories the `file` source may read (MCD_CREDENTIALS_FILE_DIRS). */
  readonly fileDirs?: readonly string[];
  /** Names and prefixes the `env_var` source may read (MCD_CREDENTIALS_ENV_VARS); undefined: no allow-list. */
  readonly envVarAllowList?: readonly string[] | undefined;
}

/** Apollo's TTLCache size: far more distinct secrets than one agent serves. */
const MAX_ENTRIES = 128;

/**
 * Fetches self-hosted credentials (SPEC §9): envelope → source → optional KMS decryption → JSON object → TTL cache →
 * merge with the request's `connect_args`.
 *
 * The cache key is a hash of the canonical envelope without `connect_args` (key order does not matter; the secret is
 * not in it). Entries are deep-copied on the way out, so a connector that mutates its credentials cannot poison
 * the next request. Failures are never cached, and concurrent requests for the same envelope share one fetch, so a
 * burst of operations does not turn into a burst of (throttled) store calls.
 */
export class SelfHostedCredentialsResolver {
  readonly #options: SelfHostedResolverOptions;
  readonly #cache: LRUCache<string, Document> | undefined;
  readonly #inFlight = new Map<string, Promise<Document>>();
  readonly #context: SourceContext;

  constructor(options: SelfHostedResolverOptions) {
    this.#options = options;
    const now = options.clients?.now;
    this.#cache =
      options.ttlSeconds > 0
        ? new LRUCache<string, Document>({
            max: MAX_ENTRIES,
            ttl: options.ttlSeconds * 1000,
            // ttlResolution 0: read the clock on every check instead of lru-cache's 1 ms memo of it.
            ...(now ? { perf: { now }, ttlResolution: 0 } : {}),
          })
        : undefined;
    this.#context = {
      env: options.env ?? process.env,
      clients: options.clients ?? {},
      fileDirs: options.fileDirs ?? [],
      envVarAllowList: options.envVarAllowList,
    };
  }

  async resolve(credentials: Credentials): Promise<Credentials> {
    const envelope = parseEnvelope(credentials);
    const document = await this.#load(envelope);
    return mergeConnectArgs(structuredClone(document), credentials.connect_args);
  }

  async #load(envelope: SelfHostedEnvelope): Promise<Document> {
    const type = envelope.self_hosted_credentials_type;
    const started = performance.now();
    const log = (cache: string, level: 'info' | 'warn' = 'info', error?: unknown) =>
      this.#options.logger[level](`Loaded external credentials, provider=${type}, cache=${cache}`, {
        provider: type,
        cache,
        duration_ms: Math.round(performance.now() - started),
        ...(error ? { error: (error as Error).message } : {}),
        // The operator's view of a uniform failure (env_var): the reason the control plane is not told.
        ...((error as Error | undefined)?.cause instanceof Error
          ? { cause: ((error as Error).cause as Error).message }
          : {}),
      });

    if (!this.#cache) {
      const document = await this.#fetch(envelope).catch((error: unknown) => {
        log('disabled-failed', 'warn', error);
        throw error;
      });
      log('disabled');
      return document;
    }
    const key = cacheKey(envelope);
    const cached = this.#cache.get(key);
    if (cached) {
      log('hit');
      return cached;
    }
    const pending = this.#inFlight.get(key);
    if (pending) {
      const document = await pending;
      log('shared');
      return document;
    }
    const fetching = this.#fetch(envelope);
    this.#inFlight.set(key, fetching);
    try {
      const document = await fetching;
      this.#cache.set(key, document);
      log('miss');
      return document;
    } catch (error) {
      log('miss-failed', 'warn', error);
      throw error;
    } finally {
      this.#inFlight.delete(key);
    }
  }

  async #fetch(envelope: SelfHostedEnvelope): Promise<Document> {
    // The catalog is typed per source; the envelope was checked against the same type's schema.
    const source = (await sourceCatalog[envelope.self_hosted_credentials_type]()) as unknown as CredentialSource;
    try {
      return await this.#parse(await source.fetch(envelope as never, this.#context), envelope, source);
    } catch (error) {
      throw source.uniformFailure ? source.uniformFailure(envelope as never, error) : error;
    }
  }

  async #parse(fetched: string, envelope: SelfHostedEnvelope, source: CredentialSource): Promise<Document> {
    let text = fetched;
    if (envelope.decryption_service_type === 'kms') {
      const { decryptWithKms } = await import('./kms-decryption');
      text = await decryptWithKms(text, envelope, this.#context);
    }
    const what = source.describe(envelope as never);
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch {
      // Never the parser's message: V8 quotes the text it could not parse, and that text is the secret.
      throw new SelfHostedCredentialsError(`Invalid JSON in ${what}`);
    }
    if (typeof document !== 'object' || document === null || Array.isArray(document)) {
      throw new SelfHostedCredentialsError(`Credentials in ${what} must be a JSON object`);
    }
    return document as Document;
  }
}

function cacheKey(envelope: SelfHostedEnvelope): string {
  const { connect_args: _ignored, ...pointer } = envelope;
  return createHash('sha256').update(canonicalJson(pointer)).digest('base64url');
}
