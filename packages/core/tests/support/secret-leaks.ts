import { expect } from '@jest/globals';

/** Fails when any secret value appears anywhere in `captured` (log records, envelopes, health bodies). */
export function expectFreeOfSecrets(captured: unknown, secrets: readonly string[]): void {
  const text = typeof captured === 'string' ? captured : JSON.stringify(captured);
  const leaked = secrets.filter((secret) => text.includes(secret));
  expect(leaked).toEqual([]);
}
