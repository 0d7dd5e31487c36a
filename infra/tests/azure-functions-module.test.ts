// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are Terraform and CloudFormation interpolations, not JavaScript templates.
import { beforeAll, describe, expect, test } from '@jest/globals';
import { terraformModuleDir } from './support/infra-paths';
import { asObject, block, type HclObject, loadTerraformModule, type TerraformModule } from './support/terraform-module';

/* What the azure-functions module deploys, read from its parsed HCL. */

let module: TerraformModule;
beforeAll(async () => {
  module = await loadTerraformModule(terraformModuleDir('azure-functions'));
});

function resource(address: string): HclObject {
  const body = module.resources.get(address);
  if (!body) throw new Error(`no resource ${address}`);
  return body;
}

describe('azure-functions app', () => {
  test('runs a Linux Function App from a container image or a zip package, HTTPS only', () => {
    // Prepare
    const app = resource('azurerm_linux_function_app.agent');

    // Act
    const stack = block(block(app, 'site_config'), 'application_stack');

    // Assess
    expect(app).toMatchObject({
      https_only: true,
      functions_extension_version: '~4',
      zip_deploy_file: '${var.zip_package_path}',
      app_settings: '${local.app_settings}',
    });
    expect(stack.node_version).toBe('${var.container_image == null ? "22" : null}');
    expect(asObject(stack.dynamic).docker).toBeDefined();
    expect(JSON.stringify(app.lifecycle)).toContain('(var.container_image == null) != (var.zip_package_path == null)');
  });

  test('sets AZURE_BLOB storage with the account and container, the async queue, and lets them win', () => {
    // Prepare / Act
    const settings = asObject(module.locals.get('storage_settings'));

    // Assess
    expect(module.locals.get('app_settings')).toBe(
      '${merge(var.app_settings, local.storage_settings, local.identity_settings, local.deployment_settings, local.platform_logs_settings, local.config_source_settings)}',
    );
    expect(settings).toMatchObject({
      MCD_STORAGE: 'AZURE_BLOB',
      MCD_STORAGE_ACCOUNT_NAME: '${azurerm_storage_account.agent.name}',
      MCD_STORAGE_BUCKET_NAME: '${azurerm_storage_container.agent.name}',
      MCD_AGENT_WRAPPER_TYPE: 'TERRAFORM',
      MCD_ASYNC_QUEUE_NAME: '${azurerm_storage_queue.async.name}',
      MCD_AGENT_IS_REMOTE_UPGRADABLE: '${tostring(var.enable_remote_upgrade)}',
    });
  });

  test('sends telemetry to Application Insights', () => {
    // Prepare
    const siteConfig = block(resource('azurerm_linux_function_app.agent'), 'site_config');

    // Act / Assess
    expect(siteConfig.application_insights_connection_string).toBe(
      '${azurerm_application_insights.agent.connection_string}',
    );
    expect(resource('azurerm_application_insights.agent').workspace_id).toBe('${local.log_workspace_id}');
  });
});

describe('azure-functions identity', () => {
  test('holds data roles at the container and queue scope, delegation at the account, secrets per vault', () => {
    // Prepare
    const assignments = [...module.resources]
      .filter(([address]) => address.startsWith('azurerm_role_assignment.'))
      .map(([address, body]) => ({ address, role: body.role_definition_name, scope: body.scope }))
      .sort((a, b) => a.address.localeCompare(b.address));

    // Act / Assess
    expect(assignments).toEqual([
      {
        address: 'azurerm_role_assignment.blob_data',
        role: 'Storage Blob Data Contributor',
        scope: '${local.container_scope}',
      },
      {
        address: 'azurerm_role_assignment.blob_delegator',
        role: 'Storage Blob Delegator',
        scope: '${azurerm_storage_account.agent.id}',
      },
      // MCD_CONFIG_SOURCE: the one secret (config-source-templates.test.ts computes the scope).
      {
        address: 'azurerm_role_assignment.config_source',
        role: 'Key Vault Secrets User',
        scope: '${local.config_source_scope}',
      },
      { address: 'azurerm_role_assignment.key_vault_secrets', role: 'Key Vault Secrets User', scope: '${each.value}' },
      {
        address: 'azurerm_role_assignment.log_reader',
        role: 'Monitoring Reader',
        scope: '${azurerm_application_insights.agent.id}',
      },
      {
        address: 'azurerm_role_assignment.poison_queue_data',
        role: 'Storage Queue Data Contributor',
        scope:
          '${azurerm_storage_account.agent.id}/queueServices/default/queues/${azurerm_storage_queue.async_poison.name}',
      },
      {
        address: 'azurerm_role_assignment.queue_data',
        role: 'Storage Queue Data Contributor',
        scope: '${local.queue_scope}',
      },
      {
        address: 'azurerm_role_assignment.site_updater',
        role: undefined,
        scope: '${azurerm_linux_function_app.agent.id}',
      },
    ]);
    expect(module.locals.get('container_scope')).toBe(
      '${azurerm_storage_account.agent.id}/blobServices/default/containers/${azurerm_storage_container.agent.name}',
    );
    expect(module.locals.get('queue_scope')).toBe(
      '${azurerm_storage_account.agent.id}/queueServices/default/queues/${azurerm_storage_queue.async.name}',
    );
  });

  test('is user-assigned by default and named to the SDKs and the queue trigger', () => {
    // Prepare / Act
    const identity = block(resource('azurerm_linux_function_app.agent'), 'identity');

    // Assess
    expect(module.variables.get('identity_type')?.default).toBe('UserAssigned');
    expect(identity.type).toBe('${var.identity_type}');
    expect(module.sources.get('main.tf')).toMatch(/AZURE_CLIENT_ID\s+= local\.user_identity_client/);
  });
});

describe('azure-functions storage', () => {
  test('keeps the agent container private and expires responses and async records', () => {
    // Prepare
    const policy = resource('azurerm_storage_management_policy.agent');

    // Act
    const prefixes = JSON.stringify(policy.rule);

    // Assess
    expect(resource('azurerm_storage_container.agent').container_access_type).toBe('private');
    expect(resource('azurerm_storage_account.agent')).toMatchObject({
      allow_nested_items_to_be_public: false,
      https_traffic_only_enabled: true,
      min_tls_version: 'TLS1_2',
    });
    expect(prefixes).toContain('${azurerm_storage_container.agent.name}/${local.key_prefix}responses/');
    expect(prefixes).toContain('${azurerm_storage_container.agent.name}/${local.key_prefix}async/');
  });

  test('keeps the Functions host storage (and its key) apart from the agent data', () => {
    // Prepare / Act
    const app = resource('azurerm_linux_function_app.agent');

    // Assess
    expect(app.storage_account_name).toBe('${azurerm_storage_account.runtime.name}');
    expect(module.sources.get('main.tf')).not.toMatch(
      /azurerm_storage_account\.agent\.primary_(access_key|connection)/,
    );
  });
});

describe('azure-functions review fixes and remote operations', () => {
  test("answers before Azure's 230 s HTTP limit by default", () => {
    // Act / Assess
    expect(module.variables.get('operation_timeout_seconds')?.default).toBe(210);
  });

  test('keeps the agent data account keyless and creates its container and queue through ARM', () => {
    // Prepare / Act
    const account = resource('azurerm_storage_account.agent');

    // Assess
    expect(account).toMatchObject({ shared_access_key_enabled: false, default_to_oauth_authentication: true });
    expect(resource('azurerm_storage_container.agent')).toMatchObject({
      storage_account_id: '${azurerm_storage_account.agent.id}',
    });
    expect(resource('azurerm_storage_queue.async')).toMatchObject({
      storage_account_id: '${azurerm_storage_account.agent.id}',
    });
    expect(resource('azurerm_storage_container.agent')).not.toHaveProperty('storage_account_name');
  });

  test('may update its own site only, with a custom role of four actions, off by default', () => {
    // Prepare
    const role = resource('azurerm_role_definition.site_updater');

    // Act
    const permissions = block(role, 'permissions');

    // Assess
    expect(module.variables.get('enable_remote_upgrade')?.default).toBe(false);
    expect(module.variables.get('enable_platform_logs')?.default).toBe(false);
    expect(role.count).toBe('${var.enable_remote_upgrade ? 1 : 0}');
    expect(permissions.actions).toEqual([
      'Microsoft.Web/sites/read',
      'Microsoft.Web/sites/config/read',
      'Microsoft.Web/sites/config/write',
      'Microsoft.Web/sites/config/list/action',
    ]);
    expect(role.assignable_scopes).toEqual(['${azurerm_linux_function_app.agent.id}']);
    expect(module.locals.get('platform_logs_settings')).toBe(
      '${var.enable_platform_logs ? { APPINSIGHTS_RESOURCE_ID = azurerm_application_insights.agent.id } : {}}',
    );
  });
});
