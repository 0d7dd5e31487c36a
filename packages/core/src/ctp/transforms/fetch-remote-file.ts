import { createWriteStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AgentError } from '../../errors/agent-errors';
import { StorageNotFoundError } from '../../errors/storage-errors';
import { guardedStreamRequest } from '../../network/guarded-http';
import type { Transform } from './transform';

/** Certificates and key files are small: a larger download is refused rather than filling the disk. */
const MAX_FILE_BYTES = 10 * 1024 * 1024;

/**
 * `fetch_remote_file` (Apollo's FetchRemoteFileTransform): downloads `url` to a temp file and derives its `path`.
 * `mechanism` "url" (the default) is an HTTP(S) GET through the agent's SSRF guard (redirects are not followed:
 * each would be a new destination); any other mechanism reads `url` as a key of the agent's own storage, and a
 * missing object leaves `path` underived (the mapper's templates then see it undefined), as in Apollo.
 */
export const fetchRemoteFile: Transform = {
  requiredInput: ['url'],
  optionalInput: ['sub_folder', 'mechanism'],
  requiredOutput: ['path'],
  optionalOutput: [],
  async run(step) {
    const url = step.input('url');
    if (typeof url !== 'string' || url === '') throw new Error("'url' must be a non-empty string");
    const mechanism = step.has('mechanism') ? String(step.input('mechanism') ?? 'url') : 'url';
    const subFolder = step.has('sub_folder') ? String(step.input('sub_folder')) : undefined;
    const path = await step.services.tempFiles.reserve({ ...(subFolder ? { subFolder } : {}) });
    if (mechanism === 'url') {
      await download(step.services.network, url, path, step.services.timeoutMs);
    } else {
      const storage = await step.services.storage();
      let body: Readable;
      try {
        body = await storage.read(url);
      } catch (error) {
        if (error instanceof StorageNotFoundError) return;
        throw error;
      }
      await save(body, path);
    }
    step.derive('path', path);
  },
};

async function download(
  network: Parameters<Transform['run']>[0]['services']['network'],
  url: string,
  path: string,
  timeoutMs: number,
): Promise<void> {
  if (!/^https?:\/\//i.test(url)) throw new Error("'url' must be an http(s) URL for the url mechanism");
  const shown = safeUrl(url);
  let response: Awaited<ReturnType<typeof guardedStreamRequest>>;
  try {
    response = await guardedStreamRequest(network(), url, { timeoutMs });
  } catch (error) {
    if (error instanceof AgentError) throw error;
    throw new Error(`Failed to download ${shown}: ${(error as Error).message}`);
  }
  if (response.status < 200 || response.status >= 300) {
    response.body.resume();
    throw new Error(`Failed to download ${shown}: HTTP ${response.status}`);
  }
  await save(response.body, path);
}

async function save(body: Readable, path: string): Promise<void> {
  let size = 0;
  await pipeline(
    body,
    async function* (source: AsyncIterable<Buffer>) {
      for await (const chunk of source) {
        size += chunk.length;
        if (size > MAX_FILE_BYTES) throw new Error(`remote file is larger than ${MAX_FILE_BYTES} bytes`);
        yield chunk;
      }
    },
    createWriteStream(path, { mode: 0o600, flags: 'wx' }),
  );
}

/** The URL without its query and credentials: a pre-signed URL's signature is a secret. */
function safeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return 'the URL';
  }
}
