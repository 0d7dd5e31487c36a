import type { AzurePlatformLogs } from '@artemis/core/runtime';
import { OperationError } from '@artemis/core/runtime';
import type { TokenCredential } from '@azure/identity';
import { LogsQueryClient, type LogsTable } from '@azure/monitor-query-logs';
import type { AzureRemoteOpsOptions } from './azure-remote-ops-options';

/*
 * The Azure log route (apollo-inventory §1.5) over Application Insights (APPINSIGHTS_RESOURCE_ID), queried in the
 * resource's context with @azure/monitor-query-logs (the successor of the deprecated @azure/monitor-query). The core
 * has built the KQL; rows come back as objects with ISO times and `customDimensions` (and its `commands`) parsed.
 */
export class ApplicationInsightsLogs implements AzurePlatformLogs {
  private readonly client: LogsQueryClient;

  constructor(
    private readonly resourceId: string | undefined,
    credential: TokenCredential,
    options: AzureRemoteOpsOptions = {},
  ) {
    this.client = new LogsQueryClient(credential, { ...options.logs });
  }

  async query({ query, start, end }: { query: string; start: Date; end: Date }): Promise<Record<string, unknown>[]> {
    if (!this.resourceId) throw new OperationError('Missing APPINSIGHTS_RESOURCE_ID environment variable');
    // The client joins `/{resourceId}/query` to its endpoint: an ARM id's own leading '/' would double the slash.
    const resourceId = this.resourceId.replace(/^\/+/, '');
    const result = await this.client.queryResource(resourceId, query, { startTime: start, endTime: end });
    // A partial failure still carries the rows it found (Apollo answered them too).
    const [table] = (result.status === 'Success' ? result.tables : result.partialTables) as LogsTable[];
    if (!table) return [];
    const names = table.columnDescriptors.map((column) => column.name ?? '');
    return table.rows.map((row) => Object.fromEntries(names.map((name, i) => [name, cell(name, row[i])])));
  }
}

function cell(column: string, value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (column !== 'customDimensions') return value;
  const dimensions = typeof value === 'string' ? parseJson(value) : value;
  if (typeof dimensions !== 'object' || dimensions === null) return dimensions;
  const { commands } = dimensions as { commands?: unknown };
  return typeof commands === 'string' ? { ...dimensions, commands: parseJson(commands) } : dimensions;
}

/** Apollo kept a value that does not parse as it was. */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
