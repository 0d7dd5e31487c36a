import type { AwsPlatformLogs } from '@artemis/core/runtime';
import { OperationError } from '@artemis/core/runtime';
import {
  CloudWatchLogsClient,
  FilterLogEventsCommand,
  GetQueryResultsCommand,
  StartQueryCommand,
  StopQueryCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import type { AwsRemoteOpsOptions } from './aws-remote-ops-options';

/*
 * The AWS log routes (apollo-inventory §1.3) over CloudWatch Logs, reading the group MCD_LOG_GROUP_ID names (the
 * function's own, in the templates). Deviation: StartQuery gets seconds since the epoch, as the API defines them
 * (Apollo sent milliseconds).
 */
export class CloudWatchLogs implements AwsPlatformLogs {
  private readonly client: CloudWatchLogsClient;

  constructor(
    private readonly logGroupId: string | undefined,
    options: AwsRemoteOpsOptions = {},
  ) {
    this.client = new CloudWatchLogsClient({ ...options.client });
  }

  /** Pages while fewer than `limit` events came back: the last page may carry the total past `limit` (Apollo). */
  async filter({ pattern, window, limit }: Parameters<AwsPlatformLogs['filter']>[0]): Promise<unknown[]> {
    const logGroupIdentifier = this.group();
    const events: unknown[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.client.send(
        new FilterLogEventsCommand({
          logGroupIdentifier,
          limit,
          filterPattern: pattern,
          startTime: window.start.getTime(),
          endTime: window.end?.getTime(),
          nextToken,
        }),
      );
      events.push(...(page.events ?? []));
      nextToken = page.nextToken;
    } while (nextToken && events.length < limit);
    return events;
  }

  async startQuery({ query, start, end, limit }: Parameters<AwsPlatformLogs['startQuery']>[0]) {
    const { queryId } = await this.client.send(
      new StartQueryCommand({
        queryString: query,
        logGroupIdentifiers: [this.group()],
        limit,
        startTime: Math.floor(start.getTime() / 1000),
        endTime: Math.floor(end.getTime() / 1000),
      }),
    );
    return queryId;
  }

  async stopQuery(queryId: string): Promise<Record<string, unknown>> {
    const { success } = await this.client.send(new StopQueryCommand({ queryId }));
    return { success: success ?? false };
  }

  /** Each result row is a list of `{field, value}`: answered as one object per row. */
  async queryResults(queryId: string) {
    const result = await this.client.send(new GetQueryResultsCommand({ queryId }));
    return {
      events: (result.results ?? []).map((row) =>
        Object.fromEntries(row.map(({ field, value }) => [field ?? '', value ?? null])),
      ),
      status: result.status,
    };
  }

  private group(): string {
    if (!this.logGroupId) throw new OperationError('Missing MCD_LOG_GROUP_ID environment variable');
    return this.logGroupId;
  }
}
