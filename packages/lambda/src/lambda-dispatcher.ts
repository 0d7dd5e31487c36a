import { type AsyncDispatcher, asyncWorkEvent } from '@artemis/core/runtime';
import type { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Async dispatch on Lambda (SPEC §8): the function invokes itself with `InvocationType: "Event"` and the work event
 * (`{"__artemis_async_work__": {"request_id": …}}`), which the handler recognises and runs in a fresh invocation
 * with the full function timeout. The same version runs it (`AWS_LAMBDA_FUNCTION_VERSION`), so a deploy in between
 * does not hand the job to other code. The SDK is imported on the first dispatch, never on the health path; its
 * endpoint follows the SDK's own settings (`AWS_ENDPOINT_URL_LAMBDA` points it at scripts/lambda-local). The role
 * needs `lambda:InvokeFunction` on itself (the Terraform module and the CloudFormation stack grant it).
 */
export function lambdaEventDispatcher(env: Env = process.env): AsyncDispatcher {
  let sdk: Promise<{ client: LambdaClient; Invoke: typeof InvokeCommand }> | undefined;
  return {
    kind: 'lambda-event',
    async dispatch(work) {
      const functionName = env.AWS_LAMBDA_FUNCTION_NAME;
      if (!functionName) throw new Error('AWS_LAMBDA_FUNCTION_NAME is not set: not running on Lambda');
      sdk ??= Promise.all([import('@aws-sdk/client-lambda'), import('./remote-ops/agent-aws-config')]).then(
        async ([module, { withAgentAwsConfig }]) => ({
          // The agent's AWS base configuration (CA bundle, region), as every AWS client of the agent.
          client: new module.LambdaClient({ ...(await withAgentAwsConfig({}, env)).client }),
          Invoke: module.InvokeCommand,
        }),
      );
      const { client, Invoke } = await sdk;
      const output = await client.send(
        new Invoke({
          FunctionName: functionName,
          Qualifier: env.AWS_LAMBDA_FUNCTION_VERSION || undefined,
          InvocationType: 'Event',
          Payload: Buffer.from(JSON.stringify(asyncWorkEvent(work))),
        }),
      );
      if (output.StatusCode !== 202) throw new Error(`Lambda answered the Event invocation with ${output.StatusCode}`);
    },
  };
}
