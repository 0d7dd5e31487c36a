export * from './adapter-cases';
export { buildForTest, REPO_ROOT } from './build-for-test';
export { azureLibraryBytes, staticClosure } from './bundle-closure';
export { fetchAnswer, freePort, type StartedProcess, startEmulator, startProcess } from './child-process';
export { ASSUMED, type FakeAws, type FakeAwsCall, fakeAwsClients, startFakeAws } from './fakes/fake-aws';
export { type FakeGcpSecretManager, fakeGcpClients, startFakeGcpSecretManager } from './fakes/fake-gcp-secret-manager';
export {
  FAKE_AZURE_TOKEN,
  type FakeKeyVault,
  fakeAzureClients,
  fakeTokenCredential,
  startFakeKeyVault,
} from './fakes/fake-key-vault';
export { type FakeHandler, type LocalHttpServer, sendJson, startLocalHttpServer } from './fakes/local-http-server';
export {
  type MockDestination,
  type MockOptions,
  type MockRequest,
  type MockRules,
  type MockStatus,
  startMockDestination,
} from './fakes/mock-destination';
export { selfSignedCertificate } from './fakes/self-signed-certificate';
export * from './fixture-connector';
export * from './http-call';
export { lambdaContext } from './lambda-context';
export { closedPort, startHttpServer, startTcpServer } from './local-servers';
export { IN_PRIVATE_NETWORK, itInPrivateNetwork } from './private-network';
