import { isUtf8 } from 'node:buffer';
import { BadRequestError } from '../errors/agent-errors';

/**
 * Parses a request body as JSON: strict UTF-8 (invalid bytes are a 400, not U+FFFD), then a nesting limit checked
 * iteratively (V8's JSON.parse copes with any depth, but recursive code after it — validation, encoding — would not).
 */
export function parseJsonBody(body: Buffer, maxDepth: number): unknown {
  // Node's validator (simdutf), then the plain decode: cheaper than a fatal TextDecoder.
  if (!isUtf8(body)) throw new BadRequestError('Request body is not valid UTF-8');
  const text = body.toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    // V8's message quotes the text around the error, which may be a password from the body: keep the position only.
    const position = /position (\d+)/.exec((error as Error).message)?.[1];
    throw new BadRequestError(
      position === undefined
        ? 'Malformed JSON in request body'
        : `Malformed JSON in request body at position ${position}`,
    );
  }
  if (mayNestDeeperThan(body, maxDepth) && nestingExceeds(value, maxDepth))
    throw new BadRequestError(`JSON nesting exceeds ${maxDepth} levels`);
  return value;
}

/** Parses a JSON object body; an empty body is `{}`. */
export function parseJsonObjectBody(body: Buffer, maxDepth: number): Record<string, unknown> {
  if (body.length === 0) return {};
  const value = parseJsonBody(body, maxDepth);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new BadRequestError('Request body must be a JSON object');
  }
  return value as Record<string, unknown>;
}

/**
 * False when the text cannot nest deeper than `maxDepth` (the usual request): it has no more opening brackets than
 * that. One pass over the bytes, which spares most bodies the walk of the parsed tree.
 */
function mayNestDeeperThan(body: Buffer, maxDepth: number): boolean {
  let openings = 0;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i];
    if ((byte === 0x7b || byte === 0x5b) && ++openings > maxDepth) return true;
  }
  return false;
}

function nestingExceeds(root: unknown, maxDepth: number): boolean {
  if (typeof root !== 'object' || root === null) return false;
  const pending: [unknown, number][] = [[root, 1]];
  for (let item = pending.pop(); item; item = pending.pop()) {
    const [value, depth] = item;
    if (depth > maxDepth) return true;
    for (const child of Object.values(value as object)) {
      if (typeof child === 'object' && child !== null) pending.push([child, depth + 1]);
    }
  }
  return false;
}
