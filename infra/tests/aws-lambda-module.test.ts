// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are Terraform and CloudFormation interpolations, not JavaScript templates.
import { beforeAll, describe, expect, test } from '@jest/globals';
import { terraformModuleDir } from './support/infra-paths';
import {
  asObject,
  block,
  collectObjects,
  type HclObject,
  list,
  loadTerraformModule,
  type TerraformModule,
} from './support/terraform-module';

/* What the aws-lambda module deploys, read from its parsed HCL: the settings SPEC §7-§10 ask of a Lambda agent. */

let module: TerraformModule;
beforeAll(async () => {
  module = await loadTerraformModule(terraformModuleDir('aws-lambda'));
});

function resource(address: string): HclObject {
  const body = module.resources.get(address);
  if (!body) throw new Error(`no resource ${address}`);
  return body;
}

function policyStatements(name: string): HclObject[] {
  const document = module.dataSources.get(`aws_iam_policy_document.${name}`);
  return collectObjects(document ?? null, (node) => node.actions !== undefined);
}

describe('aws-lambda function', () => {
  test('runs the ECR image with the architecture, 900 s timeout and 870 s operation timeout by default', () => {
    // Prepare
    const fn = resource('aws_lambda_function.agent');

    // Act
    const defaults = {
      timeout: module.variables.get('timeout')?.default,
      operation: module.variables.get('operation_timeout_seconds')?.default,
      architecture: module.variables.get('architecture')?.default,
      imageUriRequired: module.variables.get('image_uri')?.default === undefined,
    };

    // Assess
    expect(fn.package_type).toBe('Image');
    expect(fn.image_uri).toBe('${var.image_uri}');
    expect(fn.architectures).toEqual(['${var.architecture}']);
    expect(fn.timeout).toBe('${var.timeout}');
    expect(defaults).toEqual({ timeout: 900, operation: 870, architecture: 'x86_64', imageUriRequired: true });
    // The agent must answer its own Timeout envelope before Lambda kills the invocation.
    expect(JSON.stringify(fn.lifecycle)).toContain('var.operation_timeout_seconds < var.timeout');
  });

  test('sets S3 storage, the bucket, the wrapper type and the operation timeout, and lets them win over extras', () => {
    // Prepare
    const fn = resource('aws_lambda_function.agent');

    // Act
    const managed = asObject(module.locals.get('managed_environment'));

    // Assess
    expect(block(fn, 'environment').variables).toBe('${local.environment}');
    // Later maps win: the configuration source's two variables last, none of them settable through the extras.
    expect(String(module.locals.get('environment')).replace(/\s+/g, '')).toBe(
      '${merge(var.environment_variables,local.managed_environment,local.platform_logs_environment,local.config_source_environment,)}',
    );
    expect(managed).toEqual({
      MCD_STORAGE: 'S3',
      MCD_STORAGE_BUCKET_NAME: '${local.bucket_name}',
      MCD_STORAGE_PREFIX: '${var.storage_prefix}',
      MCD_AGENT_WRAPPER_TYPE: 'TERRAFORM',
      MCD_OPERATION_TIMEOUT_SECONDS: '${tostring(var.operation_timeout_seconds)}',
      MCD_LOG_LEVEL: '${var.log_level}',
      MCD_AGENT_IS_REMOTE_UPGRADABLE: '${tostring(var.enable_remote_upgrade)}',
    });
  });

  test('joins the VPC only when subnets are given', () => {
    // Prepare
    const fn = resource('aws_lambda_function.agent');

    // Act
    const vpc = asObject(list(asObject(fn.dynamic).vpc_config)[0]);

    // Assess
    expect(vpc.for_each).toBe('${local.uses_vpc ? [1] : []}');
    expect(block(vpc, 'content')).toEqual({
      subnet_ids: '${var.subnet_ids}',
      security_group_ids: '${var.security_group_ids}',
    });
    expect(module.locals.get('uses_vpc')).toBe('${length(var.subnet_ids) > 0}');
  });

  test('grants invoke to the control plane principals only, and the Function URL uses AWS_IAM auth', () => {
    // Prepare
    const invoke = resource('aws_lambda_permission.invoke');
    const url = resource('aws_lambda_function_url.agent');
    const urlInvoke = resource('aws_lambda_permission.invoke_url');

    // Act / Assess
    expect(invoke).toMatchObject({ action: 'lambda:InvokeFunction', principal: '${each.value}' });
    expect(invoke.for_each).toBe('${local.invokers}');
    expect(url).toMatchObject({ count: '${var.enable_function_url ? 1 : 0}', authorization_type: 'AWS_IAM' });
    expect(urlInvoke).toMatchObject({ action: 'lambda:InvokeFunctionUrl', function_url_auth_type: 'AWS_IAM' });
    expect(module.variables.get('enable_function_url')?.default).toBe(false);
  });

  test('does not retry async self-invocations', () => {
    // Prepare / Act
    const config = resource('aws_lambda_function_event_invoke_config.agent');

    // Assess
    expect(config.maximum_retry_attempts).toBe(0);
  });
});

describe('aws-lambda storage bucket', () => {
  test('is private: public access blocked, ACLs disabled, TLS-only policy', () => {
    // Prepare / Act
    const block = resource('aws_s3_bucket_public_access_block.storage');
    const ownership = resource('aws_s3_bucket_ownership_controls.storage');
    const policy = JSON.stringify(module.dataSources.get('aws_iam_policy_document.bucket'));

    // Assess
    expect(block).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(JSON.stringify(ownership)).toContain('BucketOwnerEnforced');
    expect(policy).toContain('"effect":"Deny"');
    expect(policy).toContain('aws:SecureTransport');
  });

  test('is encrypted with SSE-S3, or SSE-KMS with the given key', () => {
    // Prepare
    const sse = resource('aws_s3_bucket_server_side_encryption_configuration.storage');

    // Act
    const byDefault = block(block(sse, 'rule'), 'apply_server_side_encryption_by_default');

    // Assess
    expect(byDefault.sse_algorithm).toBe('${var.bucket_kms_key_arn == null ? "AES256" : "aws:kms"}');
    expect(byDefault.kms_master_key_id).toBe('${var.bucket_kms_key_arn}');
  });

  test('expires offloaded responses and async records under the storage prefix', () => {
    // Prepare
    const lifecycle = resource('aws_s3_bucket_lifecycle_configuration.storage');

    // Act
    const rules = list(lifecycle.rule).map((rule) => ({
      prefix: block(asObject(rule), 'filter').prefix,
      days: asObject(list(asObject(rule).expiration)[0]).days,
    }));

    // Assess
    expect(rules).toEqual(
      expect.arrayContaining([
        { prefix: '${local.key_prefix}responses/', days: '${var.response_retention_days}' },
        { prefix: '${local.key_prefix}async/', days: '${var.async_retention_days}' },
      ]),
    );
    expect(module.locals.get('key_prefix')).toBe('${var.storage_prefix == "" ? "" : "${var.storage_prefix}/"}');
    expect(module.variables.get('storage_prefix')?.default).toBe('mcd');
  });

  test('can be an existing bucket instead', () => {
    // Prepare / Act
    const bucket = resource('aws_s3_bucket.storage');

    // Assess
    expect(bucket.count).toBe('${var.create_bucket ? 1 : 0}');
    expect(module.locals.get('bucket_name')).toBe(
      '${var.create_bucket ? one(aws_s3_bucket.storage[*].id) : (var.bucket_name != null ? var.bucket_name : "")}',
    );
  });
});

describe('aws-lambda execution role', () => {
  test('grants no wildcard action and no wildcard resource', () => {
    // Prepare
    const statements = [...policyStatements('agent'), ...policyStatements('self_invoke')];

    // Act
    const wildcards = statements.filter(
      (statement) =>
        list(statement.actions).some((action) => String(action).includes('*')) ||
        list(statement.resources).some((resource) => resource === '*'),
    );

    // Assess
    expect(statements.length).toBeGreaterThanOrEqual(7);
    expect(wildcards).toEqual([]);
  });

  test('writes only its own log group and reaches objects only under the storage prefix', () => {
    // Prepare
    const bySid = Object.fromEntries(policyStatements('agent').map((statement) => [statement.sid, statement]));

    // Act / Assess
    expect(bySid.WriteOwnLogs?.resources).toEqual(['${aws_cloudwatch_log_group.agent.arn}:*']);
    expect(bySid.AgentObjects?.resources).toEqual(['${local.bucket_arn}/${local.key_prefix}*']);
    expect(bySid.AgentBucket?.resources).toEqual(['${local.bucket_arn}']);
    expect(list(bySid.AgentBucket?.actions)).not.toContain('s3:PutBucketPolicy');
  });

  test('reads credential stores and assumes roles only when ARNs are given, scoped to those ARNs', () => {
    // Prepare
    const dynamicStatements = list(
      asObject(module.dataSources.get('aws_iam_policy_document.agent')?.dynamic).statement,
    );

    // Act
    const scoped = dynamicStatements.map((statement) => {
      const body = asObject(statement);
      const content = block(body, 'content');
      return { sid: content.sid, actions: content.actions, for_each: body.for_each };
    });

    // Assess
    expect(scoped).toEqual(
      expect.arrayContaining([
        {
          sid: 'SelfHostedCredentialsSecrets',
          actions: ['secretsmanager:GetSecretValue'],
          for_each: '${length(var.secrets_manager_secret_arns) > 0 ? [var.secrets_manager_secret_arns] : []}',
        },
        {
          sid: 'SelfHostedCredentialsParameters',
          actions: ['ssm:GetParameter'],
          for_each: '${length(var.ssm_parameter_arns) > 0 ? [var.ssm_parameter_arns] : []}',
        },
        {
          sid: 'SelfHostedCredentialsDecrypt',
          actions: ['kms:Decrypt'],
          for_each: '${length(var.kms_key_arns) > 0 ? [var.kms_key_arns] : []}',
        },
        {
          sid: 'AssumeListedRoles',
          actions: ['sts:AssumeRole'],
          for_each: '${length(var.assumable_role_arns) > 0 ? [var.assumable_role_arns] : []}',
        },
      ]),
    );
  });

  test('reads the configuration source only when config_source is set: that path, parameter or secret', () => {
    // Prepare
    const dynamicStatements = list(
      asObject(module.dataSources.get('aws_iam_policy_document.agent')?.dynamic).statement,
    ).map(asObject);

    // Act
    const bySid = Object.fromEntries(
      dynamicStatements.map((statement) => [block(statement, 'content').sid, statement] as const),
    );
    const read = bySid.ConfigSourceRead;
    const decrypt = bySid.ConfigSourceDecrypt;
    const chosen = String(module.locals.get('config_source_read')).replace(/\s+/g, ' ');

    // Assess
    expect(module.variables.get('config_source')?.default).toBeNull();
    expect(module.variables.get('config_source_overrides')?.default).toBe(false);
    expect(read?.for_each).toBe('${local.config_source_read == null ? [] : [local.config_source_read]}');
    expect(block(read, 'content')).toMatchObject({
      actions: ['${statement.value.action}'],
      resources: ['${statement.value.resource}'],
    });
    expect(decrypt?.for_each).toBe(read?.for_each);
    const decryptContent = block(decrypt, 'content');
    expect(decryptContent.actions).toEqual(['kms:Decrypt']);
    expect(JSON.stringify(decryptContent.condition)).toContain('kms:ViaService');
    expect(JSON.stringify(decryptContent.condition)).toContain('${statement.value.context}');
    // The one action per store, on the one resource: the path itself, the parameter, the secret.
    expect(chosen).toContain('"ssm:GetParametersByPath" : "ssm:GetParameter"');
    expect(chosen).toContain('action = "secretsmanager:GetSecretValue"');
    expect(chosen).toContain('"kms:EncryptionContext:PARAMETER_ARN"');
    expect(chosen).toContain('"kms:EncryptionContext:SecretARN"');
    expect(String(module.locals.get('config_source_parameter_arn'))).toContain(
      ':parameter${trimsuffix(local.config_source_ssm, "/")}',
    );
    expect(String(module.locals.get('config_source_secret_arn'))).toContain(
      ':secret:${local.config_source_secret}-??????',
    );
  });

  test('may invoke itself (async dispatch) and nothing else', () => {
    // Prepare / Act
    const [selfInvoke, ...others] = policyStatements('self_invoke');

    // Assess
    expect(others).toEqual([]);
    expect(selfInvoke).toMatchObject({
      actions: ['lambda:InvokeFunction'],
      resources: ['${aws_lambda_function.agent.arn}', '${aws_lambda_function.agent.arn}:*'],
    });
    expect(resource('aws_iam_role_policy.self_invoke').role).toBe('${aws_iam_role.agent.id}');
  });

  test('is assumable by the Lambda service only', () => {
    // Prepare / Act
    const trust = JSON.stringify(module.dataSources.get('aws_iam_policy_document.assume_role'));

    // Assess
    expect(trust).toContain('"identifiers":["lambda.amazonaws.com"]');
    expect(trust).toContain('sts:AssumeRole');
  });
});

describe('aws-lambda remote operations', () => {
  test('are off by default, each behind its variable', () => {
    // Prepare / Act
    const flags = {
      upgrade: module.variables.get('enable_remote_upgrade')?.default,
      logs: module.variables.get('enable_platform_logs')?.default,
    };

    // Assess
    expect(flags).toEqual({ upgrade: false, logs: false });
    expect(resource('aws_iam_role_policy.remote_upgrade').count).toBe('${var.enable_remote_upgrade ? 1 : 0}');
    expect(resource('aws_iam_role_policy.platform_logs').count).toBe('${var.enable_platform_logs ? 1 : 0}');
    expect(module.locals.get('platform_logs_environment')).toBe(
      '${var.enable_platform_logs ? { MCD_LOG_GROUP_ID = aws_cloudwatch_log_group.agent.name } : {}}',
    );
  });

  test('update this function and pull from the repository of image_uri only', () => {
    // Prepare
    const bySid = Object.fromEntries(policyStatements('remote_upgrade').map((statement) => [statement.sid, statement]));

    // Act / Assess
    expect(bySid.UpdateOwnFunction).toMatchObject({
      actions: [
        'lambda:GetFunction',
        'lambda:UpdateFunctionCode',
        'lambda:UpdateFunctionConfiguration',
        'lambda:PutFunctionConcurrency',
      ],
      resources: ['${aws_lambda_function.agent.arn}'],
    });
    expect(bySid.PullImagesOfOwnRepository?.resources).toEqual(['${local.repository_arn}']);
    expect(String(module.locals.get('repository_arn'))).toContain(':repository/${local.image_parts[2]}');
  });

  test("read the function's own log group (query ids alone cannot be scoped)", () => {
    // Prepare
    const bySid = Object.fromEntries(policyStatements('platform_logs').map((statement) => [statement.sid, statement]));

    // Act / Assess
    expect(bySid.ReadOwnLogs?.resources).toEqual([
      '${aws_cloudwatch_log_group.agent.arn}',
      '${aws_cloudwatch_log_group.agent.arn}:*',
    ]);
    // StopQuery and GetQueryResults support no resource-level permission: "*" is the only resource AWS accepts.
    expect(bySid.ReadOwnQueryResults).toMatchObject({
      actions: ['logs:StopQuery', 'logs:GetQueryResults'],
      resources: ['*'],
    });
  });
});

describe('aws-lambda destinations API (webhook destinations, issue 15)', () => {
  test('is off by default, and every one of its resources exists only when enabled', () => {
    // Prepare
    const addresses = [...module.resources.keys()].filter(
      (address) => address.startsWith('aws_api_gateway_') || address === 'aws_lambda_permission.destinations_api',
    );

    // Act
    const counts = addresses.map((address) => resource(address).count);

    // Assess
    expect(module.variables.get('enable_destinations_api')?.default).toBe(false);
    expect(addresses.length).toBeGreaterThanOrEqual(12);
    expect(new Set(counts)).toEqual(new Set(['${var.enable_destinations_api ? 1 : 0}']));
  });

  test('takes POST /api/v1/destinations/{destination} with an API key, proxied to the function', () => {
    // Prepare / Act
    const path = ['api', 'api_v1', 'destinations', 'destination'].map(
      (name) => resource(`aws_api_gateway_resource.${name}`).path_part,
    );
    const method = resource('aws_api_gateway_method.deliver');
    const integration = resource('aws_api_gateway_integration.deliver');

    // Assess
    expect(path).toEqual(['api', 'v1', 'destinations', '{destination}']);
    expect(method).toMatchObject({ http_method: 'POST', api_key_required: true });
    expect(integration).toMatchObject({ type: 'AWS_PROXY', uri: '${aws_lambda_function.agent.invoke_arn}' });
    expect(resource('aws_api_gateway_usage_plan_key.destinations').key_type).toBe('API_KEY');
  });

  test('lets API Gateway invoke the function for that route only, and keeps the key a sensitive output', () => {
    // Prepare / Act
    const permission = resource('aws_lambda_permission.destinations_api');

    // Assess
    expect(permission.principal).toBe('apigateway.amazonaws.com');
    expect(permission.source_arn).toBe(
      '${aws_api_gateway_rest_api.destinations[0].execution_arn}/${aws_api_gateway_stage.destinations[0].stage_name}/POST/api/v1/destinations/*',
    );
    expect(module.outputs.get('destinations_api_key')?.sensitive).toBe(true);
  });
});
