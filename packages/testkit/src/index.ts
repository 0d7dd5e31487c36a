export * from './adapter-cases';
export { buildForTest, REPO_ROOT } from './build-for-test';
export { azureLibraryBytes, staticClosure } from './bundle-closure';
export { fetchAnswer, freePort, type StartedProcess, startEmulator, startProcess } from './child-process';
export * from './fixture-connector';
export * from './http-call';
export { lambdaContext } from './lambda-context';
