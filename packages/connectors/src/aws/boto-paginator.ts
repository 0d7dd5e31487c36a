import { validate } from '@artemis/core';
import * as z from 'zod/mini';
import { toBotoError } from './boto-error';
import type { BotoOperation, PaginateFunction } from './boto-operations';
import { keywordInput } from './boto-operations';
import { toBotoResult } from './boto-result';

const paginationConfigSchema = z.optional(
  z.nullable(
    z.object({
      MaxItems: z.optional(z.nullable(z.int().check(z.positive()))),
      PageSize: z.optional(z.nullable(z.int().check(z.positive()))),
      StartingToken: z.optional(z.nullable(z.unknown())),
    }),
  ),
);

/**
 * boto3's `client.get_paginator(name)`: `paginate(**kwargs, PaginationConfig={MaxItems, PageSize, StartingToken})`
 * returns a PageIterator over the SDK v3 paginator of the same operation.
 */
export class Paginator {
  readonly #operation: BotoOperation;
  readonly #paginate: PaginateFunction;
  readonly #client: unknown;

  constructor(operation: BotoOperation, paginate: PaginateFunction, client: unknown) {
    this.#operation = operation;
    this.#paginate = paginate;
    this.#client = client;
  }

  paginate(...values: unknown[]): PageIterator {
    const { PaginationConfig, ...input } = keywordInput('paginate', values);
    const config = validate(paginationConfigSchema, PaginationConfig, 'PaginationConfig') ?? {};
    const operation = this.#operation.operation;
    const pages = this.#paginate(
      {
        client: this.#client,
        ...(config.PageSize ? { pageSize: config.PageSize } : {}),
        ...(config.StartingToken != null ? { startingToken: config.StartingToken } : {}),
      },
      input,
    );
    return new PageIterator(operation, pages, config.MaxItems ?? undefined);
  }
}

/**
 * The pages of one paginated call. A command cannot iterate, so the control plane either ends with the iterator
 * (the answer is the list of pages, as `list(paginator.paginate(...))`) or calls `build_full_result()`. Pages are
 * fetched once, on first use.
 */
export class PageIterator {
  readonly #operation: string;
  readonly #source: AsyncIterable<unknown>;
  readonly #maxItems: number | undefined;
  #pages: Promise<Record<string, unknown>[]> | undefined;

  constructor(operation: string, source: AsyncIterable<unknown>, maxItems: number | undefined) {
    this.#operation = operation;
    this.#source = source;
    this.#maxItems = maxItems;
  }

  /**
   * Every page, in boto3's shape. With MaxItems, fetching stops at the page that reaches it. Static, so commands
   * cannot name it (boto3's PageIterator has no such method): the proxy client's processResult calls it.
   */
  static pagesOf(iterator: PageIterator): Promise<Record<string, unknown>[]> {
    iterator.#pages ??= iterator.#collect();
    return iterator.#pages;
  }

  /**
   * boto3's merge of the pages: the result lists (`Contents`, `CommonPrefixes`, `TableList`, ...) concatenated,
   * trimmed to MaxItems. Like boto3 it leaves out the page tokens and ResponseMetadata; unlike boto3 it knows the
   * result keys only as "the members that are lists" (the SDK's paginators do not publish them), so scalar
   * non-aggregate members are left out too, and there is no resume NextToken after MaxItems.
   */
  async build_full_result(): Promise<Record<string, unknown[]>> {
    const merged: Record<string, unknown[]> = {};
    for (const page of await PageIterator.pagesOf(this)) {
      for (const [name, value] of Object.entries(page)) {
        if (Array.isArray(value)) merged[name] = [...(merged[name] ?? []), ...value];
      }
    }
    if (this.#maxItems !== undefined) {
      for (const name of Object.keys(merged)) merged[name] = merged[name]?.slice(0, this.#maxItems) ?? [];
    }
    return merged;
  }

  async #collect(): Promise<Record<string, unknown>[]> {
    const pages: Record<string, unknown>[] = [];
    let items = 0;
    try {
      for await (const page of this.#source) {
        const result = (await toBotoResult(page)) as Record<string, unknown>;
        pages.push(result);
        items += Math.max(0, ...Object.values(result).map((value) => (Array.isArray(value) ? value.length : 0)));
        if (this.#maxItems !== undefined && items >= this.#maxItems) break;
      }
    } catch (error) {
      throw toBotoError(error, this.#operation);
    }
    return pages;
  }
}
