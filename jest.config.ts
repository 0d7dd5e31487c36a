/** @jest-config-loader esbuild-register */
import type { Config } from 'jest';

// Sources are TypeScript ESM transformed by swc (type checking is `tsc`'s job).
const swc = [
  '@swc/jest',
  { jsc: { target: 'es2023', parser: { syntax: 'typescript' } }, module: { type: 'es6' } },
] as const;

// Each jest project is a folder with its tests under `tests/`: the packages, infra/ (the templates' checks) and
// scripts/ (the build's bundles).
const projects: Record<string, string> = {
  core: 'packages/core',
  connectors: 'packages/connectors',
  lambda: 'packages/lambda',
  cloudrun: 'packages/cloudrun',
  azure: 'packages/azure',
  generic: 'packages/generic',
  testkit: 'packages/testkit',
  infra: 'infra',
  scripts: 'scripts',
};

// thrift (under @databricks/sql and the testkit's HiveServer2 fake) `require`s uuid, whose releases since 12 are ES
// modules only: Node loads them, jest's own module loader cannot before Node 24.9. Those two projects get the
// CommonJS build @databricks/sql itself depends on (uuid 11: the same parse/stringify).
const uuidCommonJs = require.resolve('uuid', {
  paths: [require.resolve('@databricks/sql/package.json', { paths: [`${__dirname}/packages/connectors`] })],
});
const thriftProjects = new Set(['connectors', 'testkit']);

const config: Config = {
  projects: Object.entries(projects).map(([name, folder]) => {
    // The project's <rootDir> is `folder`; the packages are reached from there (this file is loaded as CommonJS, so
    // import.meta is not available).
    const packages = `<rootDir>/${folder.replace(/[^/]+/g, '..')}/packages`;
    return {
      displayName: name,
      rootDir: `<rootDir>/${folder}`,
      testMatch: ['<rootDir>/tests/**/*.test.ts'],
      extensionsToTreatAsEsm: ['.ts'],
      transform: { '^.+\\.ts$': swc as unknown as [string, Record<string, unknown>] },
      testEnvironment: 'node',
      moduleNameMapper: {
        '^@artemis/core/(runtime|testing)$': `${packages}/core/src/$1.ts`,
        '^@artemis/(core|connectors|testkit)$': `${packages}/$1/src/index.ts`,
        ...(thriftProjects.has(name) ? { '^uuid$': uuidCommonJs } : {}),
      },
    };
  }),
  // A hang, not a slow machine, is what a timeout should catch: the suite runs on shared, loaded 2-core machines
  // (at a load of 8 per core a bundle build took over 30 s), so nothing here fails because the machine is busy.
  testTimeout: 300_000,
};

export default config;
