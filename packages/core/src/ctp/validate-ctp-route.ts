import type { RouteContext } from '../agent/agent-services';
import { parseJsonBody } from '../http/json-body';
import { traceIdOf } from '../http/request-params';
import { jsonResponse } from '../http/responses';
import { runWithLogContext } from '../logging/log-context';
import { firstQueryValue } from '../protocol/agent-request';
import type { AgentResponse } from '../protocol/agent-response';
import { analyzePipeline } from './compile-pipeline';
import { isPlainObject } from './template/template-values';

/**
 * POST /api/v1/ctp/validate/{connection_type} (apollo-inventory §1.2 row 3): checks a `ctp_config` without running
 * it and answers Apollo's unwrapped `{"valid", "errors", "warnings"}`. The connection type's default pipeline lends
 * its connect_args schema (required keys) and its own transforms; an unknown type is checked on structure alone.
 * Bad bodies are 400 `{"valid": false, "errors": [...]}`, as in Apollo. The trace id, when given, is echoed in the
 * header only, so the body keeps Apollo's exact shape. Nothing in the answer comes from credentials: there are none.
 */
export async function validateCtpRoute({ services, params, request }: RouteContext): Promise<AgentResponse> {
  const connectionType = params.connection_type ?? '';
  let body: unknown;
  try {
    body = parseJsonBody(request.body, services.config.limits.maxJsonDepth);
  } catch {
    body = undefined;
  }
  const queryTrace = firstQueryValue(request.query, 'trace_id') || undefined;
  if (!isPlainObject(body)) return refusal('Request body must be a JSON object', queryTrace);
  const traceId = traceIdOf(body) ?? queryTrace;
  const config = body.ctp_config;
  if (
    config === undefined ||
    config === null ||
    config === '' ||
    (isPlainObject(config) && Object.keys(config).length === 0)
  ) {
    return refusal('ctp_config is required', traceId);
  }
  return runWithLogContext(
    { mcd_trace_id: traceId, mcd_operation_name: `${connectionType}/validate_ctp_config` },
    async () => {
      await services.pluginsReady();
      const connector = await services.directory.connectorFor(connectionType).catch(() => undefined);
      const { errors, warnings } = analyzePipeline(config, connector?.credentialPipeline);
      services.logger.info('Validated ctp_config', { valid: errors.length === 0, errors: errors.length });
      return jsonResponse({ valid: errors.length === 0, errors, warnings }, traceId);
    },
  );
}

function refusal(message: string, traceId: string | undefined): AgentResponse {
  return jsonResponse({ valid: false, errors: [message] }, traceId, 400);
}
