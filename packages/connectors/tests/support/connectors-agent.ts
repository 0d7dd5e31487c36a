import type { AgentOptions } from '@artemis/core';
import { operation, startTestAgent, type TestAgent } from '@artemis/core/testing';
import { nativeConnectors } from '../../src/native-catalog';

export { operation, type TestAgent };

/** The real local server with the native connector catalog; loopback allowed unless `env` says otherwise. */
export function startConnectorsAgent(
  env: Record<string, string> = {},
  options: Omit<AgentOptions, 'config' | 'logger' | 'connectors'> = {},
): Promise<TestAgent> {
  return startTestAgent(
    { MCD_NETWORK_ALLOW_LOOPBACK: 'true', MCD_CLIENT_CACHE_EXPIRATION_SECONDS: '0', ...env },
    { ...options, connectors: nativeConnectors },
  );
}

/** POSTs an execute request and returns the parsed JSON answer. */
export async function execute(
  agent: TestAgent,
  connectionType: string,
  commands: unknown[],
  credentials?: unknown,
): Promise<Record<string, unknown>> {
  const response = await agent.post(
    `/api/v1/agent/execute/${connectionType}/test`,
    operation(commands, {}, credentials),
  );
  return (await response.json()) as Record<string, unknown>;
}
