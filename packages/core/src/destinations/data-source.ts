import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import type { AgentServices } from '../agent/agent-services';
import { AgentError, ForbiddenError } from '../errors/agent-errors';
import { StorageNotFoundError } from '../errors/storage-errors';
import { networkGuardFor } from '../network/guard-for';
import { guardedRequest, guardedStreamRequest } from '../network/guarded-http';
import { type FullStorageBackend, isFullStorageBackend, type StorageBackend } from '../storage/storage-backend';
import type { DataLocation } from './data-location';

/*
 * Opens `data_url` at a byte offset (SPEC §14). Over HTTP: a HEAD for the size on the first run (a pre-signed GET URL
 * refuses HEAD, so the GET's own headers are the fallback), then a GET with `Range: bytes=<offset>-` when resuming;
 * a server that ignores Range answers 200 with the whole file and the reader skips `offset` bytes instead. An
 * object of the agent's storage is read through a pre-signed URL of its own backend (S3, GCS, Azure: Range works),
 * or straight from the FILESYSTEM backend (skipping to the offset). Redirects are followed, each hop guarded.
 */

export interface SourcePosition {
  readonly offset: number;
  /** What the first run learned: the size, and the ETag a resumed read must still match. */
  readonly totalBytes: number | null;
  readonly etag: string | null;
}

export interface OpenedSource {
  readonly chunks: AsyncIterable<Buffer | string>;
  /** Bytes at the start of `chunks` that lie before the offset (the server ignored Range). */
  readonly skipBytes: number;
  readonly totalBytes: number | null;
  readonly etag: string | null;
  close(): void;
}

/** Reading `data_url` failed; `retryable` when trying again may help (network, 408, 429, 5xx). */
export class SourceError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

const MAX_REDIRECTS = 5;
const HEAD_TIMEOUT_MS = 30_000;
const PRESIGNED_URL_SECONDS = 3600;

export async function openSource(
  services: AgentServices,
  location: DataLocation,
  position: SourcePosition,
  timeoutMs: number,
): Promise<OpenedSource> {
  if (location.kind === 'http') return openHttp(services, location.url, position, timeoutMs);
  const storage = await services.storage();
  if (isFullStorageBackend(storage) && storage.type !== 'FILESYSTEM') {
    const url = await storage.presignedUrl(location.key, PRESIGNED_URL_SECONDS).catch(storageFailure);
    return openHttp(services, url, position, timeoutMs);
  }
  return openStored(storage, location.key, position);
}

async function openHttp(
  services: AgentServices,
  url: string,
  position: SourcePosition,
  timeoutMs: number,
): Promise<OpenedSource> {
  const guard = networkGuardFor(services);
  let { totalBytes, etag } = position;
  if (position.offset === 0 && totalBytes === null) {
    const head = await guardedRequest(guard, url, {
      method: 'HEAD',
      timeoutMs: HEAD_TIMEOUT_MS,
      maxBodyBytes: 0,
    }).catch(refusedOrNothing);
    if (head && head.status >= 200 && head.status < 300) {
      totalBytes = sizeOf(head.headers['content-length']);
      etag = single(head.headers.etag) ?? null;
    }
  }
  const headers: Record<string, string> = position.offset > 0 ? { range: `bytes=${position.offset}-` } : {};
  let response = await guardedStreamRequest(guard, url, { headers, timeoutMs }).catch(networkFailure);
  for (let hops = 0; isRedirect(response.status) && hops < MAX_REDIRECTS; hops++) {
    response.body.destroy();
    const next = new URL(single(response.headers.location) ?? '', response.url).href;
    response = await guardedStreamRequest(guard, next, { headers, timeoutMs }).catch(networkFailure);
  }
  const { status, body } = response;
  const answeredEtag = single(response.headers.etag) ?? null;
  if (status === 416 && position.offset > 0) {
    // Nothing at or past the offset: the file ends exactly where the last run stopped.
    body.destroy();
    return { chunks: nothing(), skipBytes: 0, totalBytes: totalBytes ?? position.offset, etag, close: () => undefined };
  }
  if (status !== 200 && status !== 206) {
    body.destroy();
    throw new SourceError(`data_url answered HTTP ${status}`, status === 408 || status === 429 || status >= 500);
  }
  if (etag && answeredEtag && etag !== answeredEtag) {
    body.destroy();
    throw new SourceError('data_url changed since the delivery started (its ETag differs)', false);
  }
  if (status === 206) {
    const range = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(single(response.headers['content-range']) ?? '');
    if (!range || Number(range[1]) !== position.offset) {
      body.destroy();
      throw new SourceError('data_url answered a range other than the one asked for', false);
    }
    totalBytes ??= range[2] === '*' ? null : Number(range[2]);
  } else {
    totalBytes ??= sizeOf(response.headers['content-length']);
    if (position.offset > 0) services.logger.info('data_url ignored the Range request: skipping to the offset');
  }
  return {
    chunks: body,
    skipBytes: status === 200 ? position.offset : 0,
    totalBytes,
    etag: etag ?? answeredEtag,
    close: () => body.destroy(),
  };
}

/** The FILESYSTEM backend (or an embedder's seam-only backend): a local read, skipping to the offset. */
async function openStored(storage: StorageBackend, key: string, position: SourcePosition): Promise<OpenedSource> {
  const stream: Readable = await storage.read(key).catch(storageFailure);
  const totalBytes = position.totalBytes ?? (isFullStorageBackend(storage) ? await sizeInStorage(storage, key) : null);
  return { chunks: stream, skipBytes: position.offset, totalBytes, etag: position.etag, close: () => stream.destroy() };
}

async function sizeInStorage(storage: FullStorageBackend, key: string): Promise<number | null> {
  const page = await storage.list({ prefix: key, batchSize: 10 }).catch(() => undefined);
  return page?.objects.find((object) => object.key === key)?.size ?? null;
}

async function* nothing(): AsyncGenerator<Buffer> {}

function isRedirect(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function sizeOf(value: IncomingMessage['headers']['content-length']): number | null {
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : null;
}

/** A HEAD the guard refuses stops everything; any other failure only means no size from it. */
function refusedOrNothing(error: unknown): undefined {
  if (error instanceof ForbiddenError) throw error;
  return undefined;
}

function networkFailure(error: unknown): never {
  if (error instanceof ForbiddenError) throw error;
  throw new SourceError(`Reading data_url failed: ${(error as Error)?.message ?? String(error)}`, true);
}

function storageFailure(error: unknown): never {
  if (error instanceof StorageNotFoundError) throw new SourceError(`data_url not found in the agent's storage`, false);
  if (error instanceof AgentError) throw error;
  throw new SourceError(`Reading data_url from storage failed: ${(error as Error)?.message ?? String(error)}`, true);
}
