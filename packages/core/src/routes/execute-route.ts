import type { RouteContext } from '../agent/agent-services';
import { executeOperation } from '../execute/execute-operation';

/** POST /api/v1/agent/execute/{connection_type}/{operation_name}; the operation name is for logs only. */
export async function executeRoute({ services, params, request }: RouteContext) {
  await services.pluginsReady();
  return executeOperation(services, params.connection_type ?? '', params.operation_name ?? '', request.body);
}
