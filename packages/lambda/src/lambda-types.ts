/*
 * The few fields of Lambda's HTTP events and results this adapter reads or writes, written out by hand (as Hono
 * does) rather than pulling @types/aws-lambda into a runtime package. Every field is optional on the way in: direct
 * invokes and console tests send whatever the caller typed.
 */

export type HeaderMap = Readonly<Record<string, string | undefined>>;
export type MultiValueMap = Readonly<Record<string, readonly string[] | undefined>>;
/** Direct invokes may carry non-string query values (`"full": true` in the seed README). */
export type LooseQueryMap = Readonly<Record<string, unknown>>;

/** API Gateway REST (payload 1.0) proxy event; also the shape of a direct invoke. */
export interface ApiGatewayV1Event {
  readonly httpMethod?: string;
  readonly path?: string;
  readonly headers?: HeaderMap | null;
  readonly multiValueHeaders?: MultiValueMap | null;
  readonly queryStringParameters?: LooseQueryMap | null;
  readonly multiValueQueryStringParameters?: Readonly<Record<string, readonly unknown[] | undefined>> | null;
  /** A direct invoke may send the body as a JSON object instead of a string. */
  readonly body?: unknown;
  readonly isBase64Encoded?: boolean;
  readonly requestContext?: Readonly<Record<string, unknown>>;
}

/** API Gateway HTTP API (payload 2.0) and Lambda Function URL event. */
export interface ApiGatewayV2Event {
  readonly rawPath: string;
  readonly rawQueryString?: string;
  readonly headers?: HeaderMap | null;
  readonly cookies?: readonly string[];
  readonly body?: string;
  readonly isBase64Encoded?: boolean;
  readonly requestContext: { readonly http: { readonly method: string } };
}

/** Application Load Balancer target event: single-value or multi-value headers, per the target group setting. */
export interface AlbEvent {
  readonly httpMethod?: string;
  readonly path?: string;
  readonly headers?: HeaderMap;
  readonly multiValueHeaders?: MultiValueMap;
  /** Still URL-encoded: ALB, unlike API Gateway, does not decode query strings. */
  readonly queryStringParameters?: Readonly<Record<string, string | undefined>>;
  readonly multiValueQueryStringParameters?: MultiValueMap;
  readonly body?: string;
  readonly isBase64Encoded?: boolean;
  readonly requestContext: { readonly elb: { readonly targetGroupArn?: string } };
}

export type LambdaHttpEvent = ApiGatewayV1Event | ApiGatewayV2Event | AlbEvent;

/** The result Lambda serializes back to API Gateway, ALB, the Function URL or the direct caller. */
export interface LambdaResult {
  statusCode: number;
  statusDescription?: string;
  headers?: Record<string, string>;
  multiValueHeaders?: Record<string, string[]>;
  body: string;
  isBase64Encoded: boolean;
}

/** The part of Lambda's context object the adapter uses. */
export interface LambdaContext {
  readonly awsRequestId?: string;
  readonly functionName?: string;
  /** Milliseconds before Lambda stops this invocation. */
  readonly getRemainingTimeInMillis?: () => number;
}
