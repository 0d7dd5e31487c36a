import { OperationError } from '@artemis/core';

/** An SDK v3 client package, e.g. `@aws-sdk/client-s3`, as `await import()` returns it. */
export type SdkModule = Readonly<Record<string, unknown>>;

export type CommandClass = new (input: unknown) => unknown;

export interface PaginationConfig {
  readonly client: unknown;
  readonly pageSize?: number;
  readonly startingToken?: unknown;
}

export type PaginateFunction = (config: PaginationConfig, input: unknown) => AsyncIterable<unknown>;

export interface BotoOperation {
  /** The AWS operation name (`ListObjectsV2`), used in botocore-style error messages. */
  readonly operation: string;
  readonly Command: CommandClass;
}

/** boto3 method names are the snake_case of the operation: `list_objects_v2`, `get_ml_transform`. */
const SNAKE_CASE = /^[a-z][a-z0-9_]*$/;

/**
 * The one generic mapping from boto3 names to an SDK v3 package: `list_objects_v2` → `ListObjectsV2Command`,
 * `get_paginator('list_objects_v2')` → `paginateListObjectsV2`. The package's exports are indexed once by their
 * name without underscores and case, which is how botocore's snake_case relates to the operation names (acronyms
 * included: `get_ml_transform` ↔ `GetMLTransform`). Nothing is hand-written per operation, so every operation of the
 * service is available, and a name with no such command is refused.
 */
export class BotoOperations {
  readonly #packageName: string;
  readonly #commands = new Map<string, BotoOperation>();
  readonly #paginators = new Map<string, PaginateFunction>();

  constructor(sdk: SdkModule, packageName: string) {
    this.#packageName = packageName;
    for (const [name, value] of Object.entries(sdk)) {
      if (typeof value !== 'function') continue;
      const command = /^([A-Z][A-Za-z0-9]*)Command$/.exec(name)?.[1];
      if (command) this.#commands.set(command.toLowerCase(), { operation: command, Command: value as CommandClass });
      const paginated = /^paginate([A-Z][A-Za-z0-9]*)$/.exec(name)?.[1];
      if (paginated) this.#paginators.set(paginated.toLowerCase(), value as PaginateFunction);
    }
  }

  /** The command for a boto3 method name, or undefined. */
  find(name: string): BotoOperation | undefined {
    return SNAKE_CASE.test(name) ? this.#commands.get(name.replaceAll('_', '')) : undefined;
  }

  /** The command for a boto3 method name, or an error naming what was looked for. */
  get(name: string): BotoOperation {
    const found = this.find(name);
    if (found) return found;
    throw new OperationError(
      SNAKE_CASE.test(name)
        ? `Unknown operation ${name}: ${this.#packageName} has no ${pascalCase(name)}Command`
        : `Unknown operation ${name}: operations are named in snake_case, as in boto3`,
    );
  }

  canPaginate(name: string): boolean {
    return SNAKE_CASE.test(name) && this.#paginators.has(name.replaceAll('_', ''));
  }

  /** botocore's OperationNotPageableError when there is no paginator. */
  paginator(name: string): { operation: BotoOperation; paginate: PaginateFunction } {
    const paginate = SNAKE_CASE.test(name) ? this.#paginators.get(name.replaceAll('_', '')) : undefined;
    if (!paginate) throw new OperationError(`Operation cannot be paginated: ${name}`);
    return { operation: this.get(name), paginate };
  }
}

function pascalCase(snake: string): string {
  return snake
    .split('_')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/** boto3 methods take keyword arguments only; they arrive as one trailing object (or nothing). */
export function keywordInput(method: string, values: readonly unknown[]): Record<string, unknown> {
  if (values.length === 0) return {};
  const [input] = values;
  if (values.length === 1 && typeof input === 'object' && input !== null && !Array.isArray(input)) {
    return input as Record<string, unknown>;
  }
  throw new OperationError(`${method}() only accepts keyword arguments.`);
}
