// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are Terraform and CloudFormation interpolations, not JavaScript templates.
import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, test } from '@jest/globals';
import { evaluateCfn, NO_VALUE } from './support/cloudformation-evaluate';
import {
  asObject,
  type CfnObject,
  type CfnTemplate,
  type CfnValue,
  loadCloudFormationTemplate,
  templateReferences,
  unresolvedReferences,
  unusedConditions,
  unusedParameters,
} from './support/cloudformation-template';
import { INFRA_DIR } from './support/infra-paths';
import { hardCodedValues } from './support/terraform-module';

/* infra/cloudformation/lambda.yaml, parsed with every short-form intrinsic and checked like `validate-template` would. */

const TEMPLATE_PATH = `${INFRA_DIR}cloudformation/lambda.yaml`;
let template: CfnTemplate;
beforeAll(async () => {
  template = await loadCloudFormationTemplate(TEMPLATE_PATH);
});

function resource(name: string): CfnObject {
  const body = template.resources[name];
  if (!body) throw new Error(`no resource ${name}`);
  return body;
}

function properties(name: string): CfnObject {
  return asObject(resource(name).Properties);
}

/** Every IAM statement of the template, with `!If [cond, statement, NoValue]` unwrapped. */
function statements(document: CfnValue | undefined): CfnObject[] {
  const list = asObject(document).Statement;
  return (Array.isArray(list) ? list : [])
    .map((entry) => {
      const conditional = asObject(entry)['Fn::If'];
      return Array.isArray(conditional) ? asObject(conditional[1]) : asObject(entry);
    })
    .filter((statement) => Object.keys(statement).length > 0);
}

describe('cloudformation lambda.yaml: structure', () => {
  test('references only declared parameters, resources, pseudo parameters and conditions', () => {
    // Prepare / Act
    const references = templateReferences(template);

    // Assess
    expect(references.length).toBeGreaterThan(40);
    expect(unresolvedReferences(template)).toEqual([]);
  });

  test('uses every parameter and every condition it declares', () => {
    // Prepare / Act / Assess
    expect(unusedParameters(template)).toEqual([]);
    expect(unusedConditions(template)).toEqual([]);
  });

  test('describes and constrains its parameters', () => {
    // Prepare
    const parameters = Object.entries(template.parameters);

    // Act
    const undescribed = parameters.filter(([, p]) => typeof p.Description !== 'string').map(([name]) => name);
    const unconstrainedStrings = parameters
      .filter(([, p]) => p.Type === 'String' && !p.AllowedPattern && !p.AllowedValues)
      .map(([name]) => name);
    const unboundedNumbers = parameters
      .filter(([, p]) => p.Type === 'Number' && p.MinValue === undefined && !p.AllowedValues)
      .map(([name]) => name);

    // Assess
    expect(parameters.length).toBeGreaterThan(15);
    expect({ undescribed, unconstrainedStrings, unboundedNumbers }).toEqual({
      undescribed: [],
      unconstrainedStrings: [],
      unboundedNumbers: [],
    });
  });

  test('has described outputs for the function, role and bucket', () => {
    // Prepare / Act
    const outputs = Object.entries(template.outputs);

    // Assess
    expect(Object.keys(template.outputs)).toEqual(
      expect.arrayContaining(['FunctionArn', 'FunctionName', 'RoleArn', 'BucketName']),
    );
    for (const [name, output] of outputs)
      expect({ name, described: typeof output.Description, value: output.Value !== undefined }).toEqual({
        name,
        described: 'string',
        value: true,
      });
  });

  test('hard-codes no account IDs, regions or secrets', async () => {
    // Prepare
    const text = await readFile(TEMPLATE_PATH, 'utf8');

    // Act / Assess
    expect(hardCodedValues(text)).toEqual([]);
  });
});

describe('cloudformation lambda.yaml: function', () => {
  test('runs the image with a 900 s timeout and carries the storage and wrapper settings', () => {
    // Prepare
    const fn = properties('Function');

    // Act
    const variables = asObject(asObject(fn.Environment).Variables);

    // Assess
    expect(fn.PackageType).toBe('Image');
    // The image's region is always the stack's: `*` (how the remote upgrade writes it) and a named region alike.
    expect(JSON.stringify(asObject(fn.Code).ImageUri)).toContain('${AWS::Region}');
    expect(fn.Architectures).toEqual([{ Ref: 'Architecture' }]);
    expect(template.parameters.Timeout).toMatchObject({ Default: 900, MaxValue: 900 });
    expect(template.parameters.OperationTimeoutSeconds).toMatchObject({ Default: 870, MaxValue: 899 });
    expect(variables).toEqual({
      MCD_STORAGE: 'S3',
      MCD_STORAGE_BUCKET_NAME: { 'Fn::If': ['CreateBucket', { Ref: 'StorageBucket' }, { Ref: 'ExistingBucketName' }] },
      MCD_STORAGE_PREFIX: { Ref: 'StoragePrefix' },
      MCD_AGENT_WRAPPER_TYPE: 'CLOUDFORMATION',
      MCD_STACK_ID: { Ref: 'AWS::StackId' },
      MCD_OPERATION_TIMEOUT_SECONDS: { Ref: 'OperationTimeoutSeconds' },
      MCD_LOG_LEVEL: { Ref: 'LogLevel' },
      MCD_AGENT_IS_REMOTE_UPGRADABLE: { 'Fn::If': ['RemoteUpgrade', 'true', 'false'] },
      MCD_LOG_GROUP_ID: { 'Fn::If': ['PlatformLogs', { Ref: 'LogGroup' }, { Ref: 'AWS::NoValue' }] },
      MCD_CONFIG_SOURCE: { 'Fn::If': ['HasConfigSource', { Ref: 'ConfigSource' }, { Ref: 'AWS::NoValue' }] },
      MCD_CONFIG_SOURCE_OVERRIDES: {
        'Fn::If': ['HasConfigSource', { Ref: 'ConfigSourceOverrides' }, { Ref: 'AWS::NoValue' }],
      },
    });
  });

  test('joins the VPC only when subnets are given, and asserts security groups come with them', () => {
    // Prepare / Act
    const vpc = properties('Function').VpcConfig;

    // Assess
    expect(vpc).toEqual({
      'Fn::If': [
        'HasVpc',
        { SubnetIds: { Ref: 'SubnetIds' }, SecurityGroupIds: { Ref: 'SecurityGroupIds' } },
        { Ref: 'AWS::NoValue' },
      ],
    });
    expect(JSON.stringify(template.rules.VpcNeedsSecurityGroups)).toContain('SecurityGroupIds');
  });

  test('grants invoke to the control plane principal, with an AWS_IAM Function URL when enabled', () => {
    // Prepare / Act
    const invoke = resource('InvokePermission');
    const url = resource('FunctionUrl');

    // Assess
    expect(invoke).toMatchObject({
      Condition: 'HasInvoker',
      Properties: { Action: 'lambda:InvokeFunction', Principal: { Ref: 'InvokerPrincipal' } },
    });
    expect(url).toMatchObject({ Condition: 'CreateFunctionUrl', Properties: { AuthType: 'AWS_IAM' } });
    expect(resource('FunctionUrlPermission').Properties).toMatchObject({ FunctionUrlAuthType: 'AWS_IAM' });
  });

  test('does not retry async self-invocations', () => {
    // Prepare / Act / Assess
    expect(properties('AsyncInvokeConfig')).toMatchObject({ MaximumRetryAttempts: 0 });
  });
});

describe('cloudformation lambda.yaml: bucket and role', () => {
  test('creates a private, encrypted bucket whose responses and async records expire, unless one is given', () => {
    // Prepare
    const bucket = resource('StorageBucket');

    // Act
    const rules = asObject(asObject(bucket.Properties).LifecycleConfiguration).Rules;

    // Assess
    expect(bucket.Condition).toBe('CreateBucket');
    expect(template.conditions.CreateBucket).toEqual({ 'Fn::Equals': [{ Ref: 'ExistingBucketName' }, ''] });
    expect(asObject(bucket.Properties).PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(JSON.stringify(asObject(bucket.Properties).BucketEncryption)).toContain('AES256');
    expect(rules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Prefix: { 'Fn::If': ['HasStoragePrefix', { 'Fn::Sub': '${StoragePrefix}/responses/' }, 'responses/'] },
          ExpirationInDays: { Ref: 'ResponseRetentionDays' },
        }),
      ]),
    );
    expect(JSON.stringify(properties('StorageBucketPolicy'))).toContain('aws:SecureTransport');
  });

  test('grants no wildcard action or resource, and scopes objects to the prefix', () => {
    // Prepare
    const role = properties('ExecutionRole');
    const policies = Array.isArray(role.Policies) ? role.Policies : [];
    const all = [
      ...policies.flatMap((policy) => statements(asObject(policy).PolicyDocument)),
      ...statements(properties('SelfInvokePolicy').PolicyDocument),
    ];

    // Act
    const wildcards = all.filter((statement) =>
      [statement.Action, statement.Resource].flat().some((value) => value === '*' || /^\w+:\*$/.test(String(value))),
    );
    const objects = all.find((statement) => statement.Sid === 'AgentObjects');

    // Assess
    expect(all.map((statement) => statement.Sid)).toEqual([
      'WriteOwnLogs',
      'AgentObjects',
      'AgentBucket',
      'BucketEncryptionKey',
      'SelfHostedCredentialsSecrets',
      'SelfHostedCredentialsParameters',
      'SelfHostedCredentialsDecrypt',
      // One pair at most is present: the path's, the parameter's or the secret's (see "configuration source").
      'ConfigSourceRead',
      'ConfigSourceDecrypt',
      'ConfigSourceRead',
      'ConfigSourceDecrypt',
      'ConfigSourceRead',
      'ConfigSourceDecrypt',
      'AssumeListedRoles',
      'AsyncSelfInvoke',
    ]);
    expect(wildcards).toEqual([]);
    expect(JSON.stringify(objects?.Resource)).toContain('/${StoragePrefix}/*');
    // CloudFormation's log group Arn already ends in ":*"; appending another would match no stream.
    expect(all.find((statement) => statement.Sid === 'WriteOwnLogs')?.Resource).toEqual({
      'Fn::GetAtt': ['LogGroup', 'Arn'],
    });
  });

  test('may invoke itself for async operations', () => {
    // Prepare
    const [selfInvoke] = statements(properties('SelfInvokePolicy').PolicyDocument);

    // Act / Assess
    expect(selfInvoke).toMatchObject({
      Action: 'lambda:InvokeFunction',
      Resource: [{ 'Fn::GetAtt': ['Function', 'Arn'] }, { 'Fn::Sub': '${Function.Arn}:*' }],
    });
  });
});

describe('cloudformation lambda.yaml: remote operations', () => {
  test('are off by default, each behind its own parameter and condition', () => {
    // Prepare / Act
    const upgrade = resource('RemoteUpgradePolicy');
    const logs = resource('PlatformLogsPolicy');

    // Assess
    expect(template.parameters.EnableRemoteUpgrade).toMatchObject({
      Default: 'false',
      AllowedValues: ['true', 'false'],
    });
    expect(template.parameters.EnablePlatformLogs).toMatchObject({
      Default: 'false',
      AllowedValues: ['true', 'false'],
    });
    expect(upgrade.Condition).toBe('RemoteUpgrade');
    expect(logs.Condition).toBe('PlatformLogs');
    expect(template.conditions.RemoteUpgrade).toEqual({ 'Fn::Equals': [{ Ref: 'EnableRemoteUpgrade' }, 'true'] });
  });

  test('update this stack, this function and pull from the image repository only', () => {
    // Prepare
    const bySid = Object.fromEntries(
      statements(properties('RemoteUpgradePolicy').PolicyDocument).map((statement) => [statement.Sid, statement]),
    );

    // Act / Assess
    expect(bySid.ReadAndUpdateOwnStack?.Resource).toEqual({ Ref: 'AWS::StackId' });
    expect(bySid.UpdateOwnFunction?.Resource).toEqual({ 'Fn::GetAtt': ['Function', 'Arn'] });
    expect(bySid.UpdateOwnFunction?.Action).toEqual(
      expect.arrayContaining(['lambda:UpdateFunctionCode', 'lambda:UpdateFunctionConfiguration', 'lambda:GetFunction']),
    );
    expect(bySid.PassOwnRoleToLambda).toMatchObject({
      Resource: { 'Fn::GetAtt': ['ExecutionRole', 'Arn'] },
      Condition: { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } },
    });
    expect(JSON.stringify(bySid.PullImagesOfOwnRepository?.Resource)).toContain(':repository${ImageRepository}');
    for (const statement of Object.values(bySid) as CfnObject[])
      expect([statement.Action, statement.Resource].flat().filter((value) => value === '*')).toEqual([]);
  });

  test("read the function's own log group (query ids alone cannot be scoped)", () => {
    // Prepare
    const bySid = Object.fromEntries(
      statements(properties('PlatformLogsPolicy').PolicyDocument).map((statement) => [statement.Sid, statement]),
    );

    // Act / Assess
    expect(bySid.ReadOwnLogs).toMatchObject({
      Action: ['logs:FilterLogEvents', 'logs:StartQuery'],
      Resource: { 'Fn::GetAtt': ['LogGroup', 'Arn'] },
    });
    // StopQuery and GetQueryResults support no resource-level permission: "*" is the only resource AWS accepts.
    expect(bySid.ReadOwnQueryResults).toMatchObject({
      Action: ['logs:StopQuery', 'logs:GetQueryResults'],
      Resource: '*',
    });
  });
});

describe('cloudformation lambda.yaml: configuration source (MCD_CONFIG_SOURCE)', () => {
  /** The ConfigSource statements of the role as a deployment with `ConfigSource` would have them. */
  function deployed(source: string) {
    const { evaluate } = evaluateCfn(template, { ConfigSource: source, ConfigSourceOverrides: 'true' });
    const role = properties('ExecutionRole');
    const document = asObject(asObject((role.Policies as CfnValue[])[0]).PolicyDocument);
    const entries = (document.Statement as CfnValue[]).filter((entry) =>
      String(statements({ Statement: [entry] })[0]?.Sid).startsWith('ConfigSource'),
    );
    const variables = asObject(asObject(properties('Function').Environment).Variables);
    return {
      statements: entries.map((entry) => evaluate(entry)).filter((statement) => statement !== NO_VALUE),
      environment: {
        MCD_CONFIG_SOURCE: evaluate(variables.MCD_CONFIG_SOURCE ?? null),
        MCD_CONFIG_SOURCE_OVERRIDES: evaluate(variables.MCD_CONFIG_SOURCE_OVERRIDES ?? null),
      },
    };
  }
  const KEYS = 'arn:aws:kms:us-east-1:123456789012:key/*';

  test('is off by default: no variable, no permission', () => {
    // Act
    const { statements: granted, environment } = deployed('');

    // Assess
    expect(template.parameters.ConfigSource?.Default).toBe('');
    expect(granted).toEqual([]);
    expect(environment).toEqual({ MCD_CONFIG_SOURCE: NO_VALUE, MCD_CONFIG_SOURCE_OVERRIDES: NO_VALUE });
  });

  test('ssm:/<path>/ may list exactly that path, and decrypt through SSM for parameters under it only', () => {
    // Act
    const { statements: granted, environment } = deployed('ssm:/artemis/prod/');

    // Assess
    expect(environment).toEqual({ MCD_CONFIG_SOURCE: 'ssm:/artemis/prod/', MCD_CONFIG_SOURCE_OVERRIDES: 'true' });
    expect(granted).toEqual([
      {
        Sid: 'ConfigSourceRead',
        Effect: 'Allow',
        Action: 'ssm:GetParametersByPath',
        Resource: 'arn:aws:ssm:us-east-1:123456789012:parameter/artemis/prod',
      },
      {
        Sid: 'ConfigSourceDecrypt',
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: KEYS,
        Condition: {
          StringEquals: { 'kms:ViaService': 'ssm.us-east-1.amazonaws.com' },
          StringLike: {
            'kms:EncryptionContext:PARAMETER_ARN': 'arn:aws:ssm:us-east-1:123456789012:parameter/artemis/prod/*',
          },
        },
      },
    ]);
  });

  test('ssm:/<parameter> may read that one parameter, and decrypt it through SSM', () => {
    // Act
    const { statements: granted } = deployed('ssm:/artemis/config');

    // Assess
    const parameter = 'arn:aws:ssm:us-east-1:123456789012:parameter/artemis/config';
    expect(granted).toEqual([
      { Sid: 'ConfigSourceRead', Effect: 'Allow', Action: 'ssm:GetParameter', Resource: parameter },
      {
        Sid: 'ConfigSourceDecrypt',
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: KEYS,
        Condition: {
          StringEquals: {
            'kms:ViaService': 'ssm.us-east-1.amazonaws.com',
            'kms:EncryptionContext:PARAMETER_ARN': parameter,
          },
        },
      },
    ]);
  });

  test('secretsmanager:<name> may read that one secret, and decrypt it through Secrets Manager', () => {
    // Act
    const { statements: granted } = deployed('secretsmanager:artemis/config');

    // Assess
    const secret = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:artemis/config-??????';
    expect(granted).toEqual([
      { Sid: 'ConfigSourceRead', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: secret },
      {
        Sid: 'ConfigSourceDecrypt',
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: KEYS,
        Condition: {
          StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' },
          StringLike: { 'kms:EncryptionContext:SecretARN': secret },
        },
      },
    ]);
  });

  test.each([
    ['ssm:/artemis/prod/', true],
    ['ssm:/artemis/config', true],
    ['secretsmanager:artemis/config', true],
    ['', true],
    ['ssm:', false],
    ['ssm:/', false],
    ['vault:/artemis', false],
    ['secretsmanager:arn:aws:secretsmanager:us-east-1:123456789012:secret:x', false],
    ['gcp-secret:projects/p/secrets/s/versions/1', false],
  ])('ConfigSource %j is accepted: %s', (source, accepted) => {
    // Prepare
    const pattern = new RegExp(String(template.parameters.ConfigSource?.AllowedPattern));

    // Act / Assess
    expect(pattern.test(source)).toBe(accepted);
  });
});
