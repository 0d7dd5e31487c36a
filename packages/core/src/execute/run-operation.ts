import type { AgentServices } from '../agent/agent-services';
import { perAgent } from '../agent/per-agent';
import { createOperation, type Operation, type OperationOutcome, runInOperation } from '../connectors/operation';
import type { ProxyClient } from '../connectors/proxy-client';
import { OperationTimeoutError } from '../errors/agent-errors';
import { toErrorEnvelope } from '../errors/error-envelope';
import { errorResponse } from '../http/responses';
import { executeCommands } from '../interpreter/execute-commands';
import type { Logger } from '../logging/logger';
import { heapGuard } from '../memory/heap-guard';
import type { AgentResponse } from '../protocol/agent-response';
import type { Operation as OperationRequest } from '../protocol/execute-request';
import { WireKey } from '../protocol/wire-keys';
import type { ClientLease } from '../registry/client-registry';
import { trackOperation } from './operations-in-flight';
import { runWithTimeout } from './run-with-timeout';
import { binaryResponse, shapeResponse } from './shape-response';

/**
 * One operation's life on a leased client (SPEC §3, §5): the commands run inside the operation the core hands out
 * (`currentOperation()`), under the operation timeout; then `processResult` or the error hooks; then the client's
 * `endOperation` exactly once with the outcome, before the lease is released; then the envelope. Everything that
 * fails here is an HTTP 200 error envelope, as the control plane expects.
 */
export function runOperation(
  services: AgentServices,
  lease: ClientLease,
  connectionType: string,
  request: OperationRequest,
  traceId: string,
  offloadKey?: string,
): Promise<AgentResponse> {
  const { client } = lease;
  const controller = new AbortController();
  const operation = createOperation(traceId, connectionType, controller.signal);
  const end = operationEnder(client, operation, services.logger);
  const started = performance.now();
  const { limits } = services.config;
  const memory = memoryGuardFor(services);
  const run = async (): Promise<AgentResponse> => {
    try {
      const processed = await runInOperation(operation, async () => {
        const result = await runWithTimeout(services.config.operationTimeoutSeconds, controller, (signal) =>
          executeCommands(request.commands, client, {
            signal,
            memory,
            maxPrimitiveResultLength: limits.maxPrimitiveResultLength,
          }),
        );
        return client.processResult ? await client.processResult(result) : result;
      });
      const ended = await end('success');
      const response =
        binaryResponse(processed, traceId) ??
        (await shapeResponse(
          { [WireKey.result]: processed, [WireKey.traceId]: traceId },
          request,
          traceId,
          services,
          offloadKey,
          memory,
        ));
      await lease.release(ended ? 'success' : 'error');
      services.logger.debug('Operation executed', { elapsed_ms: Math.round(performance.now() - started) });
      return response;
    } catch (error) {
      await end(outcomeOf(error, controller.signal));
      await lease.release('error');
      services.logger.warn('Operation failed', { error_type: (error as Error).name });
      return shapeResponse(failureEnvelope(error, client, traceId), request, traceId, services, offloadKey).catch(
        (shapeError) => errorResponse(shapeError, traceId),
      );
    }
  };
  return trackOperation(services, controller, run(), (stillIdle) => memory.collectIdleGarbage(stillIdle));
}

/** One guard per agent: it holds nothing but the fraction and the heap reader. */
const memoryGuardFor = perAgent((services) =>
  heapGuard(services.config.limits.memoryGuardHeapFraction, services.readHeap),
);

/**
 * Calls the client's `endOperation` once (a response that fails to shape after a success ends in the error path);
 * resolves false when the hook failed, so the client is disposed rather than reused with what it could not clean.
 */
function operationEnder(client: ProxyClient, operation: Operation, logger: Logger) {
  let ending: Promise<boolean> | undefined;
  return (outcome: OperationOutcome): Promise<boolean> => {
    ending ??= (async () => {
      if (!client.endOperation) return true;
      try {
        await client.endOperation({ operation, outcome });
        return true;
      } catch (error) {
        logger.warn('Ending the operation failed; its client is disposed', { error: (error as Error)?.message });
        return false;
      }
    })();
    return ending;
  };
}

function outcomeOf(error: unknown, signal: AbortSignal): OperationOutcome {
  if (error instanceof OperationTimeoutError) return 'timeout';
  return signal.aborted ? 'aborted' : 'error';
}

function failureEnvelope(error: unknown, client: ProxyClient, traceId: string) {
  return toErrorEnvelope(error, {
    traceId,
    errorType: safely(() => client.errorType?.(error)),
    errorAttrs: safely(() => client.errorAttrs?.(error)),
  });
}

/** A connector's error hooks must not turn one failure into another. */
function safely<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}
