import type { RouteHandler } from '../agent/agent-services';
import { Router } from '../http/router';
import { healthRoute, livenessRoute } from './health-route';

/*
 * The routes of SPEC §2. Health and liveness are loaded with the agent; everything else is imported on first use,
 * so a health check never loads the interpreter, the registry or an HTTP client (SPEC §11).
 */
const GET = ['GET'];
const POST = ['POST'];
const GET_POST = ['GET', 'POST'];

/**
 * A route whose module is imported on its first request and then kept: later requests call the handler directly
 * instead of going through the module loader again (a dynamic `import()` of a loaded module still costs a loader
 * round trip per request, and tens of µs under a loader hook).
 */
function lazyRoute<M>(load: () => Promise<M>, pick: (module: M) => RouteHandler): RouteHandler {
  let handler: RouteHandler | undefined;
  let loading: Promise<RouteHandler> | undefined;
  return async (context) => {
    if (!handler) {
      loading ??= load().then(pick);
      handler = await loading;
    }
    return handler(context);
  };
}

export function createRouter(): Router<RouteHandler> {
  const network = () => import('./network-routes');
  const asyncRoutes = () => import('../async/async-routes');
  const housekeeping = () => import('../async/housekeeping-routes');
  const upgrade = () => import('./upgrade-routes');
  const logs = () => import('./platform-log-routes');
  const destinations = () => import('../destinations/destination-route');
  return new Router<RouteHandler>()
    .add(GET, '/', livenessRoute)
    .add(GET, '/health', livenessRoute)
    .add(GET_POST, '/api/v1/test/health', healthRoute)
    .add(
      POST,
      '/api/v1/agent/execute/:connection_type/:operation_name',
      lazyRoute(
        () => import('./execute-route'),
        (m) => m.executeRoute,
      ),
    )
    .add(
      GET_POST,
      '/api/v1/test/network/open',
      lazyRoute(network, (m) => m.tcpOpenRoute('test_network_open')),
    )
    .add(
      GET_POST,
      '/api/v1/test/network/telnet',
      lazyRoute(network, (m) => m.tcpOpenRoute('test_network_telnet')),
    )
    .add(
      GET_POST,
      '/api/v1/test/network/dns',
      lazyRoute(network, (m) => m.dnsRoute),
    )
    .add(
      GET_POST,
      '/api/v1/test/network/http',
      lazyRoute(network, (m) => m.httpRoute),
    )
    .add(
      GET,
      '/api/v1/test/network/outbound_ip_address',
      lazyRoute(network, (m) => m.outboundIpRoute),
    )
    .add(
      POST,
      '/api/v1/agent/connectors/types',
      lazyRoute(
        () => import('./connector-types-route'),
        (m) => m.connectorTypesRoute,
      ),
    )
    .add(
      POST,
      '/api/v1/self-hosted-credentials/validate/:connection_type',
      lazyRoute(
        () => import('../credentials/validate-credentials-route'),
        (m) => m.validateCredentialsRoute,
      ),
    )
    .add(
      POST,
      '/async/api/v1/agent/execute/:connection_type/:operation_name',
      lazyRoute(asyncRoutes, (m) => m.submitAsyncRoute),
    )
    .add(
      GET,
      '/async/api/v1/status/:request_id',
      lazyRoute(asyncRoutes, (m) => m.asyncStatusRoute),
    )
    .add(
      POST,
      '/async/api/v1/cleanup',
      lazyRoute(housekeeping, (m) => m.cleanupRoute),
    )
    .add(
      POST,
      '/async/api/v1/queue/info',
      lazyRoute(housekeeping, (m) => m.queueInfoRoute),
    )
    .add(
      POST,
      '/api/v1/ctp/validate/:connection_type',
      lazyRoute(
        () => import('../ctp/validate-ctp-route'),
        (m) => m.validateCtpRoute,
      ),
    )
    .add(
      POST,
      '/api/v1/agent/custom-connectors/manifests',
      lazyRoute(
        () => import('./manifests-route'),
        (m) => m.manifestsRoute,
      ),
    )
    .add(
      POST,
      '/api/v1/upgrade',
      lazyRoute(upgrade, (m) => m.upgradeRoute),
    )
    .add(
      GET_POST,
      '/api/v1/upgrade/logs',
      lazyRoute(upgrade, (m) => m.upgradeLogsRoute),
    )
    .add(
      GET_POST,
      '/api/v1/infra/details',
      lazyRoute(upgrade, (m) => m.infraDetailsRoute),
    )
    .add(
      GET_POST,
      '/api/v1/aws/logs/filter',
      lazyRoute(logs, (m) => m.awsLogsFilterRoute),
    )
    .add(
      GET_POST,
      '/api/v1/aws/logs/start_query',
      lazyRoute(logs, (m) => m.awsLogsStartQueryRoute),
    )
    .add(
      GET_POST,
      '/api/v1/aws/logs/stop_query',
      lazyRoute(logs, (m) => m.awsLogsStopQueryRoute),
    )
    .add(
      GET_POST,
      '/api/v1/aws/logs/query_results',
      lazyRoute(logs, (m) => m.awsLogsQueryResultsRoute),
    )
    .add(
      GET_POST,
      '/api/v1/gcp/logs/list',
      lazyRoute(logs, (m) => m.gcpLogsListRoute),
    )
    .add(
      GET_POST,
      '/api/v1/azure/logs/query',
      lazyRoute(logs, (m) => m.azureLogsQueryRoute),
    )
    .add(
      POST,
      '/api/v1/destinations/:destination',
      lazyRoute(destinations, (m) => m.destinationRoute),
    )
    .add(
      POST,
      '/api/v1/destinations',
      lazyRoute(destinations, (m) => m.destinationRoute),
    )
    .add(
      GET,
      '/api/v1/storage/signed/*key',
      lazyRoute(
        () => import('../storage/signed-url-route'),
        (m) => m.signedUrlRoute,
      ),
    );
}
