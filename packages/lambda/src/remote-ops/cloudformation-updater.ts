import type { AgentUpdater, UpdateRequest } from '@artemis/core/runtime';
import {
  CloudFormationClient,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  GetTemplateCommand,
  type Parameter,
  type StackEvent,
  UpdateStackCommand,
  waitUntilStackUpdateComplete,
} from '@aws-sdk/client-cloudformation';
import { type AwsRemoteOpsOptions, DEFAULT_WAITER } from './aws-remote-ops-options';
import type { LambdaDirectUpdater } from './lambda-direct-updater';

/*
 * The Lambda updater for stacks of infra/cloudformation/lambda.yaml (MCD_AGENT_WRAPPER_TYPE=CLOUDFORMATION,
 * MCD_STACK_ID): apollo-inventory §8.2, Apollo's `LambdaCFUpdater`. The image goes in through the stack's `ImageUri`
 * parameter (its region written `*`, which the template replaces with the stack's region), every other parameter
 * keeps its previous value unless given; stack events are the upgrade logs; template and parameters are the infra.
 */

const IMAGE_URI = 'ImageUri';
const TEMPLATE_URL = 'TemplateURL';
const USE_DIRECT_UPDATE = 'UseDirectUpdate';
const UPDATE_COMPLETE = 'UPDATE_COMPLETE';
const EVENTS_AFTER_UPDATE = 100;

export class CloudFormationUpdater implements AgentUpdater {
  private readonly client: CloudFormationClient;

  constructor(
    private readonly stackId: string,
    /** `parameters.UseDirectUpdate` bypasses the stack (Apollo's escape hatch). */
    private readonly direct: () => Promise<LambdaDirectUpdater>,
    private readonly options: AwsRemoteOpsOptions = {},
  ) {
    this.client = new CloudFormationClient({ ...options.client });
  }

  async currentImage(): Promise<string | undefined> {
    return (await this.stackParameters()).find((parameter) => parameter.ParameterKey === IMAGE_URI)?.ParameterValue;
  }

  async update(request: UpdateRequest): Promise<Record<string, unknown>> {
    const { [USE_DIRECT_UPDATE]: useDirect, [TEMPLATE_URL]: templateUrl, ...parameters } = request.parameters;
    if (useDirect === true || useDirect === 'true') {
      return (await this.direct()).update({ ...request, parameters });
    }
    const imageUri = request.image ? withRegion(request.image, '*') : undefined;
    const current = await this.stackParameters();
    const next: Parameter[] = current.map(({ ParameterKey: key }) => {
      if (key === IMAGE_URI && imageUri) return { ParameterKey: key, ParameterValue: imageUri };
      const value = key === undefined ? undefined : parameters[key];
      return value === undefined
        ? { ParameterKey: key, UsePreviousValue: true }
        : { ParameterKey: key, ParameterValue: String(value) };
    });
    const startedAt = this.now();
    await this.client.send(
      new UpdateStackCommand({
        StackName: this.stackId,
        Parameters: next,
        // The template names its IAM role, which CloudFormation accepts only with CAPABILITY_NAMED_IAM.
        Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'],
        ...(typeof templateUrl === 'string' && templateUrl
          ? { TemplateURL: templateUrl }
          : { UsePreviousTemplate: true }),
      }),
    );
    if (!request.waitForCompletion) return { status: await this.stackStatus() };
    const errorMessage = await this.waitForUpdate();
    const status = await this.stackStatus();
    return {
      failed: status !== UPDATE_COMPLETE,
      error_message: errorMessage ?? null,
      status,
      image_uri: (await this.currentImage()) ?? null,
      events: await this.updateLogs(startedAt, EVENTS_AFTER_UPDATE),
    };
  }

  /** Stack events from `startTime` on, newest first (the API's order), at most `limit`. */
  async updateLogs(startTime: Date, limit: number): Promise<unknown[]> {
    const events: unknown[] = [];
    let NextToken: string | undefined;
    do {
      const page = await this.client.send(new DescribeStackEventsCommand({ StackName: this.stackId, NextToken }));
      for (const event of page.StackEvents ?? []) {
        if ((event.Timestamp && event.Timestamp < startTime) || events.length >= limit) return events;
        events.push(describe(event));
      }
      NextToken = page.NextToken;
    } while (NextToken);
    return events;
  }

  async infraDetails(): Promise<Record<string, unknown>> {
    const template = await this.client.send(new GetTemplateCommand({ StackName: this.stackId }));
    return { template: template.TemplateBody ?? null, parameters: await this.stackParameters() };
  }

  private async stack() {
    const { Stacks } = await this.client.send(new DescribeStacksCommand({ StackName: this.stackId }));
    const [stack] = Stacks ?? [];
    if (!stack) throw new Error(`Stack ${this.stackId} does not exist`);
    return stack;
  }

  private async stackParameters(): Promise<Parameter[]> {
    return (await this.stack()).Parameters ?? [];
  }

  private async stackStatus(): Promise<string | undefined> {
    return (await this.stack()).StackStatus;
  }

  private async waitForUpdate(): Promise<string | undefined> {
    try {
      await waitUntilStackUpdateComplete(
        { client: this.client, ...(this.options.waiter ?? DEFAULT_WAITER) },
        { StackName: this.stackId },
      );
      return undefined;
    } catch (error) {
      return (error as Error).message;
    }
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }
}

/** `<account>.dkr.ecr.<region>.amazonaws.com/<repo>:<tag>` with its region segment replaced. */
export function withRegion(image: string, region: string): string {
  const slash = image.indexOf('/');
  if (slash < 0) return image;
  const labels = image.slice(0, slash).split('.');
  if (labels.length > 3) labels[3] = region;
  return `${labels.join('.')}${image.slice(slash)}`;
}

function describe(event: StackEvent): Record<string, unknown> {
  return {
    timestamp: event.Timestamp?.toISOString() ?? null,
    logical_resource_id: event.LogicalResourceId ?? null,
    resource_type: event.ResourceType ?? null,
    resource_status: event.ResourceStatus ?? null,
    resource_status_reason: event.ResourceStatusReason ?? null,
  };
}
