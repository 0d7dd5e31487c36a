import type { IncomingMessage, ServerResponse } from 'node:http';
import { type LocalHttpServer, sendJson, startLocalHttpServer } from './local-http-server';

/**
 * An HTTP-level fake of the three AWS APIs the Lambda adapter's remote operations call, on one endpoint the real SDK
 * clients are pointed at: Lambda (REST JSON: GetFunction, UpdateFunctionCode, UpdateFunctionConfiguration,
 * PutFunctionConcurrency), CloudFormation (Query protocol, XML answers: DescribeStacks, DescribeStackEvents,
 * GetTemplate, UpdateStack) and CloudWatch Logs (JSON 1.1: FilterLogEvents, StartQuery, StopQuery, GetQueryResults).
 * It checks what the real services check (required fields, UpdateStack's template and parameter rules) and answers
 * with the services' own error codes, including throttling and access denied.
 */
export interface FakeAwsRemoteOps extends LocalHttpServer {
  readonly functions: Map<string, FakeFunction>;
  readonly stacks: Map<string, FakeStack>;
  readonly logEvents: FakeLogEvent[];
  readonly queries: Map<string, { results: Record<string, string>[]; status: string }>;
  /** Operation names (`lambda.GetFunction`, `cloudformation.UpdateStack`, `logs.StartQuery`) answered AccessDenied. */
  readonly denied: Set<string>;
  /** The next `throttle.remaining` calls are answered with the service's throttling error. */
  readonly throttle: { remaining: number };
  /** FilterLogEvents page size (the service pages with nextToken). */
  readonly logPageSize: { value: number };
  readonly calls: { readonly operation: string; readonly input: Record<string, unknown> }[];
}

export interface FakeFunction {
  imageUri: string;
  memorySize: number;
  reservedConcurrency: number | undefined;
  version: number;
  lastUpdateStatus: 'Successful' | 'InProgress' | 'Failed';
  /** GetFunction answers `InProgress` this many more times after an update, then `finalUpdateStatus`. */
  pendingPolls: number;
  finalUpdateStatus: 'Successful' | 'Failed';
}

export interface FakeStack {
  readonly stackId: string;
  readonly name: string;
  status: string;
  parameters: { key: string; value: string }[];
  templateBody: string;
  /** Newest first, as DescribeStackEvents answers. */
  events: FakeStackEvent[];
  /** DescribeStacks answers UPDATE_IN_PROGRESS this many more times after an update, then `finalStatus`. */
  pendingPolls: number;
  finalStatus: string;
}

export interface FakeStackEvent {
  readonly timestamp: Date;
  readonly logicalResourceId: string;
  readonly resourceType: string;
  readonly resourceStatus: string;
  readonly resourceStatusReason?: string;
}

export interface FakeLogEvent {
  readonly timestamp: number;
  readonly message: string;
  readonly logStreamName: string;
}

export function fakeFunction(imageUri: string, overrides: Partial<FakeFunction> = {}): FakeFunction {
  return {
    imageUri,
    memorySize: 1024,
    reservedConcurrency: undefined,
    version: 1,
    lastUpdateStatus: 'Successful',
    pendingPolls: 2,
    finalUpdateStatus: 'Successful',
    ...overrides,
  };
}

export async function startFakeAwsRemoteOps(): Promise<FakeAwsRemoteOps> {
  const functions = new Map<string, FakeFunction>();
  const stacks = new Map<string, FakeStack>();
  const logEvents: FakeLogEvent[] = [];
  const queries = new Map<string, { results: Record<string, string>[]; status: string }>();
  const denied = new Set<string>();
  const throttle = { remaining: 0 };
  const logPageSize = { value: 2 };
  const calls: { operation: string; input: Record<string, unknown> }[] = [];
  let queryCount = 0;

  const server = await startLocalHttpServer((request, body, response) => {
    const target = request.headers['x-amz-target'];
    if (typeof target === 'string') return logs(target.replace(/^Logs_20140328\./, ''), body, response);
    if (request.url?.startsWith('/2015-03-31/') || request.url?.startsWith('/2017-10-31/'))
      return lambda(request, body, response);
    return cloudFormation(new URLSearchParams(body.toString('utf8')), response);
  });

  function record(operation: string, input: Record<string, unknown>): 'denied' | 'throttled' | undefined {
    calls.push({ operation, input });
    if (throttle.remaining > 0) {
      throttle.remaining -= 1;
      return 'throttled';
    }
    return denied.has(operation) ? 'denied' : undefined;
  }

  // -- Lambda (REST JSON) ------------------------------------------------------------------------------------------
  function lambda(request: IncomingMessage, body: Buffer, response: ServerResponse) {
    const url = new URL(request.url ?? '/', 'http://fake');
    const match = /^\/(2015-03-31|2017-10-31)\/functions\/([^/]+)(?:\/(code|configuration|concurrency))?$/.exec(
      url.pathname,
    );
    const name = decodeURIComponent(match?.[2] ?? '');
    const sub = match?.[3];
    const operation =
      request.method === 'GET' && !sub
        ? 'GetFunction'
        : request.method === 'PUT' && sub === 'code'
          ? 'UpdateFunctionCode'
          : request.method === 'PUT' && sub === 'configuration'
            ? 'UpdateFunctionConfiguration'
            : request.method === 'PUT' && sub === 'concurrency'
              ? 'PutFunctionConcurrency'
              : undefined;
    if (!operation) return restError(response, 404, 'UnknownOperationException', `No route ${url.pathname}`);
    const input = { FunctionName: name, ...(body.length > 0 ? (JSON.parse(body.toString('utf8')) as object) : {}) };
    const outcome = record(`lambda.${operation}`, input);
    if (outcome === 'throttled') return restError(response, 429, 'TooManyRequestsException', 'Rate exceeded');
    if (outcome === 'denied') {
      return restError(
        response,
        403,
        'AccessDeniedException',
        `User: arn:aws:sts::123456789012:assumed-role/artemis-role/artemis is not authorized to perform: lambda:${operation} on resource: ${name}`,
      );
    }
    const fn = functions.get(name);
    if (!fn) return restError(response, 404, 'ResourceNotFoundException', `Function not found: ${name}`);
    const fields = input as Record<string, unknown>;
    switch (operation) {
      case 'GetFunction': {
        if (fn.lastUpdateStatus === 'InProgress') {
          if (fn.pendingPolls > 0) fn.pendingPolls -= 1;
          else fn.lastUpdateStatus = fn.finalUpdateStatus;
        }
        return sendJson(response, 200, {
          Configuration: configuration(name, fn),
          Code: { RepositoryType: 'ECR', ImageUri: fn.imageUri, ResolvedImageUri: `${fn.imageUri}@sha256:fake` },
          ...(fn.reservedConcurrency === undefined
            ? {}
            : { Concurrency: { ReservedConcurrentExecutions: fn.reservedConcurrency } }),
        });
      }
      case 'UpdateFunctionCode': {
        if (typeof fields.ImageUri !== 'string' || fields.ImageUri.includes('*')) {
          return restError(response, 400, 'InvalidParameterValueException', 'Source image is not valid');
        }
        if (fn.lastUpdateStatus === 'InProgress') return conflict(response, name);
        fn.imageUri = fields.ImageUri;
        fn.lastUpdateStatus = 'InProgress';
        if (fields.Publish === true) fn.version += 1;
        return sendJson(response, 200, configuration(name, fn));
      }
      case 'UpdateFunctionConfiguration': {
        if (fn.lastUpdateStatus === 'InProgress') return conflict(response, name);
        if (typeof fields.MemorySize !== 'number' || fields.MemorySize < 128 || fields.MemorySize > 10240) {
          return restError(response, 400, 'InvalidParameterValueException', 'MemorySize must be from 128 to 10240');
        }
        fn.memorySize = fields.MemorySize;
        return sendJson(response, 200, configuration(name, fn));
      }
      default: {
        if (typeof fields.ReservedConcurrentExecutions !== 'number' || fields.ReservedConcurrentExecutions < 0) {
          return restError(response, 400, 'InvalidParameterValueException', 'ReservedConcurrentExecutions is required');
        }
        fn.reservedConcurrency = fields.ReservedConcurrentExecutions;
        return sendJson(response, 200, { ReservedConcurrentExecutions: fn.reservedConcurrency });
      }
    }
  }

  function configuration(name: string, fn: FakeFunction) {
    return {
      FunctionName: name,
      FunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${name}`,
      PackageType: 'Image',
      MemorySize: fn.memorySize,
      Version: String(fn.version),
      LastModified: '2026-03-01T12:00:00.000+0000',
      State: 'Active',
      LastUpdateStatus: fn.lastUpdateStatus,
      ...(fn.lastUpdateStatus === 'Failed'
        ? { LastUpdateStatusReason: 'Image not found', LastUpdateStatusReasonCode: 'ImageAccessDenied' }
        : {}),
    };
  }

  function conflict(response: ServerResponse, name: string) {
    restError(
      response,
      409,
      'ResourceConflictException',
      `The operation cannot be performed at this time. An update is in progress for resource: ${name}`,
    );
  }

  // -- CloudFormation (Query protocol) -----------------------------------------------------------------------------
  function cloudFormation(form: URLSearchParams, response: ServerResponse) {
    const action = form.get('Action') ?? '';
    const input = Object.fromEntries(form);
    const outcome = record(`cloudformation.${action}`, input);
    if (outcome === 'throttled') return queryError(response, 400, 'Throttling', 'Rate exceeded');
    if (outcome === 'denied') {
      return queryError(
        response,
        403,
        'AccessDenied',
        `User: arn:aws:sts::123456789012:assumed-role/artemis-role/artemis is not authorized to perform: cloudformation:${action}`,
      );
    }
    const stack = stackOf(form.get('StackName') ?? '');
    if (!stack)
      return queryError(response, 400, 'ValidationError', `Stack with id ${form.get('StackName')} does not exist`);
    switch (action) {
      case 'DescribeStacks': {
        if (stack.status === 'UPDATE_IN_PROGRESS') {
          if (stack.pendingPolls > 0) stack.pendingPolls -= 1;
          else finishUpdate(stack);
        }
        const parameters = stack.parameters
          .map(
            (p) =>
              `<member><ParameterKey>${p.key}</ParameterKey><ParameterValue>${xml(p.value)}</ParameterValue></member>`,
          )
          .join('');
        return sendXml(
          response,
          'DescribeStacks',
          `<Stacks><member><StackId>${stack.stackId}</StackId><StackName>${stack.name}</StackName><CreationTime>2026-01-01T00:00:00Z</CreationTime><StackStatus>${stack.status}</StackStatus><Parameters>${parameters}</Parameters></member></Stacks>`,
        );
      }
      case 'DescribeStackEvents': {
        const pageSize = 2;
        const start = Number(form.get('NextToken') ?? '0');
        const page = stack.events.slice(start, start + pageSize);
        const next = start + pageSize < stack.events.length ? `<NextToken>${start + pageSize}</NextToken>` : '';
        const members = page
          .map(
            (e, i) =>
              `<member><EventId>e-${start + i}</EventId><StackId>${stack.stackId}</StackId><StackName>${stack.name}</StackName><LogicalResourceId>${e.logicalResourceId}</LogicalResourceId><ResourceType>${e.resourceType}</ResourceType><Timestamp>${e.timestamp.toISOString()}</Timestamp><ResourceStatus>${e.resourceStatus}</ResourceStatus>${e.resourceStatusReason ? `<ResourceStatusReason>${xml(e.resourceStatusReason)}</ResourceStatusReason>` : ''}</member>`,
          )
          .join('');
        return sendXml(response, 'DescribeStackEvents', `<StackEvents>${members}</StackEvents>${next}`);
      }
      case 'GetTemplate':
        return sendXml(response, 'GetTemplate', `<TemplateBody>${xml(stack.templateBody)}</TemplateBody>`);
      case 'UpdateStack':
        return updateStack(stack, form, response);
      default:
        return queryError(response, 400, 'InvalidAction', `The fake does not serve ${action}`);
    }
  }

  function updateStack(stack: FakeStack, form: URLSearchParams, response: ServerResponse) {
    const hasTemplateUrl = form.has('TemplateURL');
    const usePrevious = form.get('UsePreviousTemplate') === 'true';
    if (hasTemplateUrl === usePrevious) {
      return queryError(
        response,
        400,
        'ValidationError',
        'Exactly one of TemplateURL and UsePreviousTemplate is required',
      );
    }
    const capabilities = [...form].filter(([key]) => key.startsWith('Capabilities.member.')).map(([, v]) => v);
    if (!capabilities.includes('CAPABILITY_NAMED_IAM')) {
      return queryError(
        response,
        400,
        'InsufficientCapabilitiesException',
        'Requires capabilities : [CAPABILITY_NAMED_IAM]',
      );
    }
    const next: { key: string; value: string }[] = [];
    for (let i = 1; form.has(`Parameters.member.${i}.ParameterKey`); i++) {
      const key = form.get(`Parameters.member.${i}.ParameterKey`) as string;
      const value = form.get(`Parameters.member.${i}.ParameterValue`);
      const previous = form.get(`Parameters.member.${i}.UsePreviousValue`) === 'true';
      if ((value === null) === !previous) {
        return queryError(
          response,
          400,
          'ValidationError',
          `Parameter ${key} needs exactly one of a value and UsePreviousValue`,
        );
      }
      const old = stack.parameters.find((p) => p.key === key);
      if (!old)
        return queryError(response, 400, 'ValidationError', `Parameters: [${key}] do not exist in the template`);
      next.push({ key, value: previous ? old.value : (value as string) });
    }
    if (next.length !== stack.parameters.length) {
      return queryError(response, 400, 'ValidationError', 'Parameters must list every template parameter');
    }
    if (next.every((p, i) => p.value === stack.parameters[i]?.value) && usePrevious) {
      return queryError(response, 400, 'ValidationError', 'No updates are to be performed.');
    }
    stack.parameters = next;
    stack.status = 'UPDATE_IN_PROGRESS';
    stack.events.unshift(event(stack.name, 'AWS::CloudFormation::Stack', 'UPDATE_IN_PROGRESS', 'User Initiated'));
    return sendXml(response, 'UpdateStack', `<StackId>${stack.stackId}</StackId>`);
  }

  function finishUpdate(stack: FakeStack) {
    stack.status = stack.finalStatus;
    const ok = stack.finalStatus === 'UPDATE_COMPLETE';
    // Newest first: the function's event, then the stack's own closing event in front of it.
    stack.events.unshift(
      event(
        'Function',
        'AWS::Lambda::Function',
        ok ? 'UPDATE_COMPLETE' : 'UPDATE_FAILED',
        ok ? undefined : 'Source image does not exist',
      ),
    );
    stack.events.unshift(event(stack.name, 'AWS::CloudFormation::Stack', stack.finalStatus));
  }

  function event(
    logicalResourceId: string,
    resourceType: string,
    resourceStatus: string,
    reason?: string,
  ): FakeStackEvent {
    return {
      timestamp: new Date(),
      logicalResourceId,
      resourceType,
      resourceStatus,
      ...(reason ? { resourceStatusReason: reason } : {}),
    };
  }

  function stackOf(name: string): FakeStack | undefined {
    return stacks.get(name) ?? [...stacks.values()].find((s) => s.name === name || s.stackId === name);
  }

  // -- CloudWatch Logs (JSON 1.1) ----------------------------------------------------------------------------------
  function logs(operation: string, body: Buffer, response: ServerResponse) {
    const input = JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>;
    const outcome = record(`logs.${operation}`, input);
    if (outcome === 'throttled') return jsonError(response, 'ThrottlingException', 'Rate exceeded');
    if (outcome === 'denied') {
      return jsonError(
        response,
        'AccessDeniedException',
        `User: arn:aws:sts::123456789012:assumed-role/artemis-role/artemis is not authorized to perform: logs:${operation}`,
      );
    }
    switch (operation) {
      case 'FilterLogEvents': {
        if (typeof input.logGroupIdentifier !== 'string')
          return jsonError(response, 'InvalidParameterException', 'logGroupIdentifier is required');
        const matching = logEvents.filter(
          (e) =>
            (typeof input.startTime !== 'number' || e.timestamp >= input.startTime) &&
            (typeof input.endTime !== 'number' || e.timestamp <= input.endTime) &&
            (typeof input.filterPattern !== 'string' || e.message.includes(input.filterPattern)),
        );
        const start = Number(input.nextToken ?? 0);
        const size = Math.min(logPageSize.value, typeof input.limit === 'number' ? input.limit : 10_000);
        const page = matching.slice(start, start + size);
        return sendJson(
          response,
          200,
          {
            events: page.map((e, i) => ({ ...e, eventId: `ev-${start + i}`, ingestionTime: e.timestamp + 1 })),
            searchedLogStreams: [],
            ...(start + size < matching.length ? { nextToken: String(start + size) } : {}),
          },
          AMZ_JSON,
        );
      }
      case 'StartQuery': {
        const groups = input.logGroupIdentifiers;
        if (typeof input.queryString !== 'string' || !Array.isArray(groups) || groups.length === 0) {
          return jsonError(response, 'InvalidParameterException', 'queryString and logGroupIdentifiers are required');
        }
        // StartQuery takes seconds since the epoch; milliseconds would be a time 50,000 years away.
        const { startTime, endTime } = input as { startTime: unknown; endTime: unknown };
        if (
          typeof startTime !== 'number' ||
          typeof endTime !== 'number' ||
          endTime > 4_102_444_800 ||
          startTime > endTime
        ) {
          return jsonError(
            response,
            'InvalidParameterException',
            'startTime and endTime must be seconds since the epoch, start before end',
          );
        }
        queryCount += 1;
        const queryId = `q-${queryCount}`;
        queries.set(queryId, queries.get('next') ?? { results: [], status: 'Complete' });
        return sendJson(response, 200, { queryId }, AMZ_JSON);
      }
      case 'StopQuery': {
        const query = queries.get(String(input.queryId));
        if (!query) return jsonError(response, 'ResourceNotFoundException', `Query ${String(input.queryId)} not found`);
        const stopped = query.status === 'Running' || query.status === 'Scheduled';
        if (stopped) query.status = 'Cancelled';
        return sendJson(response, 200, { success: stopped }, AMZ_JSON);
      }
      case 'GetQueryResults': {
        const query = queries.get(String(input.queryId));
        if (!query) return jsonError(response, 'ResourceNotFoundException', `Query ${String(input.queryId)} not found`);
        return sendJson(
          response,
          200,
          {
            results: query.results.map((row) => Object.entries(row).map(([field, value]) => ({ field, value }))),
            statistics: { recordsMatched: query.results.length, recordsScanned: 10, bytesScanned: 100 },
            status: query.status,
          },
          AMZ_JSON,
        );
      }
      default:
        return jsonError(response, 'UnknownOperationException', `The fake does not serve ${operation}`);
    }
  }

  return { ...server, functions, stacks, logEvents, queries, denied, throttle, logPageSize, calls };
}

const AMZ_JSON = { 'content-type': 'application/x-amz-json-1.1' };

function restError(response: ServerResponse, status: number, code: string, message: string) {
  sendJson(response, status, { Type: 'User', message }, { 'x-amzn-errortype': code });
}

function jsonError(response: ServerResponse, code: string, message: string) {
  sendJson(response, 400, { __type: code, message }, { ...AMZ_JSON, 'x-amzn-errortype': code });
}

function queryError(response: ServerResponse, status: number, code: string, message: string) {
  response
    .writeHead(status, { 'content-type': 'text/xml' })
    .end(
      `<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${xml(message)}</Message></Error><RequestId>fake</RequestId></ErrorResponse>`,
    );
}

function sendXml(response: ServerResponse, action: string, result: string) {
  response
    .writeHead(200, { 'content-type': 'text/xml' })
    .end(
      `<${action}Response xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata></${action}Response>`,
    );
}

function xml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}
