export { cloudRunLogSink, runWithTrace, SAMPLED_FIELD, SPAN_FIELD, TRACE_FIELD, traceLogFields } from './cloud-logging';
export { createCloudRunAgent } from './create-cloud-run-agent';
export { createHttpFunction, type FrameworkRequest } from './http-function';
export { cloudRunRemoteOps } from './remote-ops/cloud-run-remote-ops';
export type { GcpRemoteOpsOptions } from './remote-ops/gcp-remote-ops-options';
export { withCloudTrace } from './traced-agent';
