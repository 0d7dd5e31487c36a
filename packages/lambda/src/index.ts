export { isBinaryEncoding, isTextContentType, mustBase64Encode } from './binary';
export { type EventKind, eventKindOf } from './event-kind';
export { createLambdaHandler, type LambdaHandler, ResponseTooLargeError } from './handler';
export type * from './lambda-types';
export { ALB_RESPONSE_LIMIT_BYTES, CORE_PAYLOAD_LIMIT_BYTES, LAMBDA_RESPONSE_LIMIT_BYTES } from './payload-limit';
export type { AwsRemoteOpsOptions } from './remote-ops/aws-remote-ops-options';
export { lambdaRemoteOps } from './remote-ops/lambda-remote-ops';
export { fromAlb, fromApiGatewayV1, fromApiGatewayV2, toAgentRequest } from './to-agent-request';
export { exceedsLimit, toLambdaResult } from './to-lambda-result';
