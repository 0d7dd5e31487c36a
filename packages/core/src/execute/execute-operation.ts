import type { AgentServices } from '../agent/agent-services';
import { perAgent } from '../agent/per-agent';
import type { ProxyClient } from '../connectors/proxy-client';
import { toErrorEnvelope } from '../errors/error-envelope';
import { parseJsonBody } from '../http/json-body';
import { errorResponse } from '../http/responses';
import { validate } from '../http/validation';
import { executeCommands } from '../interpreter/execute-commands';
import { runWithLogContext } from '../logging/log-context';
import { heapGuard } from '../memory/heap-guard';
import type { AgentResponse } from '../protocol/agent-response';
import { type Command, type ExecuteRequest, executeRequestSchema } from '../protocol/execute-request';
import { WireKey } from '../protocol/wire-keys';
import type { ClientLease } from '../registry/client-registry';
import { registryFor } from '../registry/registry-for';
import { assertOperationShape } from './operation-shape';
import { runWithTimeout } from './run-with-timeout';
import { binaryResponse, shapeResponse } from './shape-response';

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
 * The execute pipeline (SPEC §3–§5): validate → limits → credentials → client from the registry → commands under
 * the operation timeout → envelope → size handling. Request problems are 4xx; everything that fails once the
 * operation runs is an HTTP 200 error envelope, as the control plane expects. The async worker runs this too.
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
        const started = performance.now();
        const { limits } = services.config;
        const memory = memoryGuardFor(services);
        try {
          const result = await runWithTimeout(services.config.operationTimeoutSeconds, (signal) =>
            executeCommands(operation.commands, lease.client, {
              signal,
              memory,
              maxPrimitiveResultLength: limits.maxPrimitiveResultLength,
            }),
          );
          const processed = lease.client.processResult ? await lease.client.processResult(result) : result;
          const response =
            binaryResponse(processed, trace) ??
            (await shapeResponse(
              { [WireKey.result]: processed, [WireKey.traceId]: trace },
              operation,
              trace,
              services,
              offloadKey,
              memory,
            ));
          await lease.release('success');
          services.logger.debug('Operation executed', { elapsed_ms: Math.round(performance.now() - started) });
          return response;
        } catch (error) {
          await lease.release('error');
          services.logger.warn('Operation failed', { error_type: (error as Error).name });
          return shapeResponse(
            failureEnvelope(error, lease.client, trace),
            operation,
            trace,
            services,
            offloadKey,
          ).catch((shapeError) => errorResponse(shapeError, trace));
        }
      },
    );
  } catch (error) {
    return errorResponse(error, traced.traceId);
  }
}

/** One guard per agent: it holds nothing but the fraction and the heap reader. */
const memoryGuardFor = perAgent((services) =>
  heapGuard(services.config.limits.memoryGuardHeapFraction, services.readHeap),
);

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

function peekTraceId(raw: unknown): string | undefined {
  const traceId = (raw as { operation?: { trace_id?: unknown } } | null)?.operation?.trace_id;
  return typeof traceId === 'string' || typeof traceId === 'number' ? String(traceId) : undefined;
}

function describeChain(command: Command): string {
  const methods: string[] = [];
  for (let link: Command | null | undefined = command; link; link = link.next) methods.push(link.method);
  return `${command.target ?? '_client'}.${methods.join('().')}()`;
}
