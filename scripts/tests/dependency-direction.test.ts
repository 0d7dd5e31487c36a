import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { checkDependencyDirection, manifestViolations, staticImportViolations } from '../check-dependency-direction';

describe('the dependency-direction check', () => {
  it('passes on the repository as it is', async () => {
    // Act
    const problems = await checkDependencyDirection(join(import.meta.dirname, '..', '..'));
    // Assess
    expect(problems).toEqual([]);
    // Parsing every core source with the TypeScript compiler takes seconds, minutes on a loaded machine: the time is
    // not what this tests.
  }, 180_000);

  it.each([
    ["import { nativeConnectors } from '@artemis/connectors';", '@artemis/connectors'],
    ["import '@artemis/connectors';", '@artemis/connectors'],
    ["export { nativeConnectors } from '@artemis/connectors';", '@artemis/connectors'],
    ["import { S3Client } from '@aws-sdk/client-s3';", '@aws-sdk/client-s3'],
    ["import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';", '@aws-sdk/client-s3'],
    ["import * as storage from '@google-cloud/storage';", '@google-cloud/storage'],
    ["import pg = require('pg');", 'pg'],
  ])('refuses %s in core', (source, specifier) => {
    // Act
    const violations = staticImportViolations('packages/core/src/x.ts', source);
    // Assess
    expect(violations).toEqual([{ file: 'packages/core/src/x.ts', line: 1, specifier }]);
  });

  it.each([
    "import type { S3Client } from '@aws-sdk/client-s3';",
    "import { type S3Client } from '@aws-sdk/client-s3';",
    "export type { ProxyClient } from '@artemis/connectors';",
    "const { S3Client } = await import('@aws-sdk/client-s3');",
    "import { lookup } from 'node:dns/promises';",
    "import * as z from 'zod/mini';",
  ])('allows %s', (source) => {
    expect(staticImportViolations('packages/core/src/x.ts', source)).toEqual([]);
  });

  it('refuses a core manifest that depends on a sibling, but not on the test helpers', () => {
    // Act
    const violations = manifestViolations({
      dependencies: { '@artemis/connectors': 'workspace:*', zod: '^4' },
      devDependencies: { '@artemis/testkit': 'workspace:*', '@artemis/lambda': 'workspace:*' },
    });
    // Assess
    expect(violations).toEqual(['@artemis/connectors', '@artemis/lambda']);
  });
});
