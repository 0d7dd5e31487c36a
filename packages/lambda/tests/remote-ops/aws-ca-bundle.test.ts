import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AgentServices } from '@artemis/core/runtime';
import { selfSignedCertificate } from '@artemis/testkit';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { lambdaRemoteOps } from '../../src/remote-ops/lambda-remote-ops';

/*
 * The Lambda adapter's own AWS clients are made on the agent's one AWS base configuration (issue 10): behind a
 * TLS-inspecting proxy, the CA bundle MCD_AWS_CA_BUNDLE_SECRET_NAME installs (AWS_CA_BUNDLE) is trusted by the log
 * routes' CloudWatch client as by every other AWS client. A CloudWatch Logs endpoint over HTTPS with its own CA.
 */
const tls = selfSignedCertificate();
let server: Server;
let endpoint: string;
let folder: string;

beforeAll(async () => {
  server = createServer({ key: tls.key, cert: tls.cert }, (_request, response) => {
    response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
    response.end(JSON.stringify({ events: [{ timestamp: 1, message: 'over tls', logStreamName: 's' }] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  folder = mkdtempSync(join(tmpdir(), 'artemis-lambda-ca-'));
  writeFileSync(join(folder, 'bundle.pem'), tls.cert);
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(folder, { recursive: true, force: true });
});

function filterLogs(env: Record<string, string>) {
  const ops = lambdaRemoteOps({
    client: { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, maxAttempts: 1 },
  });
  const services = { env, config: { remoteOps: { logGroupId: 'group' } } } as unknown as AgentServices;
  return ops
    .aws?.(services)
    .then((logs) => logs.filter({ pattern: undefined, window: { start: new Date(0), end: undefined }, limit: 10 }));
}

describe('the Lambda adapter’s AWS clients', () => {
  it('trust the agent’s CA bundle (AWS_CA_BUNDLE)', async () => {
    // Act
    const events = await filterLogs({ AWS_CA_BUNDLE: join(folder, 'bundle.pem') });

    // Assess
    expect(events).toEqual([{ timestamp: 1, message: 'over tls', logStreamName: 's' }]);
  });

  it('refuse the same endpoint without it', async () => {
    // Act / Assess
    await expect(filterLogs({})).rejects.toThrow(/self-signed certificate/);
  });
});
