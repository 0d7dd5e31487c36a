import type { AgentUpdater, ParameterValue, UpdateRequest } from '@artemis/core/runtime';
import { BadRequestError, OperationError } from '@artemis/core/runtime';
import {
  GetFunctionCommand,
  LambdaClient,
  PutFunctionConcurrencyCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionUpdatedV2,
} from '@aws-sdk/client-lambda';
import { type AwsRemoteOpsOptions, DEFAULT_WAITER } from './aws-remote-ops-options';

/*
 * The Lambda updater for functions deployed without CloudFormation (Terraform, by hand): apollo-inventory §8.2,
 * Apollo's `LambdaDirectUpdater`. UpdateFunctionCode with Publish, an optional wait, and the two settings the control
 * plane may change, MemorySize and ConcurrentExecutions.
 */

/** What the result of an update keeps of the function's configuration (Apollo's key list). */
const RESULT_KEYS = [
  'Version',
  'LastModified',
  'State',
  'StateReason',
  'StateReasonCode',
  'LastUpdateStatus',
  'LastUpdateStatusReason',
  'LastUpdateStatusReasonCode',
  'ErrorMessage',
  'ImageUri',
] as const;

export class LambdaDirectUpdater implements AgentUpdater {
  private readonly client: LambdaClient;

  constructor(
    private readonly functionName: string | undefined,
    private readonly region: string,
    private readonly options: AwsRemoteOpsOptions = {},
  ) {
    this.client = new LambdaClient({ ...options.client });
  }

  async currentImage(): Promise<string | undefined> {
    const fn = await this.client.send(new GetFunctionCommand({ FunctionName: this.name() }));
    return fn.Code?.ImageUri;
  }

  async update({ image, parameters, waitForCompletion }: UpdateRequest): Promise<Record<string, unknown>> {
    const FunctionName = this.name();
    const memorySize = wholeNumber(parameters, 'MemorySize');
    const concurrency = wholeNumber(parameters, 'ConcurrentExecutions');
    let result: Record<string, unknown> = {};
    if (image) {
      // `*` stands for "the region I run in" (the CloudFormation updater writes it that way too).
      const ImageUri = image.replaceAll('*', this.region);
      if (ImageUri !== (await this.currentImage())) {
        const updated = await this.client.send(
          new UpdateFunctionCodeCommand({ FunctionName, ImageUri, Publish: true }),
        );
        let configuration: Record<string, unknown> = { ...updated };
        // A configuration change right after a code change is refused while the code update runs: wait for it.
        if (waitForCompletion || memorySize !== undefined) {
          const error = await this.waitForUpdate(FunctionName);
          const fn = await this.client.send(new GetFunctionCommand({ FunctionName }));
          configuration = {
            ...fn.Configuration,
            ImageUri: fn.Code?.ImageUri,
            ...(error ? { ErrorMessage: error } : {}),
          };
        }
        result = pick(configuration, RESULT_KEYS);
      }
    }
    if (memorySize !== undefined) {
      await this.client.send(new UpdateFunctionConfigurationCommand({ FunctionName, MemorySize: memorySize }));
      if (waitForCompletion) await this.waitForUpdate(FunctionName);
      result.MemorySize = parameters.MemorySize;
    }
    if (concurrency !== undefined) {
      await this.client.send(
        new PutFunctionConcurrencyCommand({ FunctionName, ReservedConcurrentExecutions: concurrency }),
      );
      result.ConcurrentExecutions = parameters.ConcurrentExecutions;
    }
    return result;
  }

  async updateLogs(): Promise<unknown[]> {
    return [];
  }

  async infraDetails(): Promise<Record<string, unknown>> {
    const fn = await this.client.send(new GetFunctionCommand({ FunctionName: this.name() }));
    return {
      template: '',
      parameters: [
        { ParameterKey: 'MemorySize', ParameterValue: fn.Configuration?.MemorySize ?? null },
        { ParameterKey: 'ConcurrentExecutions', ParameterValue: fn.Concurrency?.ReservedConcurrentExecutions ?? null },
      ],
    };
  }

  /** Undefined when the update finished well, the waiter's reason when it did not (Apollo reports, not raises). */
  private async waitForUpdate(FunctionName: string): Promise<string | undefined> {
    try {
      await waitUntilFunctionUpdatedV2(
        { client: this.client, ...(this.options.waiter ?? DEFAULT_WAITER) },
        { FunctionName },
      );
      return undefined;
    } catch (error) {
      return (error as Error).message;
    }
  }

  private name(): string {
    if (!this.functionName) throw new OperationError('Missing AWS_LAMBDA_FUNCTION_NAME environment variable');
    return this.functionName;
  }
}

function wholeNumber(parameters: Readonly<Record<string, ParameterValue>>, name: string): number | undefined {
  const value = parameters[name];
  if (value === undefined || value === '' || value === 0 || value === false) return undefined;
  const number = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(number) || number < 0) {
    throw new BadRequestError(`Invalid value for parameters.${name}: expected a whole number`);
  }
  return number;
}

function pick(source: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((key) => source[key] !== undefined).map((key) => [key, source[key]]));
}
