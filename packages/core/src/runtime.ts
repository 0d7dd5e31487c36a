/*
 * `@artemis/core/runtime`: what a runtime adapter needs (booting and serving the agent, configuration, the
 * request/response protocol and its wire bytes, errors, logging, the node:http helpers), and nothing a connector
 * needs. Adapters import this instead of the package's index because esbuild, with code splitting, loads every
 * index-exported module that any lazy chunk uses into the entry's static closure: through the index a Lambda health
 * check also loaded the network guard, ipaddr.js, node:https and node:dns (15 KiB, a measurable share of cold
 * start). Only named re-exports here, sorted by module, so this file is the adapter surface in one place: booting and
 * serving (bootAgent, runServer), configuration, the protocol and its wire bytes (toWireResponse), the error classes
 * (each carries its status and `__mcd_error_type__`: adapters never choose a status), logging.
 */

export type { AgentServices, Platform, RouteContext } from './agent/agent-services';
export { type BootOptions, bootAgent } from './agent/boot-agent';
export { type Agent, type AgentOptions, createAgent } from './agent/create-agent';
export {
  ASYNC_WORK_KEY,
  type AsyncDispatcher,
  type AsyncWork,
  asyncWorkEvent,
  asyncWorkOf,
} from './async/async-dispatcher';
export { type AgentConfig, ConfigError, type LogLevel, loadConfig, type StorageType } from './config/config';
export { encodeJson, encodeJsonBuffer } from './encoding/json-encoder';
export {
  AgentError,
  BadRequestError,
  ConnectionFailedError,
  ForbiddenError,
  MethodNotAllowedError,
  OperationError,
  OperationTimeoutError,
  PayloadTooLargeError,
  RouteNotFoundError,
} from './errors/agent-errors';
export { type ErrorEnvelope, toErrorEnvelope } from './errors/error-envelope';
export { errorResponse } from './http/responses';
export { runWithLogContext } from './logging/log-context';
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
export { lazyRemoteOp } from './remote-ops/lazy-remote-op';
export type {
  AgentUpdater,
  AwsPlatformLogs,
  AzurePlatformLogs,
  GcpPlatformLogs,
  LogWindow,
  ParameterValue,
  RemoteOps,
  UpdateRequest,
} from './remote-ops/remote-ops';
export { createLocalServer } from './server/local-server';
export { fromIncomingMessage, readBody, writeAgentResponse } from './server/node-http';
export { type RunServerOptions, runServer } from './server/run-server';
