import type { TestAgent } from '@artemis/core/testing';
import { type FakeAwsRemoteOps, type FakeStack, fakeFunction, startFakeAwsRemoteOps } from '@artemis/testkit';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { withRegion } from '../../src/remote-ops/cloudformation-updater';
import { call, ECR, FUNCTION_NAME, lambdaRemoteOpsAgent } from '../support/remote-ops-agent';

/*
 * The CloudFormation updater (apollo-inventory §8.2 LambdaCFUpdater) through the routes, driven by the real
 * @aws-sdk/client-cloudformation against the HTTP fake (Query protocol, XML answers).
 */

const STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/artemis/0f1e2d3c';
const CF_ENV = { MCD_AGENT_WRAPPER_TYPE: 'CLOUDFORMATION', MCD_STACK_ID: STACK_ID };

let fake: FakeAwsRemoteOps;
let agent: TestAgent;
let stack: FakeStack;
beforeEach(async () => {
  fake = await startFakeAwsRemoteOps();
  stack = {
    stackId: STACK_ID,
    name: 'artemis',
    status: 'CREATE_COMPLETE',
    parameters: [
      { key: 'ImageUri', value: '123456789012.dkr.ecr.*.amazonaws.com/mcd-agent:1.1.0' },
      { key: 'MemorySize', value: '1024' },
      { key: 'EnableRemoteUpgrade', value: 'true' },
    ],
    templateBody: 'AWSTemplateFormatVersion: "2010-09-09"\nResources: {}\n',
    events: [
      {
        timestamp: new Date('2026-01-01T00:00:00Z'),
        logicalResourceId: 'artemis',
        resourceType: 'AWS::CloudFormation::Stack',
        resourceStatus: 'CREATE_COMPLETE',
      },
    ],
    pendingPolls: 2,
    finalStatus: 'UPDATE_COMPLETE',
  };
  fake.stacks.set(STACK_ID, stack);
  fake.functions.set(FUNCTION_NAME, fakeFunction(`${ECR}:1.1.0`));
});
afterEach(async () => {
  await agent?.close();
  await fake.close();
});

function input(operation: string): Record<string, unknown> | undefined {
  return fake.calls.find((c) => c.operation === operation)?.input;
}

describe('POST /api/v1/upgrade through CloudFormation', () => {
  it('updates the stack: ImageUri with its region as *, given parameters as strings, the rest previous', async () => {
    // Prepare
    agent = await lambdaRemoteOpsAgent(fake, { ...CF_ENV, MCD_AGENT_IS_REMOTE_UPGRADABLE: 'true' });

    // Act
    const { body } = await call(agent, '/api/v1/upgrade', {
      trace_id: 't-1',
      image: `${ECR}:1.2.0`,
      parameters: { MemorySize: 2048 },
    });

    // Assess
    expect(body).toEqual({ __mcd_result__: { status: 'UPDATE_IN_PROGRESS' }, __mcd_trace_id__: 't-1' });
    expect(input('cloudformation.UpdateStack')).toEqual({
      Action: 'UpdateStack',
      Version: '2010-05-15',
      StackName: STACK_ID,
      UsePreviousTemplate: 'true',
      'Capabilities.member.1': 'CAPABILITY_IAM',
      'Capabilities.member.2': 'CAPABILITY_NAMED_IAM',
      'Parameters.member.1.ParameterKey': 'ImageUri',
      'Parameters.member.1.ParameterValue': '123456789012.dkr.ecr.*.amazonaws.com/mcd-agent:1.2.0',
      'Parameters.member.2.ParameterKey': 'MemorySize',
      'Parameters.member.2.ParameterValue': '2048',
      'Parameters.member.3.ParameterKey': 'EnableRemoteUpgrade',
      'Parameters.member.3.UsePreviousValue': 'true',
    });
  });

  it('waits when asked and answers status, image and the events of this update', async () => {
    // Prepare
    agent = await lambdaRemoteOpsAgent(fake, { ...CF_ENV, MCD_AGENT_IS_REMOTE_UPGRADABLE: 'true' });

    // Act
    const { body } = await call(agent, '/api/v1/upgrade', {
      image: `${ECR}:1.2.0`,
      wait_for_completion: true,
      parameters: { TemplateURL: 'https://bucket.s3.amazonaws.com/lambda.yaml' },
    });

    // Assess
    expect(body.__mcd_result__).toEqual({
      failed: false,
      error_message: null,
      status: 'UPDATE_COMPLETE',
      image_uri: '123456789012.dkr.ecr.*.amazonaws.com/mcd-agent:1.2.0',
      events: [
        expect.objectContaining({ logical_resource_id: 'artemis', resource_status: 'UPDATE_COMPLETE' }),
        expect.objectContaining({ logical_resource_id: 'Function', resource_type: 'AWS::Lambda::Function' }),
        expect.objectContaining({ resource_status: 'UPDATE_IN_PROGRESS', resource_status_reason: 'User Initiated' }),
      ],
    });
    expect(input('cloudformation.UpdateStack')).toMatchObject({
      TemplateURL: 'https://bucket.s3.amazonaws.com/lambda.yaml',
    });
    expect(input('cloudformation.UpdateStack')).not.toHaveProperty('UsePreviousTemplate');
  });

  it('reports a failed stack update with its waiter message', async () => {
    // Prepare
    stack.finalStatus = 'UPDATE_ROLLBACK_COMPLETE';
    agent = await lambdaRemoteOpsAgent(fake, { ...CF_ENV, MCD_AGENT_IS_REMOTE_UPGRADABLE: 'true' });

    // Act
    const { body } = await call(agent, '/api/v1/upgrade', { image: `${ECR}:1.2.0`, wait_for_completion: true });

    // Assess
    expect(body.__mcd_result__).toMatchObject({
      failed: true,
      status: 'UPDATE_ROLLBACK_COMPLETE',
      error_message: expect.stringContaining('FAILURE'),
    });
  });

  it('updates the function directly with parameters.UseDirectUpdate', async () => {
    // Prepare
    agent = await lambdaRemoteOpsAgent(fake, { ...CF_ENV, MCD_AGENT_IS_REMOTE_UPGRADABLE: 'true' });

    // Act
    const { body } = await call(agent, '/api/v1/upgrade', {
      image: `${ECR}:1.2.0`,
      parameters: { UseDirectUpdate: true },
    });

    // Assess
    expect(body.__mcd_result__).toMatchObject({ LastUpdateStatus: 'InProgress' });
    expect(input('lambda.UpdateFunctionCode')).toMatchObject({ ImageUri: `${ECR}:1.2.0` });
    expect(input('cloudformation.UpdateStack')).toBeUndefined();
  });

  it('answers a denied UpdateStack as "Update failed" with the Permissions type', async () => {
    // Prepare
    fake.denied.add('cloudformation.UpdateStack');
    agent = await lambdaRemoteOpsAgent(fake, { ...CF_ENV, MCD_AGENT_IS_REMOTE_UPGRADABLE: 'true' });

    // Act
    const { body } = await call(agent, '/api/v1/upgrade', { trace_id: 't-2', image: `${ECR}:1.2.0` });

    // Assess
    expect(body).toMatchObject({
      __mcd_error__:
        'Update failed: User: arn:aws:sts::123456789012:assumed-role/artemis-role/artemis is not authorized to perform: cloudformation:UpdateStack',
      __mcd_error_type__: 'Permissions',
      __mcd_trace_id__: 't-2',
    });
  });
});

describe('upgrade logs, infra details and health through CloudFormation', () => {
  it('pages the stack events back to start_time, at most limit', async () => {
    // Prepare
    stack.events = ['06', '05', '04', '03', '02', '01'].map((minute) => ({
      timestamp: new Date(`2026-03-01T11:${minute}:00Z`),
      logicalResourceId: `R${minute}`,
      resourceType: 'AWS::Lambda::Function',
      resourceStatus: 'UPDATE_COMPLETE',
    }));
    agent = await lambdaRemoteOpsAgent(fake, CF_ENV);

    // Act
    const recent = await call(agent, '/api/v1/upgrade/logs?start_time=2026-03-01T11:03:00Z');
    const limited = await call(agent, '/api/v1/upgrade/logs?start_time=2026-03-01T11:00:00Z&limit=3');

    // Assess
    expect(recent.body.__mcd_result__).toEqual({
      events: ['06', '05', '04', '03'].map((minute) => ({
        timestamp: `2026-03-01T11:${minute}:00.000Z`,
        logical_resource_id: `R${minute}`,
        resource_type: 'AWS::Lambda::Function',
        resource_status: 'UPDATE_COMPLETE',
        resource_status_reason: null,
      })),
    });
    expect((limited.body.__mcd_result__ as { events: unknown[] }).events).toHaveLength(3);
    expect(fake.calls.filter((c) => c.operation === 'cloudformation.DescribeStackEvents').length).toBeGreaterThan(2);
  });

  it('answers the template and the stack parameters as infra details', async () => {
    // Prepare
    agent = await lambdaRemoteOpsAgent(fake, CF_ENV);

    // Act
    const { body } = await call(agent, '/api/v1/infra/details');

    // Assess
    expect(body.__mcd_result__).toEqual({
      template: stack.templateBody,
      parameters: [
        { ParameterKey: 'ImageUri', ParameterValue: '123456789012.dkr.ecr.*.amazonaws.com/mcd-agent:1.1.0' },
        { ParameterKey: 'MemorySize', ParameterValue: '1024' },
        { ParameterKey: 'EnableRemoteUpgrade', ParameterValue: 'true' },
      ],
    });
  });

  it("reports the stack's ImageUri as the running image", async () => {
    // Prepare
    agent = await lambdaRemoteOpsAgent(fake, CF_ENV);

    // Act
    const { body } = await call(agent, '/api/v1/test/health?full=true');

    // Assess
    expect(body.platform_info).toEqual({ image: '123456789012.dkr.ecr.*.amazonaws.com/mcd-agent:1.1.0' });
  });
});

describe('withRegion', () => {
  it.each([
    [`${ECR}:1.2.0`, '*', '123456789012.dkr.ecr.*.amazonaws.com/mcd-agent:1.2.0'],
    ['123456789012.dkr.ecr.*.amazonaws.com/a/b:1', 'eu-west-1', '123456789012.dkr.ecr.eu-west-1.amazonaws.com/a/b:1'],
    ['docker.io/acme/agent:1', '*', 'docker.io/acme/agent:1'],
  ])('%s with region %s', (image, region, expected) => {
    // Act / Assess
    expect(withRegion(image, region)).toBe(expected);
  });
});
