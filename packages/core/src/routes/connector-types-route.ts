import { resultResponse } from '../http/responses';
import { paramRoute } from './param-route';

/** POST /api/v1/agent/connectors/types: `{"connector_types": {"native": [...], "custom": [...]}}`. */
export const connectorTypesRoute = paramRoute(
  'get_supported_connector_types',
  async (_params, traceId, { services }) => {
    await services.pluginsReady();
    return resultResponse({ connector_types: services.directory.types() }, traceId);
  },
);
