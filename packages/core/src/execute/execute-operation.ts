import type { AgentServices } from '../agent/agent-services';
import { toErrorEnvelope } from '../errors/error-envelope';
import { parseJsonBody } from '../http/json-body';
import { errorResponse } from '../http/responses';
import { validate } from '../http/validation';
import { runWithLogContext } from '../logging/log-context';
import type { AgentResponse } from '../protocol/agent-response';
import { type Command, type ExecuteRequest, executeRequestSchema } from '../protocol/execute-request';
import type { ClientLease } from '../registry/client-registry';
import { registryFor } from '../registry/registry-for';
import { assertOperationShape } from './operation-shape';
import { runOperation } from './run-operation';
import { shapeResponse } from './shape-response';

export interface ExecuteOptions {
  /** Where an offloaded response goes (SPEC §4); `responses/<trace_id>` by default, the job's own key for async. */
  readonly offloadKey?: string;
}

/** An execute body that passed every check done before anything runs, and the JSON it came from. */
export interface ParsedExecuteRequest extends ExecuteRequest {
  readonly raw: unknown;
}

/**
 * The checks of an execute body (SPEC §3): strict JSON, the schema, the operation's limits. Throws the 4xx error;
 * `traced.traceId` is set as soon as the body names one, so that the error answer can carry it.
 */
export function parseExecuteRequest(
  services: AgentServices,
  body: Buffer,
  traced: { traceId?: string | undefined } = {},
): ParsedExecuteRequest {
  const raw = parseJsonBody(body, services.config.limits.maxJsonDepth);
  traced.traceId = peekTraceId(raw);
  const request = validate(executeRequestSchema, raw);
  traced.traceId = request.operation.trace_id;
  assertOperationShape(request.operation.commands, services.config.limits);
  return { ...request, raw };
}

/** The request's own `ctp_config` compiled, or undefined; the compiler is loaded only when a request sends one. */
export async function compileCtpConfig(services: AgentServices, connectionType: string, ctpConfig: unknown) {
  if (ctpConfig === undefined || ctpConfig === null) return undefined;
  return (await import('../ctp/request-pipeline')).compileRequestPipeline(services, connectionType, ctpConfig);
}

/**
 * The execute pipeline (SPEC §3–§5): validate → limits → credentials → client from the registry → the operation on
 * that client (run-operation.ts: commands under the timeout, the connector's hooks, envelope, size handling).
 * Request problems are 4xx; everything that fails once the operation runs is an HTTP 200 error envelope, as the
 * control plane expects. The async worker runs this too.
 */
export async function executeOperation(
  services: AgentServices,
  connectionType: string,
  operationName: string,
  body: Buffer,
  options: ExecuteOptions = {},
): Promise<AgentResponse> {
  const traced: { traceId?: string | undefined } = {};
  try {
    const { credentials, operation, ctp_config: ctpConfig } = parseExecuteRequest(services, body, traced);
    const trace = operation.trace_id;
    const offloadKey = options.offloadKey ?? `responses/${trace}`;
    // A request's own pipeline is compiled (and a bad one refused with a 400) before any secret is fetched.
    const pipeline = await compileCtpConfig(services, connectionType, ctpConfig);
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
          lease = await registry.acquire(connectionType, resolved, {
            skipCache: operation.skip_cache ?? false,
            pipeline,
          });
        } catch (error) {
          services.logger.warn('Client creation failed', { error: (error as Error).message });
          return shapeResponse(toErrorEnvelope(error, { traceId: trace }), operation, trace, services, offloadKey);
        }
        return runOperation(services, lease, connectionType, operation, trace, offloadKey);
      },
    );
  } catch (error) {
    return errorResponse(error, traced.traceId);
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
