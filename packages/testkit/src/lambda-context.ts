/** A frozen fake Lambda context (the fields the runtime passes), for calling a handler outside Lambda. */
export function lambdaContext(requestId = 'c0ffee00-0000-4000-8000-000000000001') {
  return Object.freeze({
    awsRequestId: requestId,
    functionName: 'artemis-test',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:artemis-test',
    memoryLimitInMB: '512',
    logGroupName: '/aws/lambda/artemis-test',
    logStreamName: '2024/03/12/[$LATEST]0123456789abcdef',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 30_000,
  });
}
