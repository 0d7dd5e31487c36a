/*
 * `@artemis/core/runtime`: what a runtime adapter needs (the agent, configuration, protocol, errors, logging, the
 * node:http helpers), and nothing a connector needs. Adapters import this instead of the package's index because
 * esbuild, with code splitting, loads every index-exported module that any lazy chunk uses into the entry's static
 * closure: through the index a Lambda health check also loaded the network guard, ipaddr.js, node:https and
 * node:dns (15 KiB, a measurable share of cold start). Only re-exports here.
 */
export type { AgentServices, Platform, RouteContext } from './agent/agent-services';
export { type BootOptions, bootAgent } from './agent/boot-agent';
export type { Agent, AgentOptions } from './agent/create-agent';
export { createAgent } from './agent/create-agent';
export type { AgentConfig, LogLevel, StorageType } from './config/config';
export { ConfigError, loadConfig } from './config/config';
export { prepareEnvironment } from './credentials/prepare-environment';
export { encodeJson, encodeJsonBuffer } from './encoding/json-encoder';
export * from './errors/agent-errors';
export { type ErrorEnvelope, toErrorEnvelope } from './errors/error-envelope';
export { errorResponse } from './http/responses';
export { currentLogContext, runWithLogContext } from './logging/log-context';
export { createLogger, type Logger, type LogSink, stdoutSink, stringifyLogRecord } from './logging/logger';
export { type AgentRequest, appendQueryValue, firstQueryValue, type QueryValues } from './protocol/agent-request';
export {
  type AgentResponse,
  BINARY_CONTENT_TYPE,
  GZIP_CONTENT_TYPE,
  isBinaryBody,
  isReadable,
  JSON_CONTENT_TYPE,
} from './protocol/agent-response';
export { TRACE_ID_HEADER, WireKey } from './protocol/wire-keys';
export { toWireResponse, type WireResponse } from './protocol/wire-response';
export { installGracefulShutdown } from './server/graceful-shutdown';
export { createLocalServer } from './server/local-server';
export { fromIncomingMessage, readBody, writeAgentResponse } from './server/node-http';
export { type RunServerOptions, runServer } from './server/run-server';
