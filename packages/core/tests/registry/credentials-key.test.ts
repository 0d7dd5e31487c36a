import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { canonicalJson, credentialsKey } from '../../src/registry/credentials-key';

describe('credentialsKey', () => {
  it('is the SHA-256 of the canonical JSON, base64url, after the connection type', () => {
    // Prepare
    const credentials = { password: 's3cret', connect_args: { port: 5432, host: 'db.internal' } };
    const digest = createHash('sha256').update(canonicalJson(credentials)).digest('base64url');

    // Act
    const key = credentialsKey('postgres', credentials);

    // Assess
    expect(key).toBe(`postgres:${digest}`);
    expect(key).not.toContain('s3cret');
  });

  it('does not depend on key order, and tells different credentials and types apart', () => {
    // Act
    const key = credentialsKey('postgres', { a: 1, b: { c: [1, 2], d: 'x' } });

    // Assess
    expect(credentialsKey('postgres', { b: { d: 'x', c: [1, 2] }, a: 1 })).toBe(key);
    expect(credentialsKey('postgres', { a: 1, b: { c: [2, 1], d: 'x' } })).not.toBe(key);
    expect(credentialsKey('mysql', { a: 1, b: { c: [1, 2], d: 'x' } })).not.toBe(key);
  });
});
