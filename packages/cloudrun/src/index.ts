export { cloudRunLogSink, runWithTrace, SAMPLED_FIELD, SPAN_FIELD, TRACE_FIELD, traceLogFields } from './cloud-logging';
export { createCloudRunAgent } from './create-cloud-run-agent';
export { createHttpFunction, type FrameworkRequest } from './http-function';
export { withCloudTrace } from './traced-agent';
