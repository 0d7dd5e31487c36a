import type { AgentServices } from '../agent/agent-services';
import { toErrorEnvelope } from '../errors/error-envelope';
import { parseJsonBody } from '../http/json-body';
import { errorResponse } from '../http/responses';
import { validate } from '../http/validation';
import { runWithLogContext } from '../logging/log-context';
import type { AgentResponse } from '../protocol/agent-response';
import { type Command, executeRequestSchema } from '../protocol/execute-request';
import type { ClientLease } from '../registry/client-registry';
import { registryFor } from '../registry/registry-for';
import { assertWithinLimits } from './operation-limits';
import { runOperation } from './run-operation';
import { shapeResponse } from './shape-response';

/**
 * The execute pipeline (SPEC §3–§5): validate → limits → credentials → client from the registry → the operation on
 * that client (run-operation.ts: commands under the timeout, the connector's hooks, envelope, size handling).
 * Request problems are 4xx; everything that fails once the operation runs is an HTTP 200 error envelope.
 */
export async function executeOperation(
  services: AgentServices,
  connectionType: string,
  operationName: string,
  body: Buffer,
): Promise<AgentResponse> {
  let traceId: string | undefined;
  try {
    const raw = parseJsonBody(body, services.config.limits.maxJsonDepth);
    traceId = peekTraceId(raw);
    const { credentials, operation } = validate(executeRequestSchema, raw);
    traceId = operation.trace_id;
    assertWithinLimits(operation.commands, services.config.limits);
    const trace = traceId;
    return await runWithLogContext(
      { mcd_trace_id: trace, mcd_operation_name: `${connectionType}/${operationName}` },
      async () => {
        // Inside the log context so the credentials step's own lines carry the trace id; its errors are 4xx.
        const resolved = await services.resolveCredentials(credentials);
        services.logger.info(`Executing operation: ${connectionType}/${operationName}`, {
          methods: operation.commands.map(describeChain),
        });
        const registry = registryFor(services);
        let lease: ClientLease;
        try {
          lease = await registry.acquire(connectionType, resolved, { skipCache: operation.skip_cache ?? false });
        } catch (error) {
          services.logger.warn('Client creation failed', { error: (error as Error).message });
          return shapeResponse(toErrorEnvelope(error, { traceId: trace }), operation, trace, services);
        }
        return runOperation(services, lease, connectionType, operation, trace);
      },
    );
  } catch (error) {
    return errorResponse(error, traceId);
  }
}

function peekTraceId(raw: unknown): string | undefined {
  const traceId = (raw as { operation?: { trace_id?: unknown } } | null)?.operation?.trace_id;
  return typeof traceId === 'string' || typeof traceId === 'number' ? String(traceId) : undefined;
}

function describeChain(command: Command): string {
  const methods: string[] = [];
  for (let link: Command | null | undefined = command; link; link = link.next) methods.push(link.method);
  return `${command.target ?? '_client'}.${methods.join('().')}()`;
}
