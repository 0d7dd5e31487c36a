// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are Terraform and CloudFormation interpolations, not JavaScript templates.
import { beforeAll, describe, expect, test } from '@jest/globals';
import { terraformModuleDir } from './support/infra-paths';
import {
  asObject,
  block,
  type HclObject,
  list,
  loadTerraformModule,
  type TerraformModule,
} from './support/terraform-module';

/* What the gcp-cloudrun module deploys, read from its parsed HCL. */

let module: TerraformModule;
beforeAll(async () => {
  module = await loadTerraformModule(terraformModuleDir('gcp-cloudrun'));
});

function resource(address: string): HclObject {
  const body = module.resources.get(address);
  if (!body) throw new Error(`no resource ${address}`);
  return body;
}

describe('gcp-cloudrun service', () => {
  test('runs the image as its own service account with a 900 s timeout and a concurrency setting', () => {
    // Prepare
    const service = resource('google_cloud_run_v2_service.agent');

    // Act
    const template = block(service, 'template');
    const container = block(template, 'containers');

    // Assess
    expect(container.image).toBe('${var.image}');
    expect(template).toMatchObject({
      service_account: '${google_service_account.agent.email}',
      timeout: '${var.timeout_seconds}s',
      max_instance_request_concurrency: '${var.concurrency}',
    });
    expect(module.variables.get('timeout_seconds')?.default).toBe(900);
    expect(module.variables.get('operation_timeout_seconds')?.default).toBe(870);
    expect(JSON.stringify(service.lifecycle)).toContain('var.operation_timeout_seconds < var.timeout_seconds');
  });

  test('allocates CPU only during requests by default (request billing); cpu_always_allocated is the switch', () => {
    // Prepare
    const container = block(block(resource('google_cloud_run_v2_service.agent'), 'template'), 'containers');

    // Act
    const resources = block(container, 'resources');

    // Assess
    expect(resources.cpu_idle).toBe('${!var.cpu_always_allocated}');
    expect(module.variables.get('cpu_always_allocated')?.default).toBe(false);
    expect(module.variables.get('cpu_always_allocated')?.description).toContain('async');
  });

  test('passes GCS storage, the bucket and the listen host in the environment', () => {
    // Prepare
    const container = block(block(resource('google_cloud_run_v2_service.agent'), 'template'), 'containers');

    // Act
    const env = asObject(list(asObject(container.dynamic).env)[0]);

    // Assess
    expect(env.for_each).toBe('${local.environment}');
    expect(module.locals.get('environment')).toBe(
      '${merge(var.environment_variables, local.managed_environment, local.config_source_environment)}',
    );
    expect(module.locals.get('managed_environment')).toMatchObject({
      MCD_STORAGE: 'GCS',
      MCD_STORAGE_BUCKET_NAME: '${local.bucket_name}',
      MCD_AGENT_WRAPPER_TYPE: 'TERRAFORM',
      MCD_OPERATION_TIMEOUT_SECONDS: '${tostring(var.operation_timeout_seconds)}',
      MCD_LISTEN_HOST: '0.0.0.0',
      GOOGLE_CLOUD_PROJECT: '${var.project_id}',
      MCD_AGENT_IMAGE_TAG: '${var.image}',
      MCD_AGENT_IS_REMOTE_UPGRADABLE: '${tostring(var.enable_remote_upgrade)}',
    });
  });

  test('offers a VPC connector or direct VPC egress', () => {
    // Prepare
    const template = block(resource('google_cloud_run_v2_service.agent'), 'template');

    // Act
    const vpc = asObject(list(asObject(template.dynamic).vpc_access)[0]);

    // Assess
    expect(vpc.for_each).toBe('${var.vpc_connector != null || var.vpc_network != null ? [1] : []}');
    expect(block(vpc, 'content')).toMatchObject({ connector: '${var.vpc_connector}', egress: '${var.vpc_egress}' });
  });
});

describe('gcp-cloudrun access', () => {
  test('lets only the control plane service accounts invoke', () => {
    // Prepare
    const invoker = resource('google_cloud_run_v2_service_iam_member.invoker');

    // Act
    // Parsed values only: a comment saying why there is no allUsers binding is fine.
    const everything = JSON.stringify([...module.parsed.values()]);

    // Assess
    expect(invoker).toMatchObject({ role: 'roles/run.invoker', member: 'serviceAccount:${each.value}' });
    expect(invoker.for_each).toBe('${toset(var.invoker_service_account_emails)}');
    expect(everything).not.toMatch(/allUsers|allAuthenticatedUsers/);
  });

  test('grants the agent roles on its bucket, its own account and the listed secrets only, project-wide only for the opt-in remote operations', () => {
    // Prepare
    const iamResources = [...module.resources.keys()].filter((address) =>
      /_iam_(member|binding|policy)\./.test(address),
    );

    // Act
    const secret = resource('google_secret_manager_secret_iam_member.credentials');

    // Assess
    expect(iamResources.sort()).toEqual([
      'google_cloud_run_v2_service_iam_member.invoker',
      'google_cloud_run_v2_service_iam_member.self_update',
      'google_project_iam_member.log_reader',
      'google_project_iam_member.operation_reader',
      'google_secret_manager_secret_iam_member.config_source',
      'google_secret_manager_secret_iam_member.credentials',
      'google_service_account_iam_member.act_as_self',
      'google_service_account_iam_member.sign_own_urls',
      'google_storage_bucket_iam_member.agent_bucket_metadata',
      'google_storage_bucket_iam_member.agent_objects',
    ]);
    expect(resource('google_storage_bucket_iam_member.agent_objects')).toMatchObject({
      bucket: '${local.bucket_name}',
      role: 'roles/storage.objectUser',
    });
    // The project-wide members exist only with their switch, and grant single-permission custom roles.
    for (const address of ['google_project_iam_member.log_reader', 'google_project_iam_member.operation_reader'])
      expect(String(resource(address).count)).toMatch(/^\$\{var\.enable_(platform_logs|remote_upgrade) \? 1 : 0\}$/);
    expect(resource('google_project_iam_custom_role.operation_reader').permissions).toEqual(['run.operations.get']);
    expect(resource('google_project_iam_custom_role.log_reader').permissions).toEqual(['logging.logEntries.list']);
    expect(secret).toMatchObject({ role: 'roles/secretmanager.secretAccessor', secret_id: '${each.value}' });
    expect(secret.for_each).toBe('${toset(var.secret_ids)}');
    // MCD_CONFIG_SOURCE: the one secret its version names (config-source-templates.test.ts computes it), before start.
    expect(resource('google_secret_manager_secret_iam_member.config_source')).toMatchObject({
      count: '${local.config_source_secret == null ? 0 : 1}',
      role: 'roles/secretmanager.secretAccessor',
      secret_id: '${local.config_source_secret}',
    });
    expect(JSON.stringify(resource('google_cloud_run_v2_service.agent').depends_on)).toContain(
      'google_secret_manager_secret_iam_member.config_source',
    );
    expect(resource('google_service_account_iam_member.sign_own_urls').service_account_id).toBe(
      '${google_service_account.agent.name}',
    );
    expect(resource('google_project_iam_custom_role.bucket_metadata_reader').permissions).toEqual([
      'storage.buckets.get',
      'storage.buckets.getIamPolicy',
    ]);
  });
});

describe('gcp-cloudrun bucket', () => {
  test('has uniform access, enforced public access prevention and lifecycle rules under the prefix', () => {
    // Prepare
    const bucket = resource('google_storage_bucket.storage');

    // Act
    const rules = list(bucket.lifecycle_rule).map((rule) => ({
      prefixes: block(asObject(rule), 'condition').matches_prefix,
      action: block(asObject(rule), 'action').type,
    }));

    // Assess
    expect(bucket).toMatchObject({ uniform_bucket_level_access: true, public_access_prevention: 'enforced' });
    expect(bucket.count).toBe('${var.create_bucket ? 1 : 0}');
    expect(rules).toEqual([
      { prefixes: ['${local.key_prefix}responses/'], action: 'Delete' },
      { prefixes: ['${local.key_prefix}async/'], action: 'Delete' },
    ]);
  });
});

describe('gcp-cloudrun scoping and remote operations', () => {
  test('scopes object access to the storage prefix with an IAM condition on names and listings', () => {
    // Prepare
    const member = resource('google_storage_bucket_iam_member.agent_objects');

    // Act
    const condition = asObject(list(asObject(member.dynamic).condition)[0]);
    const content = block(condition, 'content');

    // Assess
    expect(condition.for_each).toBe('${local.key_prefix == "" ? [] : [local.key_prefix]}');
    expect(content.expression).toContain(
      'resource.name.startsWith("projects/_/buckets/${local.bucket_name}/objects/${condition.value}")',
    );
    expect(content.expression).toContain('storage.googleapis.com/objectListPrefix');
  });

  test('lets the agent update its own service only, off by default', () => {
    // Prepare
    const selfUpdate = resource('google_cloud_run_v2_service_iam_member.self_update');

    // Act / Assess
    expect(module.variables.get('enable_remote_upgrade')?.default).toBe(false);
    expect(module.variables.get('enable_platform_logs')?.default).toBe(false);
    expect(selfUpdate).toMatchObject({
      name: '${google_cloud_run_v2_service.agent.name}',
      role: '${google_project_iam_custom_role.service_updater[0].id}',
      member: '${local.agent_member}',
    });
    expect(resource('google_project_iam_custom_role.service_updater').permissions).toEqual([
      'run.services.get',
      'run.services.update',
    ]);
    expect(resource('google_service_account_iam_member.act_as_self').service_account_id).toBe(
      '${google_service_account.agent.name}',
    );
  });
});
