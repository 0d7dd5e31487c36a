/** @jest-config-loader esbuild-register */
import type { Config } from 'jest';

// Every package is a jest project; sources are TypeScript ESM transformed by swc (type checking is `tsc`'s job).
const swc = [
  '@swc/jest',
  { jsc: { target: 'es2023', parser: { syntax: 'typescript' } }, module: { type: 'es6' } },
] as const;

const packages = ['core', 'connectors', 'lambda', 'cloudrun', 'azure', 'testkit'];

const config: Config = {
  projects: packages.map((name) => ({
    displayName: name,
    rootDir: `<rootDir>/packages/${name}`,
    testMatch: ['<rootDir>/tests/**/*.test.ts'],
    extensionsToTreatAsEsm: ['.ts'],
    transform: { '^.+\\.ts$': swc as unknown as [string, Record<string, unknown>] },
    testEnvironment: 'node',
    moduleNameMapper: {
      '^@artemis/core/runtime$': '<rootDir>/../core/src/runtime.ts',
      '^@artemis/(core|connectors|lambda|cloudrun|azure|testkit)$': '<rootDir>/../$1/src/index.ts',
    },
  })),
  testTimeout: 30_000,
};

export default config;
