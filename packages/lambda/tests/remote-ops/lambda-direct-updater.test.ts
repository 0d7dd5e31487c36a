import type { TestAgent } from '@artemis/core/testing';
import { type FakeAwsRemoteOps, fakeFunction, startFakeAwsRemoteOps } from '@artemis/testkit';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { call, ECR, FUNCTION_NAME, lambdaRemoteOpsAgent } from '../support/remote-ops-agent';

/*
 * The direct Lambda updater (apollo-inventory §8.2 LambdaDirectUpdater) through the upgrade routes, driven by the
 * real @aws-sdk/client-lambda against the HTTP fake of the Lambda API.
 */

let fake: FakeAwsRemoteOps;
let agent: TestAgent;
beforeEach(async () => {
  fake = await startFakeAwsRemoteOps();
  fake.functions.set(FUNCTION_NAME, fakeFunction(`${ECR}:1.1.0`));
});
afterEach(async () => {
  await agent?.close();
  await fake.close();
});

const UPGRADABLE = { MCD_AGENT_IS_REMOTE_UPGRADABLE: 'true' };

function operations(): string[] {
  return fake.calls.map((c) => c.operation);
}

describe('POST /api/v1/upgrade on Lambda without CloudFormation', () => {
  it('publishes the new image with its region resolved, waits, then sets memory and concurrency', async () => {
    // Prepare
    agent = await lambdaRemoteOpsAgent(fake, UPGRADABLE);

    // Act
    const { status, body } = await call(agent, '/api/v1/upgrade', {
      trace_id: 't-1',
      image: '123456789012.dkr.ecr.*.amazonaws.com/mcd-agent:1.2.0',
      wait_for_completion: true,
      parameters: { MemorySize: 2048, ConcurrentExecutions: '5' },
    });

    // Assess
    expect(status).toBe(200);
    expect(body).toEqual({
      __mcd_result__: {
        Version: '2',
        LastModified: '2026-03-01T12:00:00.000+0000',
        State: 'Active',
        LastUpdateStatus: 'Successful',
        ImageUri: `${ECR}:1.2.0`,
        MemorySize: 2048,
        ConcurrentExecutions: '5',
      },
      __mcd_trace_id__: 't-1',
    });
    expect(fake.calls.find((c) => c.operation === 'lambda.UpdateFunctionCode')?.input).toEqual({
      FunctionName: FUNCTION_NAME,
      ImageUri: `${ECR}:1.2.0`,
      Publish: true,
    });
    expect(fake.calls.find((c) => c.operation === 'lambda.UpdateFunctionConfiguration')?.input).toEqual({
      FunctionName: FUNCTION_NAME,
      MemorySize: 2048,
    });
    expect(fake.calls.find((c) => c.operation === 'lambda.PutFunctionConcurrency')?.input).toEqual({
      FunctionName: FUNCTION_NAME,
      ReservedConcurrentExecutions: 5,
    });
    expect(fake.functions.get(FUNCTION_NAME)).toMatchObject({ imageUri: `${ECR}:1.2.0`, memorySize: 2048 });
  });

  it('answers the UpdateFunctionCode result at once without wait_for_completion', async () => {
    // Prepare
    agent = await lambdaRemoteOpsAgent(fake, UPGRADABLE);

    // Act
    const { body } = await call(agent, '/api/v1/upgrade', { image: `${ECR}:1.2.0` });

    // Assess
    expect(body.__mcd_result__).toEqual({
      Version: '2',
      LastModified: '2026-03-01T12:00:00.000+0000',
      State: 'Active',
      LastUpdateStatus: 'InProgress',
    });
    expect(operations()).toEqual(['lambda.GetFunction', 'lambda.GetFunction', 'lambda.UpdateFunctionCode']);
  });

  it('does nothing for the image it already runs', async () => {
    // Prepare
    agent = await lambdaRemoteOpsAgent(fake, UPGRADABLE);

    // Act
    const { body } = await call(agent, '/api/v1/upgrade', { image: `${ECR}:1.1.0` });

    // Assess
    expect(body.__mcd_result__).toEqual({});
    expect(operations()).not.toContain('lambda.UpdateFunctionCode');
  });

  it('reports an update the platform failed as ErrorMessage, not as an exception', async () => {
    // Prepare
    fake.functions.set(FUNCTION_NAME, fakeFunction(`${ECR}:1.1.0`, { finalUpdateStatus: 'Failed' }));
    agent = await lambdaRemoteOpsAgent(fake, UPGRADABLE);

    // Act
    const { body } = await call(agent, '/api/v1/upgrade', { image: `${ECR}:1.2.0`, wait_for_completion: 'true' });

    // Assess
    expect(body.__mcd_result__).toMatchObject({
      LastUpdateStatus: 'Failed',
      LastUpdateStatusReason: 'Image not found',
      LastUpdateStatusReasonCode: 'ImageAccessDenied',
      ErrorMessage: expect.stringContaining('FAILURE'),
    });
  });

  it('answers a permission error as "Update failed" with the Permissions type and the trace id', async () => {
    // Prepare
    fake.denied.add('lambda.UpdateFunctionCode');
    agent = await lambdaRemoteOpsAgent(fake, UPGRADABLE);

    // Act
    const { status, body } = await call(agent, '/api/v1/upgrade', { trace_id: 't-2', image: `${ECR}:1.2.0` });

    // Assess
    expect(status).toBe(200);
    expect(body).toMatchObject({
      __mcd_error__: `Update failed: User: arn:aws:sts::123456789012:assumed-role/artemis-role/artemis is not authorized to perform: lambda:UpdateFunctionCode on resource: ${FUNCTION_NAME}`,
      __mcd_error_type__: 'Permissions',
      __mcd_trace_id__: 't-2',
    });
  });

  it('retries a throttled call (the SDK does) and then succeeds', async () => {
    // Prepare
    agent = await lambdaRemoteOpsAgent(fake, UPGRADABLE);
    fake.throttle.remaining = 1;

    // Act
    const { body } = await call(agent, '/api/v1/upgrade', { image: `${ECR}:1.2.0` });

    // Assess
    expect(body.__mcd_result__).toMatchObject({ LastUpdateStatus: 'InProgress' });
    expect(operations().slice(0, 2)).toEqual(['lambda.GetFunction', 'lambda.GetFunction']);
  });

  it('refuses a MemorySize that is not a whole number with a 400', async () => {
    // Prepare
    agent = await lambdaRemoteOpsAgent(fake, UPGRADABLE);

    // Act
    const { status, body } = await call(agent, '/api/v1/upgrade', {
      trace_id: 't-3',
      parameters: { MemorySize: 'big' },
    });

    // Assess
    expect(status).toBe(400);
    expect(body).toMatchObject({
      __mcd_error__: 'Invalid value for parameters.MemorySize: expected a whole number',
      __mcd_trace_id__: 't-3',
    });
    expect(fake.calls).toEqual([]);
  });
});

describe('infra details, upgrade logs and health on Lambda without CloudFormation', () => {
  it('answers MemorySize and the reserved concurrency as parameters', async () => {
    // Prepare
    fake.functions.set(FUNCTION_NAME, fakeFunction(`${ECR}:1.1.0`, { memorySize: 512, reservedConcurrency: 3 }));
    agent = await lambdaRemoteOpsAgent(fake);

    // Act
    const { body } = await call(agent, '/api/v1/infra/details?trace_id=t-4');

    // Assess
    expect(body).toEqual({
      __mcd_result__: {
        template: '',
        parameters: [
          { ParameterKey: 'MemorySize', ParameterValue: 512 },
          { ParameterKey: 'ConcurrentExecutions', ParameterValue: 3 },
        ],
      },
      __mcd_trace_id__: 't-4',
    });
  });

  it('has no upgrade logs', async () => {
    // Prepare
    agent = await lambdaRemoteOpsAgent(fake);

    // Act
    const { body } = await call(agent, '/api/v1/upgrade/logs');

    // Assess
    expect(body.__mcd_result__).toEqual({ events: [] });
  });

  it('reports the running image in a full health check', async () => {
    // Prepare
    agent = await lambdaRemoteOpsAgent(fake);

    // Act
    const { body } = await call(agent, '/api/v1/test/health?full=true');

    // Assess
    expect(body.platform).toBe('AWS');
    expect(body.platform_info).toEqual({ image: `${ECR}:1.1.0` });
  });
});
