import * as z from 'zod/mini';
import { OperationError } from '../errors/agent-errors';
import { validateArgument } from '../http/argument-validation';
import type { ObjectInfo, WriteOptions } from './storage-backend';

/*
 * User metadata and content type of an object (`write` / `upload_file` with `metadata` and `content_type`), checked
 * once for every backend so that what one stores, all store, and it reads back exactly:
 * - names are lower case letters, digits and `_`, starting with a letter: S3 lower-cases names, Azure accepts only
 *   C# identifiers (no `-`), GCS anything; this is what survives all three;
 * - values are printable ASCII without spaces at their ends: S3 and Azure carry metadata in HTTP headers (S3 encodes
 *   anything else, headers lose surrounding spaces);
 * - 1920 bytes of names and values in all: S3's limit is 2 KiB, the rest is kept for the agent's own entry;
 * - names starting with `artemis` are the agent's own (its SHA-256 is `artemis_sha256`).
 */

/** The metadata entry holding the SHA-256 (hex) on S3, GCS and Azure. */
export const SHA256_METADATA_KEY = 'artemis_sha256';

export const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

const MAX_METADATA_BYTES = 1920;
const TOKEN = "[A-Za-z0-9!#$&^_.+'*`|~-]+";
const CONTENT_TYPE = new RegExp(`^${TOKEN}/${TOKEN}(\\s*;\\s*${TOKEN}=(${TOKEN}|"[\\x20-\\x21\\x23-\\x7e]*"))*$`);

const metadataSchema = z.record(
  z.string().check(
    z.regex(/^[a-z][a-z0-9_]{0,63}$/, 'names are 1-64 lower-case letters, digits and _, starting with a letter'),
    z.refine((name) => !name.startsWith('artemis'), 'names starting with "artemis" are reserved for the agent'),
  ),
  z
    .string()
    .check(
      z.maxLength(1024, 'values are at most 1024 characters'),
      z.regex(
        /^(?:[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?)?$/,
        'values are printable ASCII without spaces at their ends',
      ),
    ),
);

const contentTypeSchema = z
  .string()
  .check(
    z.maxLength(255, 'at most 255 characters'),
    z.regex(CONTENT_TYPE, 'expected a media type such as "application/json" or "text/csv; charset=utf-8"'),
  );

/** The `metadata` and `content_type` arguments of a command, checked; undefined when not given. */
export function writeOptionsOf(metadata: unknown, contentType: unknown): WriteOptions {
  const checked =
    metadata === undefined || metadata === null ? undefined : validateArgument(metadataSchema, metadata, 'metadata');
  if (checked) {
    const bytes = Object.entries(checked).reduce((sum, [name, value]) => sum + name.length + value.length, 0);
    if (bytes > MAX_METADATA_BYTES) {
      throw new OperationError(
        `Invalid metadata: ${bytes} bytes of names and values, the limit is ${MAX_METADATA_BYTES}`,
      );
    }
  }
  const type =
    contentType === undefined || contentType === null
      ? undefined
      : validateArgument(contentTypeSchema, contentType, 'content_type');
  return { metadata: checked, contentType: type };
}

/** What a backend stores: the user's entries and the agent's SHA-256. */
export function storedMetadata(options: WriteOptions | undefined, sha256: string): Record<string, string> {
  return { ...(options?.metadata ?? {}), [SHA256_METADATA_KEY]: sha256 };
}

/** A stored metadata map split into the user's entries and the recorded SHA-256 (checked to be one). */
function splitMetadata(stored: Readonly<Record<string, string | undefined>> | undefined): {
  metadata: Record<string, string>;
  sha256: string | null;
} {
  const metadata: Record<string, string> = {};
  let sha256: string | null = null;
  for (const [name, value] of Object.entries(stored ?? {})) {
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    if (lower === SHA256_METADATA_KEY) sha256 = /^[0-9a-f]{64}$/.test(value) ? value : null;
    else if (!lower.startsWith('artemis')) metadata[lower] = value;
  }
  return { metadata, sha256 };
}

/** What a service answers about an object, in its own field names mapped by the backend. */
export interface ServiceHead {
  readonly size?: number | undefined;
  readonly etag?: string | undefined;
  readonly lastModified?: Date | string | undefined;
  readonly contentType?: string | undefined;
  readonly metadata?: Readonly<Record<string, string | undefined>> | undefined;
  readonly version?: string | undefined;
}

/**
 * The ObjectInfo of a service's answer: the user's metadata apart from the agent's SHA-256 entry, and `nativeSha256`
 * (the service's own full-object digest, hex) where the agent recorded none.
 */
export function objectInfo(key: string, head: ServiceHead, nativeSha256: string | null = null): ObjectInfo {
  const { metadata, sha256 } = splitMetadata(head.metadata);
  return {
    key,
    size: head.size ?? 0,
    etag: head.etag ?? '',
    lastModified: new Date(head.lastModified ?? 0),
    contentType: head.contentType ?? DEFAULT_CONTENT_TYPE,
    metadata,
    sha256: sha256 ?? nativeSha256,
    version: head.version ?? '',
  };
}
