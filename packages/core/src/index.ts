/*
 * `@artemis/core`: the connector SDK, what a native connector or an MCD_CONNECTOR_MODULES plugin is written against
 * (connectors/: the factory, ProxyClient and its lifecycle hooks, the Operation it serves; validation, keyword
 * parameters and typed wire values; the SSRF guard for every outbound connection; the one AWS base configuration;
 * the agent's storage; the error classes), plus what embedders use (prepareEnvironment) and, by name, everything
 * an adapter uses (runtime.ts, which adapters import directly; see there why). Named exports only, sorted by module,
 * so the whole surface is readable here; packages/core/tests/index.test.ts checks that nothing of runtime.ts is
 * missing.
 */

export { type AwsClientConfigOptions, awsClientConfig } from './aws/aws-client-config';
export { currentOperation, type Operation, type OperationEnd, type OperationOutcome } from './connectors/operation';
export type {
  ConnectorCatalog,
  ConnectorContext,
  ConnectorFactory,
  ConnectorLoader,
  ConnectorModule,
  ConnectorPlugin,
  Credentials,
  ProxyClient,
} from './connectors/proxy-client';
export type { StandardIssue, StandardResult, StandardSchemaV1 } from './connectors/standard-schema';
export { prepareEnvironment } from './credentials/prepare-environment';
export type { SelfHostedCredentialsOptions } from './credentials/self-hosted-options';
export type { ConnectArgsSchema } from './ctp/connect-args-schema';
export type { CredentialPipeline } from './ctp/credential-pipeline';
export {
  type DatabricksOAuthCredentials,
  DatabricksTokenSource,
  type DatabricksTokenSourceOptions,
  databricksTokenSource,
} from './ctp/transforms/databricks-token-source';
export type { PipelineServices, StepRun, Transform } from './ctp/transforms/transform';
export type {
  BatchContext,
  DestinationContext,
  DestinationModule,
  DestinationRequest,
  DestinationResponse,
  RateLimit,
} from './destinations/destination-module';
export { EncodedArrayBuilder } from './encoding/encoded-array-builder';
export { EncodedJson, isEncodedJson } from './encoding/encoded-json';
export { decimal, encodeDate, encodeJsonChunks, gzipBuffer, type JsonChunks, typed } from './encoding/json-encoder';
export { OperationAbortedError } from './errors/operation-aborted-error';
export { SelfHostedCredentialsError } from './errors/self-hosted-credentials-error';
export {
  ChecksumMismatchError,
  ChecksumUnavailableError,
  InvalidStorageKeyError,
  LocalPathForbiddenError,
  StorageConfigurationError,
  StorageNotFoundError,
  StoragePermissionsError,
} from './errors/storage-errors';
export { validate } from './http/validation';
export { PARAMETERS, REST_KEYWORDS, withParameters } from './interpreter/method-parameters';
export {
  ConfinedFileError,
  type ConfinedFileOptions,
  type ConfinementFailure,
  openConfinedFile,
  readConfinedFile,
} from './local-files/confined-file';
export { REDACTED, redact } from './logging/redact';
export { type GuardedAgentOptions, guardedAgent, guardedAgents } from './network/guarded-agent';
export {
  type GuardedRequestOptions,
  type GuardedResponse,
  type GuardedStreamResponse,
  guardedRequest,
  guardedStreamRequest,
} from './network/guarded-http';
export { type GuardedTcpTarget, guardedTcpTarget, UnixSocketForbiddenError } from './network/guarded-tcp';
export { type Destination, type HostLookup, NetworkGuard, pinnedLookup } from './network/network-guard';
export type {
  Agent,
  AgentConfig,
  AgentOptions,
  AgentRequest,
  AgentResponse,
  AgentServices,
  AsyncDispatcher,
  AsyncWork,
  BootOptions,
  ErrorEnvelope,
  Logger,
  LogLevel,
  LogSink,
  Platform,
  QueryValues,
  RouteContext,
  RunServerOptions,
  StorageType,
  WireResponse,
} from './runtime';
export {
  AgentError,
  ASYNC_WORK_KEY,
  appendQueryValue,
  asyncWorkEvent,
  asyncWorkOf,
  BadRequestError,
  BINARY_CONTENT_TYPE,
  bootAgent,
  ConfigError,
  ConnectionFailedError,
  createAgent,
  createLocalServer,
  createLogger,
  encodeJson,
  encodeJsonBuffer,
  errorResponse,
  ForbiddenError,
  firstQueryValue,
  fromIncomingMessage,
  GZIP_CONTENT_TYPE,
  isBinaryBody,
  isReadable,
  JSON_CONTENT_TYPE,
  lazyRemoteOp,
  loadConfig,
  MethodNotAllowedError,
  OperationError,
  OperationTimeoutError,
  PayloadTooLargeError,
  RouteNotFoundError,
  readBody,
  runServer,
  runWithLogContext,
  stdoutSink,
  stringifyLogRecord,
  TRACE_ID_HEADER,
  toErrorEnvelope,
  toWireResponse,
  WireKey,
  writeAgentResponse,
} from './runtime';
export { FragmentSetCompleteError, FragmentSizeMismatchError } from './storage/fragments/fragment-errors';
export type { FragmentEntry, FragmentManifest } from './storage/fragments/fragment-manifest';
export { FragmentSets, type FragmentWrite } from './storage/fragments/fragment-sets';
export {
  type FullStorageBackend,
  isFullStorageBackend,
  type ListOptions,
  type ListPage,
  type ObjectInfo,
  type StorageBackend,
  type StoredObject,
  type WriteOptions,
  type WrittenObject,
} from './storage/storage-backend';
