import { hash } from 'node:crypto';

/** A cache key for credentials that does not depend on key order and never contains the secret itself. */
export function credentialsKey(connectionType: string, credentials: unknown): string {
  // crypto.hash, one call: a third of createHash().update().digest()'s cost, asked on every operation.
  return `${connectionType}:${hash('sha256', canonicalJson(credentials), 'base64url')}`;
}

export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object' && !(value instanceof Uint8Array)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`).join(',')}}`;
  }
  if (value instanceof Uint8Array) return JSON.stringify(Buffer.from(value).toString('base64'));
  return JSON.stringify(value) ?? 'null';
}
