export * from './adapter-cases';
export { buildForTest, REPO_ROOT } from './build-for-test';
export { azureLibraryBytes, staticClosure } from './bundle-closure';
export {
  type FinishedProcess,
  fetchAnswer,
  freePort,
  runUntilExit,
  type StartedProcess,
  startEmulator,
  startProcess,
} from './child-process';
export {
  ASSUMED,
  type FakeAws,
  type FakeAwsCall,
  fakeAwsClients,
  REDSHIFT_PASSWORD,
  startFakeAws,
} from './fakes/fake-aws';
export {
  type FakeAwsRemoteOps,
  type FakeFunction,
  type FakeLogEvent,
  type FakeStack,
  type FakeStackEvent,
  fakeFunction,
  startFakeAwsRemoteOps,
} from './fakes/fake-aws-remote-ops';
export {
  type FakeAzureRemoteOps,
  fakeAzureRemoteOpsClients,
  startFakeAzureRemoteOps,
} from './fakes/fake-azure-remote-ops';
export { type FakeBigquery, type FakeBigqueryRequest, startFakeBigquery } from './fakes/fake-bigquery';
export {
  FAKE_GCP_TOKEN,
  type FakeGcpRemoteOps,
  fakeGcpRemoteOpsClients,
  startFakeGcpRemoteOps,
} from './fakes/fake-gcp-remote-ops';
export { type FakeGcpSecretManager, fakeGcpClients, startFakeGcpSecretManager } from './fakes/fake-gcp-secret-manager';
export {
  type FakeHiveCall,
  type FakeHiveColumn,
  type FakeHiveServer2,
  type FakeHiveStatement,
  type FakeHiveType,
  startFakeHiveServer2,
} from './fakes/fake-hive-server2';
export { type FakeHostLookup, fakeHostLookup } from './fakes/fake-host-lookup';
export {
  FAKE_AZURE_TOKEN,
  type FakeKeyVault,
  fakeAzureClients,
  fakeTokenCredential,
  startFakeKeyVault,
} from './fakes/fake-key-vault';
export {
  type FakeSnowflake,
  type FakeSnowflakeColumn,
  type FakeSnowflakeRequest,
  type FakeSnowflakeStatement,
  startFakeSnowflake,
} from './fakes/fake-snowflake';
export {
  type FakeStatement,
  type FakeTrino,
  type FakeTrinoColumn,
  type FakeTrinoRequest,
  startFakeTrino,
} from './fakes/fake-trino';
export { type FakeHandler, type LocalHttpServer, sendJson, startLocalHttpServer } from './fakes/local-http-server';
export {
  type MockDestination,
  type MockOptions,
  type MockRequest,
  type MockRules,
  type MockStatus,
  startMockDestination,
} from './fakes/mock-destination';
export { selfSignedCertificate, tlsRefusalMessage } from './fakes/self-signed-certificate';
export * from './fixture-connector';
export * from './http-call';
export { lambdaContext } from './lambda-context';
export { closedPort, startHttpServer, startTcpServer } from './local-servers';
export { IN_PRIVATE_NETWORK, itInPrivateNetwork } from './private-network';
export { type SeededRandom, seededRandom } from './seeded-random';
