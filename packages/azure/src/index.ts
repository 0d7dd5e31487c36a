export { type AzureHttpHandler, createAzureHandler, fromHttpRequest, toHttpResponseInit } from './azure-handler';
export { createAzureAgent } from './create-azure-agent';
export { invocationLogSink, runInInvocation } from './invocation-logger';
export { azureRemoteOps } from './remote-ops/azure-remote-ops';
export type { AzureRemoteOpsOptions } from './remote-ops/azure-remote-ops-options';
