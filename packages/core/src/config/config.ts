import { isIP } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import * as z from 'zod/mini';
import { ConfigError } from '../errors/startup-errors';
import { describeIssue } from '../errors/zod-issue';
import { redactText, SECRET_NAME } from '../logging/redact';
import { missingStorageSettings } from '../storage/storage-settings';
import { type ConfigSourceLocation, configSourceLocation } from './config-source-location';

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
    /** An operation is aborted once the V8 heap passes this fraction of its limit (0 < f ≤ 1). */
    readonly memoryGuardHeapFraction: number;
    /** Longest string (or array) a method on a primitive value may return. */
    readonly maxPrimitiveResultLength: number;
  };
  readonly clientCache: { readonly ttlSeconds: number; readonly maxEntries: number };
  /** Limits of the local server and the Cloud Run server against slow or many clients (server/local-server.ts). */
  readonly server: {
    readonly headersTimeoutMs: number;
    readonly bodyIdleTimeoutMs: number;
    /** 0: no floor. */
    readonly minBodyBytesPerSecond: number;
    readonly maxConnections: number;
  };
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
  /** Names and `PREFIX_*` prefixes the `env_var` credentials source may read; undefined when unset (no allow-list). */
  readonly credentialsEnvVars: readonly string[] | undefined;
  readonly version: string;
  readonly build: string;
  /**
   * Who this agent is to a backup orchestrator (health's `agent_registration`, fragment-set manifests): its id and
   * scope, and the software version block beside `version` (product number by default) and `build` (the revision).
   */
  readonly agent: {
    readonly id: string;
    readonly scope: string | undefined;
    readonly productName: string;
    readonly productNumber: string;
    readonly productionDate: string | undefined;
    readonly description: string;
    readonly type: string;
  };
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
  /** `MCD_CONFIG_SOURCE`: where the rest of the configuration was read from at start-up (config-source/README.md). */
  readonly configSource: ConfigSource | undefined;
  /** Remote operations (SPEC §13, apollo-inventory §1.3-1.5, §8). */
  readonly remoteOps: {
    /** `MCD_AGENT_IS_REMOTE_UPGRADABLE`: the upgrade route refuses unless true. */
    readonly upgradable: boolean;
    /** `MCD_AGENT_UPGRADE_ALLOWED_REPOS`: extra `registry/repository` prefixes an upgrade image may come from. */
    readonly allowedRepos: readonly string[];
    /** `MCD_AGENT_IMAGE_TAG`: the running image as the deployment wrote it (health shows it without an API call). */
    readonly imageTag: string | undefined;
    /** `MCD_AGENT_WRAPPER_TYPE`: `CLOUDFORMATION` makes Lambda update through its stack. */
    readonly wrapperType: string | undefined;
    /** `MCD_STACK_ID`: the CloudFormation stack of the agent. */
    readonly stackId: string | undefined;
    /** `MCD_LOG_GROUP_ID`: CloudWatch log group (name or ARN) the AWS log routes read. */
    readonly logGroupId: string | undefined;
    /** `APPINSIGHTS_RESOURCE_ID`: Application Insights resource the Azure log route queries. */
    readonly appInsightsResourceId: string | undefined;
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

export interface ConfigSource {
  /** MCD_CONFIG_SOURCE as written (health shows it). */
  readonly source: string;
  readonly location: ConfigSourceLocation;
  /** `MCD_CONFIG_SOURCE_OVERRIDES`: the source's values win over the environment's. */
  readonly overrides: boolean;
  /** The names the source set, once prepareEnvironment has read it (bootAgent fills them in); never the values. */
  readonly variables: readonly string[];
}

// Defined with the other start-up errors; re-exported for the callers of loadConfig that catch it.
export { ConfigError };

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
const fraction = z.pipe(
  z.pipe(
    z.string().check(z.regex(/^(0|1)?(\.\d+)?$/, 'expected a fraction such as 0.85')),
    z.transform((text) => Number(text)),
  ),
  z.number().check(z.refine((n) => n > 0 && n <= 1, 'expected a fraction above 0 and at most 1')),
);
const bool = z.stringbool({ error: 'expected true or false' });
/** Exactly `true` or `false` (any case): a switch that opens an attack surface accepts no `1`, `yes` or `on`. */
const strictBool = z.pipe(
  z.string().check(z.regex(/^(true|false)$/i, 'expected true or false')),
  z.transform((value) => value.toLowerCase() === 'true'),
);
const text = z.string().check(z.minLength(1, 'must not be empty'));
const url = z.string().check(z.refine((v) => URL.canParse(v), 'expected an absolute URL'));
const list = z.pipe(z.string(), z.transform(splitList));
const cidrList = z.pipe(
  list,
  z
    .array(z.string())
    .check(
      z.refine((items) => items.every(isCidr), 'expected comma-separated CIDR ranges such as 10.0.0.0/8,fd00::/8'),
    ),
);

/**
 * Agent ids and scopes, and fragment ids: what an orchestrator can use as an identifier, e.g. `billing-db-0`, and what
 * is safe as one segment of a storage key.
 */
export const identifierName = z
  .string()
  .check(
    z.regex(
      /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/,
      'expected 1-128 letters, digits, ".", "_" or "-", starting with a letter or digit',
    ),
  );

const isoDate = z.string().check(
  z.regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD'),
  z.refine(
    (value) => new Date(Date.parse(`${value}T00:00:00Z`) || 0).toISOString().startsWith(value),
    'expected a real date',
  ),
);

/** Azure queue names: 3-63 lower-case letters, digits and single hyphens, starting and ending with a letter or digit. */
const queueName = z
  .string()
  .check(
    z.regex(/^[a-z0-9](-?[a-z0-9])+$/, 'expected an Azure queue name (lower-case letters, digits, single hyphens)'),
    z.maxLength(63, 'expected at most 63 characters'),
  );

const variableNames = z.pipe(
  list,
  z
    .array(z.string())
    .check(
      z.refine(
        (items) => items.every((item) => /^[A-Za-z_][A-Za-z0-9_]*\*?$/.test(item)),
        'expected comma-separated variable names or PREFIX_* prefixes',
      ),
    ),
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

/** A comma-separated list, items trimmed, empty ones dropped (`a, b,,c` → a, b, c). */
export function splitList(text: string): string[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

/** One variable through its schema: the value, or the problem as the one start-up line words it. */
function parseVariable<T>(
  name: string,
  raw: string,
  schema: z.ZodMiniType<T, unknown>,
): { ok: true; value: T } | { ok: false; problem: string } {
  const parsed = schema.safeParse(raw, { reportInput: true });
  if (parsed.success) return { ok: true, value: parsed.data };
  const shown = SECRET_NAME.test(name) ? '' : ` (got '${redactText(raw)}')`;
  const issue = parsed.error.issues[0];
  return { ok: false, problem: `${name}: ${issue ? describeIssue(issue) : 'invalid value'}${shown}` };
}

/**
 * MCD_CONFIG_SOURCE and MCD_CONFIG_SOURCE_OVERRIDES, read by prepareEnvironment before the rest of the configuration
 * exists, with loadConfig's own schemas and wording (so an invalid value reads the same whichever reads it first).
 */
export function readConfigSourceSetting(env: Env): Omit<ConfigSource, 'variables'> | undefined {
  const source = env.MCD_CONFIG_SOURCE;
  if (source === undefined || source === '') return undefined;
  const location = parseVariable('MCD_CONFIG_SOURCE', source, configSourceLocation);
  const raw = env.MCD_CONFIG_SOURCE_OVERRIDES;
  const overrides = raw
    ? parseVariable('MCD_CONFIG_SOURCE_OVERRIDES', raw, strictBool)
    : ({ ok: true, value: false } as const);
  const problems = [location, overrides].flatMap((read) => (read.ok ? [] : [read.problem]));
  if (problems.length > 0 || !location.ok || !overrides.ok) {
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  }
  return { source, location: location.value, overrides: overrides.value };
}

export function loadConfig(env: Env = process.env): AgentConfig {
  const problems: string[] = [];
  function read<T>(name: string, schema: z.ZodMiniType<T, unknown>, fallback: T): T;
  function read<T>(name: string, schema: z.ZodMiniType<T, unknown>): T | undefined;
  function read<T>(name: string, schema: z.ZodMiniType<T, unknown>, fallback?: T): T | undefined {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const parsed = parseVariable(name, raw, schema);
    if (parsed.ok) return parsed.value;
    problems.push(parsed.problem);
    return fallback;
  }
  const debug = read('MCD_DEBUG', bool, false);
  const sourceLocation = read('MCD_CONFIG_SOURCE', configSourceLocation);
  const sourceOverrides = read('MCD_CONFIG_SOURCE_OVERRIDES', strictBool, false);

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
      memoryGuardHeapFraction: read('MCD_MEMORY_GUARD_HEAP_FRACTION', fraction, 0.85),
      maxPrimitiveResultLength: read('MCD_MAX_PRIMITIVE_RESULT_LENGTH', positiveInt, 16 * 1024 * 1024),
    },
    clientCache: {
      ttlSeconds: read('MCD_CLIENT_CACHE_EXPIRATION_SECONDS', nonNegativeInt, 60),
      maxEntries: read('MCD_CLIENT_CACHE_MAX_ENTRIES', positiveInt, 64),
    },
    server: {
      headersTimeoutMs: read('MCD_SERVER_HEADERS_TIMEOUT_MS', positiveInt, 10_000),
      bodyIdleTimeoutMs: read('MCD_SERVER_BODY_IDLE_TIMEOUT_MS', positiveInt, 10_000),
      minBodyBytesPerSecond: read('MCD_SERVER_MIN_BODY_BYTES_PER_SECOND', nonNegativeInt, 1024),
      maxConnections: read('MCD_SERVER_MAX_CONNECTIONS', positiveInt, 1024),
    },
    connectorModules: read('MCD_CONNECTOR_MODULES', list, []),
    // The guard governs every socket (HTTP, databases, network checks), hence MCD_NETWORK_*; the MCD_HTTP_* names
    // they had while it guarded HTTP only stay as aliases. The new name wins for the switch; for the deny-list both
    // apply, since a deny-list that silently dropped ranges an operator set would fail open.
    network: {
      allowLoopback: read('MCD_NETWORK_ALLOW_LOOPBACK', bool) ?? read('MCD_HTTP_ALLOW_LOOPBACK', bool, false),
      blockedCidrs: [
        ...new Set([
          ...read('MCD_NETWORK_BLOCKED_CIDRS', cidrList, []),
          ...read('MCD_HTTP_BLOCKED_CIDRS', cidrList, []),
        ]),
      ],
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
    credentialsEnvVars: read('MCD_CREDENTIALS_ENV_VARS', variableNames),
    version: read('MCD_AGENT_VERSION', text, 'local'),
    build: read('MCD_AGENT_BUILD', text, '0'),
    agent: {
      // The deployment's own name is stable across its instances (a pod's hostname names the pod, as the seed's
      // guide recommends); a Lambda, Cloud Run or Azure instance's hostname would change with every instance.
      id: read('MCD_AGENT_ID', identifierName, defaultAgentId(env)),
      scope: read('MCD_AGENT_SCOPE', identifierName),
      productName: read('MCD_AGENT_PRODUCT_NAME', text, 'Artemis'),
      productNumber: read('MCD_AGENT_PRODUCT_NUMBER', text, env.MCD_AGENT_VERSION || 'local'),
      productionDate: read('MCD_AGENT_PRODUCTION_DATE', isoDate),
      description: read('MCD_AGENT_DESCRIPTION', text, 'Artemis data-collection agent'),
      type: read('MCD_AGENT_TYPE', text, 'DataCollectionAgent'),
    },
    gcpProjectId: read('GOOGLE_CLOUD_PROJECT', text),
    async: {
      timeoutSeconds: read('MCD_ASYNC_TIMEOUT_SECONDS', positiveInt, 885),
      retentionHours: read('MCD_ASYNC_RETENTION_HOURS', positiveInt, 24),
      queueName: read('MCD_ASYNC_QUEUE_NAME', queueName),
      queueEndpointUrl: read('MCD_ASYNC_QUEUE_ENDPOINT_URL', url),
      callbackRetries: read('MCD_ASYNC_CALLBACK_RETRIES', nonNegativeInt, 5),
      callbackTimeoutSeconds: read('MCD_ASYNC_CALLBACK_TIMEOUT_SECONDS', positiveInt, 10),
    },
    configSource: sourceLocation && {
      source: env.MCD_CONFIG_SOURCE ?? '',
      location: sourceLocation,
      overrides: sourceOverrides,
      variables: [],
    },
    remoteOps: {
      upgradable: read('MCD_AGENT_IS_REMOTE_UPGRADABLE', strictBool, false),
      allowedRepos: read('MCD_AGENT_UPGRADE_ALLOWED_REPOS', list, []),
      imageTag: read('MCD_AGENT_IMAGE_TAG', text),
      wrapperType: read('MCD_AGENT_WRAPPER_TYPE', text),
      stackId: read('MCD_STACK_ID', text),
      logGroupId: read('MCD_LOG_GROUP_ID', text),
      appInsightsResourceId: read('APPINSIGHTS_RESOURCE_ID', text),
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
  // The CloudFormation updater reads its own stack: a template that says CLOUDFORMATION must name the stack.
  if (config.remoteOps.wrapperType === 'CLOUDFORMATION' && !config.remoteOps.stackId) {
    problems.push('MCD_STACK_ID: is required when MCD_AGENT_WRAPPER_TYPE is CLOUDFORMATION');
  }
  // An explicit MCD_STORAGE is checked now; a runtime default is checked when the adapter's agent first uses it.
  if (config.storage.type) problems.push(...missingStorageSettings(config.storage.type, config.storage));
  if (problems.length > 0) throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  return config;
}

/** The runtimes' own names for the deployment (Lambda, Cloud Run, Azure), in the order defaultAgentId tries them. */
const PLATFORM_NAME_VARIABLES = ['AWS_LAMBDA_FUNCTION_NAME', 'K_SERVICE', 'WEBSITE_SITE_NAME'] as const;

/** Set by the platform itself, never by an operator or a template: read for defaults only (defaultAgentId). */
const PLATFORM_VARIABLES = new Set<string>(PLATFORM_NAME_VARIABLES);

/**
 * Every environment variable the configuration reads, found by running the parser itself over an environment that
 * records what is asked of it: the list cannot drift from the parser (the infra tests check templates against it).
 * The platform's own variables are left out: no operator sets them.
 */
export function declaredVariables(): string[] {
  const names = new Set<string>();
  const recorder = new Proxy<Env>(
    {},
    {
      get: (_target, name) => {
        if (typeof name === 'string' && !PLATFORM_VARIABLES.has(name)) names.add(name);
        return undefined;
      },
    },
  );
  loadConfig(recorder);
  return [...names].sort();
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

/** The runtime's name for this deployment, else the host's name (a container's or pod's), cut to a valid id. */
function defaultAgentId(env: Env): string {
  const name = PLATFORM_NAME_VARIABLES.map((variable) => env[variable]).find(Boolean) || hostname();
  const cleaned = name
    .replace(/[^A-Za-z0-9._-]/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 128);
  return cleaned || 'artemis';
}
