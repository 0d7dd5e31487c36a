import type { Agent } from '@artemis/core';
import { adapterCases, lambdaContext } from '@artemis/testkit';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { createLambdaHandler, type LambdaHandler } from '../../src/handler';
import { answerOf, eventFor, SINGLE_VALUE_QUERY, VARIANTS } from '../support/events';
import { lambdaAgent } from '../support/lambda-agent';

let agent: Agent;
let handler: LambdaHandler;

beforeAll(async () => {
  ({ agent } = await lambdaAgent());
  handler = createLambdaHandler(agent);
});
afterAll(() => agent.close());

describe.each(VARIANTS)('Lambda handler, %s events', (variant) => {
  const cases = adapterCases('AWS').filter((c) => !(c.repeatedQuery && SINGLE_VALUE_QUERY.includes(variant)));
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, testCase) => {
    // Prepare
    const event = eventFor(variant, testCase.call);
    // Act
    const result = await handler(event, lambdaContext());
    // Assess
    testCase.check(answerOf(event, result));
  });
});
