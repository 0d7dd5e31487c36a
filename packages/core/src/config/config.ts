import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import * as z from 'zod/mini';
import { describeIssue } from '../errors/zod-issue';
import { missingStorageSettings } from '../storage/storage-settings';

/*
 * All configuration comes from environment variables, parsed once at start-up (SPEC §10). zod/mini rather than the
 * classic zod API: it tree-shakes to ~16 KiB where classic zod bundles to ~450 KiB, and config sits on the health
 * path whose chunk must stay under 64 KiB (SPEC §11).
 */

export const STORAGE_TYPES = ['S3', 'GCS', 'AZURE_BLOB', 'S3_COMPATIBLE', 'FILESYSTEM'] as const;
export type StorageType = (typeof STORAGE_TYPES)[number];

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface AgentConfig {
  readonly port: number;
  readonly listenHost: string;
  readonly logLevel: LogLevel;
  readonly operationTimeoutSeconds: number;
  readonly limits: {
    readonly maxCommands: number;
    readonly maxChainDepth: number;
    readonly maxRequestBodyBytes: number;
    readonly maxJsonDepth: number;
  };
  readonly clientCache: { readonly ttlSeconds: number; readonly maxEntries: number };
  readonly connectorModules: readonly string[];
  readonly network: {
    readonly allowLoopback: boolean;
    readonly blockedCidrs: readonly string[];
    readonly checkOutboundIpUrl: string;
  };
  readonly tempFolder: string;
  readonly storage: {
    /** Undefined means "the runtime's default" (SPEC §7), chosen by the adapter. */
    readonly type: StorageType | undefined;
    readonly path: string;
    readonly bucketName: string | undefined;
    readonly accountName: string | undefined;
    /** Key prefix without slashes at its ends; "" for none. */
    readonly prefix: string;
    readonly endpointUrl: string | undefined;
    readonly accessKey: string | undefined;
    readonly secretKey: string | undefined;
    readonly region: string | undefined;
    /** HMAC key for the FILESYSTEM backend's pre-signed URLs; a random one per process when unset. */
    readonly signingSecret: string | undefined;
    readonly publicUrl: string | undefined;
  };
  readonly preSignedUrlExpirationSeconds: number;
  readonly externalCredentialsCacheTtlSeconds: number;
  /** Directories the `file` credentials source may read; empty disables that source. */
  readonly credentialsFileDirs: readonly string[];
  readonly version: string;
  readonly build: string;
  /** Google Cloud project id (`GOOGLE_CLOUD_PROJECT`): Cloud Run log lines name their trace under it. */
  readonly gcpProjectId: string | undefined;
  /** Async operations (SPEC §8, packages/core/src/async). */
  readonly async: {
    /** A job's deadline after its submission (Apollo's MCD_ORCHESTRATION_ACTIVITY_TIMEOUT). */
    readonly timeoutSeconds: number;
    /** Jobs older than this are removed by the cleanup route whatever their state. */
    readonly retentionHours: number;
    /** Azure: the storage queue that carries work to the queue-triggered function; unset runs jobs in-process. */
    readonly queueName: string | undefined;
    /** Azure: the queue service URL; https://<MCD_STORAGE_ACCOUNT_NAME>.queue.core.windows.net when unset. */
    readonly queueEndpointUrl: string | undefined;
    /** Retries of a failed callback delivery (after the first attempt). */
    readonly callbackRetries: number;
    /** Bound on one callback attempt. */
    readonly callbackTimeoutSeconds: number;
  };
  /** Webhook destinations (SPEC §14, packages/core/src/destinations). */
  readonly destinations: DestinationsConfig;
}

export interface DestinationsConfig {
  /** Plugin modules that export `destinations` (besides the `destinations` export of connector modules). */
  readonly modules: readonly string[];
  /** The destination a bare payload goes to (a direct Lambda invoke, `POST /api/v1/destinations`). */
  readonly defaultName: string | undefined;
  /** Destination name → self-hosted credentials envelope whose secret the destination uses (auth headers). */
  readonly credentials: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** `X-Amperity-Tenant` of status reports when the payload names no `tenant_id`. */
  readonly tenant: string | undefined;
  /** A run hands the rest to a continuation when less time than this remains (at most half of a run's time). */
  readonly continueMarginSeconds: number;
  /** `running` status reports at most this often (0: after every batch). */
  readonly progressIntervalSeconds: number;
  /** Retries of a batch the destination refused with 408, 429 or 5xx (or a network error). */
  readonly batchRetries: number;
  /** First pause before a batch is retried without a Retry-After (doubled each time, with jitter). */
  readonly retryDelayMs: number;
  /** A delivery goes on past this many failed batches (listed as errors), and ends `failed` at one more. */
  readonly maxFailedBatches: number;
  /** Lines that are not JSON (or too long) are skipped and listed; one more than this ends the delivery `failed`. */
  readonly maxInvalidRecords: number;
  /** Longest NDJSON line read (bytes); a longer one is skipped, never held in memory. */
  readonly maxRecordBytes: number;
  /** A batch is closed early once its records' bytes reach this (bounds memory and request size). */
  readonly maxBatchBytes: number;
  /** Bound on one request to a destination. */
  readonly requestTimeoutSeconds: number;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

type Env = Readonly<Record<string, string | undefined>>;

const nonNegativeInt = z.pipe(
  z.string().check(z.regex(/^\d+$/, 'expected a non-negative integer')),
  z.transform((text) => Number(text)),
);
const positiveInt = z.pipe(nonNegativeInt, z.number().check(z.refine((n) => n > 0, 'expected a positive integer')));
const port = z.pipe(
  nonNegativeInt,
  z.number().check(z.refine((n) => n <= 65535, 'expected a port number from 0 to 65535')),
);
const bool = z.stringbool({ error: 'expected true or false' });
const text = z.string().check(z.minLength(1, 'must not be empty'));
const url = z.string().check(z.refine((v) => URL.canParse(v), 'expected an absolute URL'));
const list = z.pipe(
  z.string(),
  z.transform((v) =>
    v
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean),
  ),
);
const cidrList = z.pipe(
  list,
  z
    .array(z.string())
    .check(
      z.refine((items) => items.every(isCidr), 'expected comma-separated CIDR ranges such as 10.0.0.0/8,fd00::/8'),
    ),
);

/** Azure queue names: 3-63 lower-case letters, digits and single hyphens, starting and ending with a letter or digit. */
const queueName = z
  .string()
  .check(
    z.regex(/^[a-z0-9](-?[a-z0-9])+$/, 'expected an Azure queue name (lower-case letters, digits, single hyphens)'),
    z.maxLength(63, 'expected at most 63 characters'),
  );

/** Destination names, as plugins and the route's path spell them. */
export const DESTINATION_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

/** `MCD_DESTINATION_CREDENTIALS`: a JSON object from destination name to a self-hosted credentials envelope. */
const destinationCredentials = z.pipe(
  z.pipe(
    z.string(),
    z.transform((text, context) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        context.issues.push({ code: 'custom', message: 'expected a JSON object', input: text });
        return z.NEVER;
      }
    }),
  ),
  z.record(
    z.string().check(z.regex(DESTINATION_NAME, 'expected destination names as keys')),
    z.looseObject(
      { self_hosted_credentials_type: z.string() },
      { error: 'expected self-hosted credentials envelopes' },
    ),
  ),
);

/** Names whose values must never appear in an error message or log. */
const SENSITIVE_NAME = /secret|pass|token|key|credential/i;

export function loadConfig(env: Env = process.env): AgentConfig {
  const problems: string[] = [];
  function read<T>(name: string, schema: z.ZodMiniType<T, unknown>, fallback: T): T;
  function read<T>(name: string, schema: z.ZodMiniType<T, unknown>): T | undefined;
  function read<T>(name: string, schema: z.ZodMiniType<T, unknown>, fallback?: T): T | undefined {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const parsed = schema.safeParse(raw, { reportInput: true });
    if (parsed.success) return parsed.data;
    const shown = SENSITIVE_NAME.test(name) ? '' : ` (got '${raw}')`;
    const issue = parsed.error.issues[0];
    problems.push(`${name}: ${issue ? describeIssue(issue) : 'invalid value'}${shown}`);
    return fallback;
  }
  const debug = read('MCD_DEBUG', bool, false);

  const config: AgentConfig = {
    port: read('PORT', port, 8081),
    listenHost: read('MCD_LISTEN_HOST', text, '127.0.0.1'),
    logLevel: read('MCD_LOG_LEVEL', z.enum(LOG_LEVELS), debug ? 'debug' : 'info'),
    operationTimeoutSeconds: read('MCD_OPERATION_TIMEOUT_SECONDS', positiveInt, 870),
    limits: {
      maxCommands: read('MCD_MAX_COMMANDS', positiveInt, 1000),
      maxChainDepth: read('MCD_MAX_CHAIN_DEPTH', positiveInt, 64),
      maxRequestBodyBytes: read('MCD_MAX_REQUEST_BODY_BYTES', positiveInt, 32 * 1024 * 1024),
      maxJsonDepth: read('MCD_MAX_JSON_DEPTH', positiveInt, 256),
    },
    clientCache: {
      ttlSeconds: read('MCD_CLIENT_CACHE_EXPIRATION_SECONDS', nonNegativeInt, 60),
      maxEntries: read('MCD_CLIENT_CACHE_MAX_ENTRIES', positiveInt, 64),
    },
    connectorModules: read('MCD_CONNECTOR_MODULES', list, []),
    network: {
      allowLoopback: read('MCD_HTTP_ALLOW_LOOPBACK', bool, false),
      blockedCidrs: read('MCD_HTTP_BLOCKED_CIDRS', cidrList, []),
      checkOutboundIpUrl: read('MCD_CHECK_OUTBOUND_IP_URL', url, 'https://checkip.amazonaws.com'),
    },
    tempFolder: read('MCD_TEMP_FOLDER', text, tmpdir()),
    storage: {
      type: read('MCD_STORAGE', z.enum(STORAGE_TYPES, { error: `expected one of ${STORAGE_TYPES.join(', ')}` })),
      path: read('MCD_STORAGE_PATH', text, './.artemis/storage'),
      bucketName: read('MCD_STORAGE_BUCKET_NAME', text),
      accountName: read('MCD_STORAGE_ACCOUNT_NAME', text),
      prefix: storagePrefix(env.MCD_STORAGE_PREFIX),
      endpointUrl: read('MCD_STORAGE_ENDPOINT_URL', url),
      accessKey: read('MCD_STORAGE_ACCESS_KEY', text),
      secretKey: read('MCD_STORAGE_SECRET_KEY', text),
      region: read('MCD_STORAGE_REGION', text),
      signingSecret: read('MCD_STORAGE_SIGNING_SECRET', text),
      publicUrl: read('MCD_PUBLIC_URL', url),
    },
    preSignedUrlExpirationSeconds: read('MCD_PRE_SIGNED_URL_RESPONSE_EXPIRATION_SECONDS', positiveInt, 3600),
    externalCredentialsCacheTtlSeconds: read('MCD_EXTERNAL_CREDENTIALS_CACHE_TTL_SECONDS', nonNegativeInt, 300),
    credentialsFileDirs: read('MCD_CREDENTIALS_FILE_DIRS', list, []),
    version: read('MCD_AGENT_VERSION', text, 'local'),
    build: read('MCD_AGENT_BUILD', text, '0'),
    gcpProjectId: read('GOOGLE_CLOUD_PROJECT', text),
    async: {
      timeoutSeconds: read('MCD_ASYNC_TIMEOUT_SECONDS', positiveInt, 885),
      retentionHours: read('MCD_ASYNC_RETENTION_HOURS', positiveInt, 24),
      queueName: read('MCD_ASYNC_QUEUE_NAME', queueName),
      queueEndpointUrl: read('MCD_ASYNC_QUEUE_ENDPOINT_URL', url),
      callbackRetries: read('MCD_ASYNC_CALLBACK_RETRIES', nonNegativeInt, 5),
      callbackTimeoutSeconds: read('MCD_ASYNC_CALLBACK_TIMEOUT_SECONDS', positiveInt, 10),
    },
    destinations: {
      modules: read('MCD_DESTINATION_MODULES', list, []),
      defaultName: read('MCD_DESTINATION_DEFAULT', z.string().check(z.regex(DESTINATION_NAME, 'expected a name'))),
      credentials: read('MCD_DESTINATION_CREDENTIALS', destinationCredentials, {}),
      tenant: read('MCD_DESTINATION_TENANT', z.string().check(z.regex(/^[\x21-\x7e]{1,256}$/, 'expected a tenant id'))),
      continueMarginSeconds: read('MCD_DESTINATION_CONTINUE_MARGIN_SECONDS', positiveInt, 60),
      progressIntervalSeconds: read('MCD_DESTINATION_PROGRESS_INTERVAL_SECONDS', nonNegativeInt, 10),
      batchRetries: read('MCD_DESTINATION_BATCH_RETRIES', nonNegativeInt, 5),
      retryDelayMs: read('MCD_DESTINATION_RETRY_DELAY_MS', nonNegativeInt, 1000),
      maxFailedBatches: read('MCD_DESTINATION_MAX_FAILED_BATCHES', nonNegativeInt, 10),
      maxInvalidRecords: read('MCD_DESTINATION_MAX_INVALID_RECORDS', nonNegativeInt, 1000),
      maxRecordBytes: read('MCD_DESTINATION_MAX_RECORD_BYTES', positiveInt, 1024 * 1024),
      maxBatchBytes: read('MCD_DESTINATION_MAX_BATCH_BYTES', positiveInt, 8 * 1024 * 1024),
      requestTimeoutSeconds: read('MCD_DESTINATION_REQUEST_TIMEOUT_SECONDS', positiveInt, 30),
    },
  };
  // An explicit MCD_STORAGE is checked now; a runtime default is checked when the adapter's agent first uses it.
  if (config.storage.type) problems.push(...missingStorageSettings(config.storage.type, config.storage));
  if (problems.length > 0) throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  return config;
}

/** `MCD_STORAGE_PREFIX`: unset → "mcd"; "" or "/" → no prefix (apollo-inventory §6.1). */
function storagePrefix(raw: string | undefined): string {
  if (raw === undefined) return 'mcd';
  return raw.replace(/^\/+|\/+$/g, '');
}

function isCidr(value: string): boolean {
  const [address, bits, ...rest] = value.split('/');
  if (!address || bits === undefined || rest.length > 0 || !/^\d+$/.test(bits)) return false;
  const family = isIP(address);
  return family !== 0 && Number(bits) <= (family === 4 ? 32 : 128);
}
