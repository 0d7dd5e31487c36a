import { afterEach, describe, expect, it } from '@jest/globals';
import type { RemoteOps } from '../../src/remote-ops/remote-ops';
import { startTestAgent, type TestAgent } from '../support/test-agent';

/* Health reports the running image: from MCD_AGENT_IMAGE_TAG at no cost, from the platform's API with full=true. */

let agent: TestAgent | undefined;
afterEach(async () => {
  await agent?.close();
  agent = undefined;
});

async function health(env: Record<string, string>, remoteOps: RemoteOps, query: string) {
  agent = await startTestAgent({ MCD_CHECK_OUTBOUND_IP_URL: 'http://127.0.0.1:9/', ...env }, { remoteOps, env: {} });
  return (await (await agent.get(`/api/v1/test/health?${query}`)).json()) as Record<string, unknown>;
}

describe('health and the running image', () => {
  it('shows MCD_AGENT_IMAGE_TAG without asking the platform', async () => {
    // Prepare
    let asked = 0;
    const remoteOps: RemoteOps = {
      updater: async () => {
        asked += 1;
        throw new Error('not on the plain health path');
      },
    };

    // Act
    const body = await health({ MCD_AGENT_IMAGE_TAG: 'docker.io/acme/agent:1.0.0-cloudrun' }, remoteOps, 'trace_id=1');

    // Assess
    expect(body.platform_info).toEqual({ image: 'docker.io/acme/agent:1.0.0-cloudrun' });
    expect(asked).toBe(0);
  });

  it('asks the updater with full=true', async () => {
    // Prepare
    const image = '123456789012.dkr.ecr.us-east-1.amazonaws.com/mcd-agent:1.1.0';
    const remoteOps: RemoteOps = {
      updater: async () => ({
        currentImage: async () => image,
        update: async () => ({}),
        updateLogs: async () => [],
        infraDetails: async () => ({}),
      }),
    };

    // Act
    const body = await health({}, remoteOps, 'full=true');

    // Assess
    expect(body.platform_info).toEqual({ image });
  });

  it('turns a failure to read the image into null and a warning', async () => {
    // Prepare
    const remoteOps: RemoteOps = {
      updater: async () => ({
        currentImage: async () => {
          throw new Error('AccessDeniedException: not authorized to perform lambda:GetFunction');
        },
        update: async () => ({}),
        updateLogs: async () => [],
        infraDetails: async () => ({}),
      }),
    };

    // Act
    const body = await health({}, remoteOps, 'full=true');

    // Assess
    expect(body.platform_info).toEqual({ image: null });
    expect(body.warnings).toEqual(
      expect.arrayContaining([
        'Failed to retrieve current image: AccessDeniedException: not authorized to perform lambda:GetFunction',
      ]),
    );
  });
});
