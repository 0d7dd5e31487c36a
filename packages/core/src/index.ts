export type { AgentServices, Platform, RouteContext } from './agent/agent-services';
export type { Agent, AgentOptions } from './agent/create-agent';
export { createAgent } from './agent/create-agent';
export type { AgentConfig, LogLevel, StorageType } from './config/config';
export { ConfigError, loadConfig } from './config/config';
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
export { decimal, encodeDate, encodeJson, encodeJsonBuffer, gzipBuffer, typed } from './encoding/json-encoder';
export * from './errors/agent-errors';
export { type ErrorEnvelope, toErrorEnvelope } from './errors/error-envelope';
export { errorResponse } from './http/responses';
export { validate } from './http/validation';
export { PARAMETERS, REST_KEYWORDS, withParameters } from './interpreter/method-parameters';
export { currentLogContext, runWithLogContext } from './logging/log-context';
export { createLogger, type Logger, type LogSink, stdoutSink } from './logging/logger';
export { REDACTED, redact } from './logging/redact';
export {
  type GuardedRequestOptions,
  type GuardedResponse,
  type GuardedStreamResponse,
  guardedRequest,
  guardedStreamRequest,
} from './network/guarded-http';
export { type Destination, NetworkGuard, pinnedLookup } from './network/network-guard';
export { type AgentRequest, firstQueryValue } from './protocol/agent-request';
export {
  type AgentResponse,
  BINARY_CONTENT_TYPE,
  GZIP_CONTENT_TYPE,
  isBinaryBody,
  isReadable,
  JSON_CONTENT_TYPE,
} from './protocol/agent-response';
export { TRACE_ID_HEADER, WireKey } from './protocol/wire-keys';
export { installGracefulShutdown } from './server/graceful-shutdown';
export { createLocalServer } from './server/local-server';
export { fromIncomingMessage, readBody, writeAgentResponse } from './server/node-http';
export type { StorageBackend } from './storage/storage-backend';
