import type { GcpPlatformLogs } from '@artemis/core/runtime';
import { Logging } from '@google-cloud/logging';
import type { GcpRemoteOpsOptions } from './gcp-remote-ops-options';

/*
 * The GCP log route (apollo-inventory §1.4) over Cloud Logging. The core has narrowed the filter to this service and
 * its window; here it is narrowed to the container's own logs. Deviation: stdout as well as stderr (Apollo read
 * `run.googleapis.com%2Fstderr` only): the agent writes its structured lines to stdout.
 */
const CONTAINER_LOGS = ['run.googleapis.com%2Fstdout', 'run.googleapis.com%2Fstderr'];
/** `entries:list` answers at most 1000 entries a page. */
const MAX_PAGE_SIZE = 1000;

export class CloudLoggingReader implements GcpPlatformLogs {
  private readonly logging: Logging;

  constructor(projectId: string | undefined, options: GcpRemoteOpsOptions = {}) {
    this.logging = new Logging({ ...(projectId ? { projectId } : {}), ...options.client });
  }

  async list({ filter, limit }: { filter: string; limit: number }): Promise<unknown[]> {
    const projectId = await this.logging.auth.getProjectId();
    const names = CONTAINER_LOGS.map((log) => `"projects/${projectId}/logs/${log}"`).join(' OR ');
    const [entries] = await this.logging.getEntries({
      filter: filter.includes('logName') ? filter : `${filter}\nlogName = (${names})`,
      orderBy: 'timestamp asc',
      pageSize: Math.min(limit, MAX_PAGE_SIZE),
      maxResults: limit,
    });
    return entries.map((entry) => apiRepresentation(entry.metadata as Record<string, unknown>, entry.data));
  }
}

/** The entry as the REST API (and Apollo's `to_api_repr`) shows it: RFC 3339 times, the payload under its name. */
function apiRepresentation(metadata: Record<string, unknown>, data: unknown): Record<string, unknown> {
  const { payload, timestamp, receiveTimestamp, ...rest } = metadata as {
    payload?: string;
    timestamp?: unknown;
    receiveTimestamp?: unknown;
  } & Record<string, unknown>;
  const entry: Record<string, unknown> = { ...rest };
  if (timestamp !== undefined) entry.timestamp = rfc3339(timestamp);
  if (receiveTimestamp !== undefined) entry.receiveTimestamp = rfc3339(receiveTimestamp);
  if (payload) entry[payload] = data;
  return entry;
}

function rfc3339(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  const { seconds, nanos } = (value ?? {}) as { seconds?: unknown; nanos?: unknown };
  if (seconds === undefined) return value;
  return new Date(Number(seconds) * 1000 + Number(nanos ?? 0) / 1e6).toISOString();
}
