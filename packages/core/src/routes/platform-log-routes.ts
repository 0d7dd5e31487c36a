import type { AgentServices } from '../agent/agent-services';
import { BadRequestError, OperationError } from '../errors/agent-errors';
import { resultResponse } from '../http/responses';
import type { RemoteOps } from '../remote-ops/remote-ops';
import { RemoteOperationFailedError } from '../remote-ops/remote-ops-errors';
import { limitParam, optionalText, requiredText, tenMinutesBefore, timeParam } from '../remote-ops/remote-ops-params';
import { paramRoute } from './param-route';
import { nowOf } from './upgrade-routes';

/*
 * The platform log routes (apollo-inventory §1.3-1.5), each answered by the runtime that has the platform's logs;
 * every other runtime answers Apollo's "Only supported for <platform> platform". A missing required parameter is a
 * 400 (Apollo: an HTML 500), and every answer carries the trace id.
 */

const DEFAULT_LOG_LIMIT = 1000;

type Platform = 'aws' | 'gcp' | 'azure';
const PLATFORM_NAMES: Record<Platform, string> = { aws: 'AWS', gcp: 'GCP', azure: 'Azure' };

async function logsOf<P extends Platform>(
  services: AgentServices,
  platform: P,
): Promise<Awaited<ReturnType<NonNullable<RemoteOps[P]>>>> {
  const load = services.remoteOps[platform];
  if (!load) throw new OperationError(`Only supported for ${PLATFORM_NAMES[platform]} platform`);
  return (await load(services)) as Awaited<ReturnType<NonNullable<RemoteOps[P]>>>;
}

/** The platform's own failure keeps its message and gains its error type (`Permissions`, `Throttling`). */
async function attempt<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw error instanceof BadRequestError || error instanceof OperationError
      ? error
      : new RemoteOperationFailedError('', error);
  }
}

/** GET|POST /api/v1/aws/logs/filter: `start_time`, `end_time`, `pattern`, `limit` (CloudWatch FilterLogEvents). */
export const awsLogsFilterRoute = paramRoute('aws/logs/filter', async (params, traceId, { services }) => {
  const window = {
    start: timeParam(params, 'start_time', tenMinutesBefore(nowOf(services))),
    end: timeParam(params, 'end_time'),
  };
  const pattern = optionalText(params, 'pattern');
  const limit = limitParam(params, 'limit', DEFAULT_LOG_LIMIT);
  const events = await attempt(async () => (await logsOf(services, 'aws')).filter({ pattern, window, limit }));
  return resultResponse({ events }, traceId);
});

/** GET|POST /api/v1/aws/logs/start_query: `query` (required), `start_time`, `end_time`, `limit` (Logs Insights). */
export const awsLogsStartQueryRoute = paramRoute('aws/logs/start_query', async (params, traceId, { services }) => {
  const query = requiredText(params, 'query');
  const now = nowOf(services);
  const start = timeParam(params, 'start_time', tenMinutesBefore(now));
  const end = timeParam(params, 'end_time', now);
  const limit = limitParam(params, 'limit', DEFAULT_LOG_LIMIT);
  const queryId = await attempt(async () => (await logsOf(services, 'aws')).startQuery({ query, start, end, limit }));
  return resultResponse({ query_id: queryId }, traceId);
});

/** GET|POST /api/v1/aws/logs/stop_query: `query_id` (required). */
export const awsLogsStopQueryRoute = paramRoute('aws/logs/stop_query', async (params, traceId, { services }) => {
  const queryId = requiredText(params, 'query_id');
  const result = await attempt(async () => (await logsOf(services, 'aws')).stopQuery(queryId));
  return resultResponse(result, traceId);
});

/** GET|POST /api/v1/aws/logs/query_results: `query_id` (required). */
export const awsLogsQueryResultsRoute = paramRoute(
  'aws/logs/get_query_results',
  async (params, traceId, { services }) => {
    const queryId = requiredText(params, 'query_id');
    const result = await attempt(async () => (await logsOf(services, 'aws')).queryResults(queryId));
    return resultResponse(result, traceId);
  },
);

/**
 * GET|POST /api/v1/gcp/logs/list: `filter`, `limit`. The filter is narrowed to this Cloud Run service and, unless it
 * names a timestamp, to the last ten minutes (Apollo's `CloudRunPlatformProvider.get_gcp_logs`).
 */
export const gcpLogsListRoute = paramRoute('gcp/logs/list', async (params, traceId, { services }) => {
  const userFilter = optionalText(params, 'filter');
  const limit = limitParam(params, 'limit', DEFAULT_LOG_LIMIT);
  const events = await attempt(async () => {
    const logs = await logsOf(services, 'gcp');
    return logs.list({ filter: cloudRunLogFilter(userFilter, services.env.K_SERVICE, nowOf(services)), limit });
  });
  return resultResponse({ events }, traceId);
});

export function cloudRunLogFilter(userFilter: string | undefined, serviceName: string | undefined, now: Date): string {
  let filter = userFilter ? `${userFilter}\n` : '';
  filter += 'resource.type = "cloud_run_revision"\n';
  filter += `resource.labels.service_name = "${serviceName ?? ''}"\n`;
  if (!filter.includes('timestamp')) filter += `timestamp >= "${tenMinutesBefore(now).toISOString()}"`;
  return filter;
}

/** GET|POST /api/v1/azure/logs/query: `query` (KQL), `start_time`, `end_time`, `limit` (Application Insights). */
export const azureLogsQueryRoute = paramRoute('azure/logs/list', async (params, traceId, { services }) => {
  const now = nowOf(services);
  const start = timeParam(params, 'start_time', tenMinutesBefore(now));
  const end = timeParam(params, 'end_time', now);
  const limit = limitParam(params, 'limit', DEFAULT_LOG_LIMIT);
  const query = applicationInsightsQuery(optionalText(params, 'query'), limit);
  const events = await attempt(async () => (await logsOf(services, 'azure')).query({ query, start, end }));
  return resultResponse({ events }, traceId);
});

/**
 * Apollo's query building: a query that starts with `traces` or `requests` is complete and sent as it is; any other
 * text is a filter stage of `traces`; then the projection, newest `limit` rows, oldest first.
 */
export function applicationInsightsQuery(query: string | undefined, limit: number): string {
  if (query && (query.startsWith('traces') || query.startsWith('requests'))) return query;
  const head = query ? `traces | ${query} |` : 'traces |';
  return `${head} project timestamp, message, customDimensions| order by timestamp desc| take ${limit} | order by timestamp asc`;
}
