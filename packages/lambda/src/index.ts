export { isBinaryEncoding, isTextContentType, mustBase64Encode } from './binary';
export { destinationEventOf } from './destination-event';
export { type EventKind, eventKindOf } from './event-kind';
export { createLambdaHandler, type LambdaHandler, ResponseTooLargeError } from './handler';
export { lambdaEventDispatcher } from './lambda-dispatcher';
export type * from './lambda-types';
export { ALB_RESPONSE_LIMIT_BYTES, CORE_PAYLOAD_LIMIT_BYTES, LAMBDA_RESPONSE_LIMIT_BYTES } from './payload-limit';
export { fromAlb, fromApiGatewayV1, fromApiGatewayV2, toAgentRequest } from './to-agent-request';
export { exceedsLimit, toLambdaResult } from './to-lambda-result';
