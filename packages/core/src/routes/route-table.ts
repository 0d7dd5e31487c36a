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

const network = () => import('./network-routes');

export function createRouter(): Router<RouteHandler> {
  return new Router<RouteHandler>()
    .add(GET, '/', livenessRoute)
    .add(GET, '/health', livenessRoute)
    .add(GET_POST, '/api/v1/test/health', healthRoute)
    .add(POST, '/api/v1/agent/execute/:connection_type/:operation_name', async (context) =>
      (await import('./execute-route')).executeRoute(context),
    )
    .add(GET_POST, '/api/v1/test/network/open', async (context) =>
      (await network()).tcpOpenRoute('test_network_open')(context),
    )
    .add(GET_POST, '/api/v1/test/network/telnet', async (context) =>
      (await network()).tcpOpenRoute('test_network_telnet')(context),
    )
    .add(GET_POST, '/api/v1/test/network/dns', async (context) => (await network()).dnsRoute(context))
    .add(GET_POST, '/api/v1/test/network/http', async (context) => (await network()).httpRoute(context))
    .add(GET, '/api/v1/test/network/outbound_ip_address', async (context) => (await network()).outboundIpRoute(context))
    .add(POST, '/api/v1/agent/connectors/types', async (context) =>
      (await import('./connector-types-route')).connectorTypesRoute(context),
    )
    .add(POST, '/api/v1/self-hosted-credentials/validate/:connection_type', async (context) =>
      (await import('../credentials/validate-credentials-route')).validateCredentialsRoute(context),
    )
    .add(GET, '/api/v1/storage/signed/*key', async (context) =>
      (await import('../storage/signed-url-route')).signedUrlRoute(context),
    );
}
