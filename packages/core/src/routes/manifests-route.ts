import { resultResponse } from '../http/responses';
import { paramRoute } from './param-route';

/**
 * POST /api/v1/agent/custom-connectors/manifests (apollo-inventory §1.2 row 14): every plugin connector's manifest,
 * `{type: {"manifest": {…without credentials_schema}, "templates": {file: text}}}`.
 */
export const manifestsRoute = paramRoute('get_connection_manifests', async (_params, traceId, { services }) => {
  await services.pluginsReady();
  return resultResponse(services.directory.manifests(), traceId);
});
