import { operation, type TestAgent } from '../../src/testing';

export { SAMPLE_PLUGIN } from '@artemis/testkit';
export { operation, startTestAgent, type TestAgent } from '../../src/testing';

/** Runs commands on the sample connector and returns the HTTP status and the parsed JSON body. */
export async function execute(
  agent: TestAgent,
  commands: unknown[],
  options: { extra?: Record<string, unknown>; credentials?: unknown; type?: string } = {},
): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const response = await agent.post(
    `/api/v1/agent/execute/${options.type ?? 'sample'}/test-op`,
    operation(commands, options.extra, options.credentials),
  );
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>,
  };
}
