import type { Readable } from 'node:stream';
import {
  type Agent,
  AgentError,
  type AsyncWork,
  asyncWorkOf,
  BadRequestError,
  errorResponse,
  isReadable,
  runWithLogContext,
  TRACE_ID_HEADER,
} from '@artemis/core/runtime';
import { destinationEventOf } from './destination-event';
import { eventKindOf } from './event-kind';
import type { LambdaContext, LambdaResult } from './lambda-types';
import { ALB_RESPONSE_LIMIT_BYTES, LAMBDA_RESPONSE_LIMIT_BYTES } from './payload-limit';
import { toAgentRequest } from './to-agent-request';
import { type BufferedResponse, exceedsLimit, toLambdaResult } from './to-lambda-result';

export type LambdaHandler = (event: unknown, context?: LambdaContext) => Promise<LambdaResult>;

/** A result the runtime would refuse as too large; the core offloads envelopes earlier, this catches the rest. */
export class ResponseTooLargeError extends AgentError {
  override readonly status = 200;
  override readonly errorType = 'ResponseTooLarge';
  constructor(limitBytes: number) {
    super(`The response exceeds the runtime's limit of ${limitBytes} bytes; ask for response_type "url"`);
  }
}

/**
 * event → AgentRequest → core → result in the event's own shape. Plain objects all the way: no Fetch
 * Request/Response (SPEC §11). Never throws: a malformed event is a 400 envelope, like any bad request.
 */
export function createLambdaHandler(agent: Agent): LambdaHandler {
  return (event, context) => {
    // The agent's own Event self-invocation (SPEC §8) carries a key no HTTP event has: run the job, answer nothing.
    // A bare webhook-destination payload (SPEC §14) is POSTed to the destinations route, as the seed's runner took it.
    const work = asyncWorkOf(event);
    const run = work ? () => runWork(agent, work, context) : () => answer(agent, destinationEventOf(event) ?? event);
    const requestId = context?.awsRequestId;
    return requestId ? runWithLogContext({ aws_request_id: requestId }, run) : run();
  };
}

/**
 * A work event is an Event invocation: Lambda keeps no result, so this one only says which job ran. A storage
 * failure rejects, so that Lambda records the invocation as failed (the job then reads Failed after its deadline).
 * The invocation's remaining time goes with it: a long job (a webhook delivery) hands over before Lambda stops it.
 */
async function runWork(agent: Agent, work: AsyncWork, context: LambdaContext | undefined): Promise<LambdaResult> {
  const remaining = context?.getRemainingTimeInMillis;
  await agent.runAsyncWork(work, remaining ? { remainingTimeMs: () => remaining.call(context) } : {});
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ __mcd_request_id__: work.request_id }),
    isBase64Encoded: false,
  };
}

async function answer(agent: Agent, event: unknown): Promise<LambdaResult> {
  const kind = eventKindOf(event);
  const multiValueHeaders = hasMultiValueHeaders(event);
  const limit = kind === 'alb' ? ALB_RESPONSE_LIMIT_BYTES : LAMBDA_RESPONSE_LIMIT_BYTES;
  let response: BufferedResponse;
  try {
    response = await agent.handle(toAgentRequest(kind, event));
  } catch (error) {
    // Only the translation can throw (agent.handle never does): fields of the wrong type in a hand-made event.
    response = errorResponse(new BadRequestError(`Malformed Lambda event: ${(error as Error).message}`), undefined);
  }
  if (isReadable(response.body)) response = await buffered(response, response.body, limit);
  const result = toLambdaResult(kind, response, multiValueHeaders);
  if (!exceedsLimit(result, limit)) return result;
  const traceId = response.headers[TRACE_ID_HEADER];
  return toLambdaResult(kind, errorResponse(new ResponseTooLargeError(limit), traceId), multiValueHeaders);
}

function hasMultiValueHeaders(event: unknown): boolean {
  const multi = (event as { multiValueHeaders?: unknown } | null)?.multiValueHeaders;
  return typeof multi === 'object' && multi !== null;
}

/** Reads a streamed body (a storage download) into memory, giving up as soon as it cannot fit the result. */
async function buffered(response: BufferedResponse, stream: Readable, limit: number): Promise<BufferedResponse> {
  const traceId = response.headers[TRACE_ID_HEADER];
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      size += (chunk as Buffer).length;
      // base64 grows the body by 4/3: past 3/4 of the limit it can no longer fit.
      if (size > (limit * 3) / 4) {
        stream.destroy();
        return errorResponse(new ResponseTooLargeError(limit), traceId);
      }
      chunks.push(chunk as Buffer);
    }
  } catch (error) {
    return errorResponse(error, traceId);
  }
  return { ...response, body: Buffer.concat(chunks, size) };
}
