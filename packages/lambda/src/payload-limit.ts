/*
 * Lambda answers a synchronous invoke with at most 6 MB (6,291,556 bytes) of serialized result
 * (https://docs.aws.amazon.com/lambda/latest/dg/API_Invoke.html); an ALB accepts at most 1 MB of it
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/lambda-functions.html). The limit applies to
 * the final JSON of the result, after a binary or gzip body has grown by 4/3 in base64 and a text body has been
 * JSON-escaped a second time.
 */
export const LAMBDA_RESPONSE_LIMIT_BYTES = 6_291_556;
export const ALB_RESPONSE_LIMIT_BYTES = 1_048_576;

/** Room for the result's own JSON: status, headers, keys, and escaping of a text body. */
const RESULT_HEADROOM_BYTES = 64 * 1024;

/**
 * The size the core may answer inline before it offloads to storage (`responsePayloadLimitBytes`): an envelope of
 * this size still fits in 6 MB once base64-encoded (gzip, binary), with headroom for the result around it.
 */
export const CORE_PAYLOAD_LIMIT_BYTES = Math.floor(((LAMBDA_RESPONSE_LIMIT_BYTES - RESULT_HEADROOM_BYTES) * 3) / 4);
