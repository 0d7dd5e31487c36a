// `./runtime` (re-exported below) holds everything a runtime adapter needs, and adapters import
// `@artemis/core/runtime` directly (see runtime.ts for why); the rest is what connectors, storage and credentials use.

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
export { SelfHostedCredentialsError } from './credentials/self-hosted-credentials-error';
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
export { decimal, encodeDate, gzipBuffer, typed } from './encoding/json-encoder';
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
export { type Destination, NetworkGuard, pinnedLookup } from './network/network-guard';
export * from './runtime';
export {
  type FullStorageBackend,
  isFullStorageBackend,
  type ListOptions,
  type ListPage,
  type StorageBackend,
  type StoredObject,
} from './storage/storage-backend';
export {
  InvalidStorageKeyError,
  LocalPathForbiddenError,
  StorageConfigurationError,
  StorageNotFoundError,
  StoragePermissionsError,
} from './storage/storage-errors';
