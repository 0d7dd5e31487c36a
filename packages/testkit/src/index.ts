export * from './adapter-cases';
export { buildForTest, REPO_ROOT } from './build-for-test';
export { fetchAnswer, freePort, type StartedProcess, startProcess } from './child-process';
export * from './fixture-connector';
export { lambdaContext } from './lambda-context';
