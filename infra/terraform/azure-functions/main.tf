resource "random_string" "storage_suffix" {
  # Storage account names are global; the suffix keeps two deployments of the same `name` apart.
  length  = 6
  upper   = false
  special = false
}

locals {
  compact_name          = replace(var.name, "-", "")
  storage_account_name  = var.storage_account_name != null ? var.storage_account_name : "${substr(local.compact_name, 0, 16)}${random_string.storage_suffix.result}"
  runtime_account_name  = "${substr(local.compact_name, 0, 14)}fn${random_string.storage_suffix.result}"
  key_prefix            = var.storage_prefix == "" ? "" : "${var.storage_prefix}/"
  user_assigned         = var.identity_type == "UserAssigned"
  user_identity_id      = one(azurerm_user_assigned_identity.agent[*].id)
  user_identity_client  = one(azurerm_user_assigned_identity.agent[*].client_id)
  agent_principal_id    = local.user_assigned ? one(azurerm_user_assigned_identity.agent[*].principal_id) : azurerm_linux_function_app.agent.identity[0].principal_id
  service_plan_id       = var.service_plan_id != null ? var.service_plan_id : one(azurerm_service_plan.agent[*].id)
  log_workspace_id      = var.log_analytics_workspace_id != null ? var.log_analytics_workspace_id : one(azurerm_log_analytics_workspace.agent[*].id)
  always_on             = var.always_on != null ? var.always_on : var.service_plan_id == null && !can(regex("^(EP|Y)", var.sku_name))
  container_scope       = "${azurerm_storage_account.agent.id}/blobServices/default/containers/${azurerm_storage_container.agent.name}"
  queue_scope           = "${azurerm_storage_account.agent.id}/queueServices/default/queues/${azurerm_storage_queue.async.name}"
  uses_acr_identity     = var.container_image != null && var.acr_use_managed_identity && local.user_assigned
  async_queue_conn_name = "ArtemisAsyncQueue"

  # Settings the module owns; var.app_settings cannot override them (see its validation). SPEC §8: the async route
  # enqueues on MCD_ASYNC_QUEUE_NAME and a queue trigger (identity-based connection "ArtemisAsyncQueue") runs the work.
  storage_settings = {
    MCD_STORAGE                                       = "AZURE_BLOB"
    MCD_STORAGE_ACCOUNT_NAME                          = azurerm_storage_account.agent.name
    MCD_STORAGE_BUCKET_NAME                           = azurerm_storage_container.agent.name
    MCD_STORAGE_PREFIX                                = var.storage_prefix
    MCD_AGENT_WRAPPER_TYPE                            = "TERRAFORM"
    MCD_OPERATION_TIMEOUT_SECONDS                     = tostring(var.operation_timeout_seconds)
    MCD_LOG_LEVEL                                     = var.log_level
    MCD_ASYNC_QUEUE_NAME                              = azurerm_storage_queue.async.name
    "${local.async_queue_conn_name}__queueServiceUri" = azurerm_storage_account.agent.primary_queue_endpoint
    # SPEC §13: the upgrade route refuses unless this is true.
    MCD_AGENT_IS_REMOTE_UPGRADABLE = tostring(var.enable_remote_upgrade)
  }
  # The Application Insights resource the Azure log route queries.
  platform_logs_settings = var.enable_platform_logs ? { APPINSIGHTS_RESOURCE_ID = azurerm_application_insights.agent.id } : {}
  # With a user-assigned identity, both the SDKs (DefaultAzureCredential reads AZURE_CLIENT_ID) and the queue
  # trigger's identity-based connection must be told which identity to use.
  identity_settings = local.user_assigned ? {
    AZURE_CLIENT_ID                              = local.user_identity_client
    "${local.async_queue_conn_name}__credential" = "managedidentity"
    "${local.async_queue_conn_name}__clientId"   = local.user_identity_client
  } : {}
  deployment_settings = var.container_image != null ? { WEBSITES_ENABLE_APP_SERVICE_STORAGE = "false" } : { WEBSITE_RUN_FROM_PACKAGE = "1" }
  config_source_settings = var.config_source == null ? {} : {
    MCD_CONFIG_SOURCE           = var.config_source
    MCD_CONFIG_SOURCE_OVERRIDES = tostring(var.config_source_overrides)
  }
  app_settings = merge(var.app_settings, local.storage_settings, local.identity_settings, local.deployment_settings, local.platform_logs_settings, local.config_source_settings)
  # MCD_CONFIG_SOURCE (issue 17): the vault named in the URL, and the one secret the identity may read in it.
  config_source_parts    = var.config_source == null ? null : regex("^keyvault:https://([A-Za-z0-9-]+)\\.vault\\.azure\\.net/secrets/([A-Za-z0-9-]+)(?:/[A-Za-z0-9]+)?/?$", var.config_source)
  config_source_scope    = local.config_source_parts == null ? null : "${coalesce(var.config_source_key_vault_id, "-")}/secrets/${local.config_source_parts[1]}"
  config_source_vault_ok = local.config_source_parts == null ? true : lower(regex("[^/]+$", coalesce(var.config_source_key_vault_id, "-"))) == lower(local.config_source_parts[0])
}

# ---------------------------------------------------------------------------------------------------------------------
# Agent storage: the container (MCD_STORAGE_BUCKET_NAME) and the async queue, reached with the agent's identity only
# ---------------------------------------------------------------------------------------------------------------------

resource "azurerm_storage_account" "agent" {
  name                            = local.storage_account_name
  resource_group_name             = var.resource_group_name
  location                        = var.location
  account_kind                    = "StorageV2"
  account_tier                    = "Standard"
  account_replication_type        = "LRS"
  min_tls_version                 = "TLS1_2"
  https_traffic_only_enabled      = true
  allow_nested_items_to_be_public = false
  # The agent reaches its data with its identity only: no account key or SAS signed with one opens it.
  shared_access_key_enabled       = false
  default_to_oauth_authentication = true
  tags                            = var.tags
}

# Created through ARM (storage_account_id), not the data plane: the account accepts no shared key.
resource "azurerm_storage_container" "agent" {
  name                  = var.container_name
  storage_account_id    = azurerm_storage_account.agent.id
  container_access_type = "private"
}

resource "azurerm_storage_queue" "async" {
  name               = var.queue_name
  storage_account_id = azurerm_storage_account.agent.id
}

# The Functions host moves a message that failed 5 times to "<queue>-poison"; the app's poison function marks its job
# Failed. Created here so the identity's role can be scoped to it (the host cannot create it without account rights).
resource "azurerm_storage_queue" "async_poison" {
  name               = "${var.queue_name}-poison"
  storage_account_id = azurerm_storage_account.agent.id
}

resource "azurerm_storage_management_policy" "agent" {
  storage_account_id = azurerm_storage_account.agent.id

  rule {
    name    = "expire-offloaded-responses"
    enabled = true
    filters {
      blob_types   = ["blockBlob"]
      prefix_match = ["${azurerm_storage_container.agent.name}/${local.key_prefix}responses/"]
    }
    actions {
      base_blob {
        delete_after_days_since_modification_greater_than = var.response_retention_days
      }
    }
  }

  rule {
    name    = "expire-async-status"
    enabled = true
    filters {
      blob_types   = ["blockBlob"]
      prefix_match = ["${azurerm_storage_container.agent.name}/${local.key_prefix}async/"]
    }
    actions {
      base_blob {
        delete_after_days_since_modification_greater_than = var.async_retention_days
      }
    }
  }
}

# The Functions host needs its own storage (leases, keys, content); it is kept apart so that its access key, which
# the platform requires in AzureWebJobsStorage, opens nothing of the agent's data.
resource "azurerm_storage_account" "runtime" {
  name                            = local.runtime_account_name
  resource_group_name             = var.resource_group_name
  location                        = var.location
  account_kind                    = "StorageV2"
  account_tier                    = "Standard"
  account_replication_type        = "LRS"
  min_tls_version                 = "TLS1_2"
  https_traffic_only_enabled      = true
  allow_nested_items_to_be_public = false
  tags                            = var.tags
}

# ---------------------------------------------------------------------------------------------------------------------
# Identity and its roles, each at the narrowest scope that works
# ---------------------------------------------------------------------------------------------------------------------

resource "azurerm_user_assigned_identity" "agent" {
  count = local.user_assigned ? 1 : 0

  name                = "${var.name}-identity"
  resource_group_name = var.resource_group_name
  location            = var.location
  tags                = var.tags
}

resource "azurerm_role_assignment" "blob_data" {
  scope                = local.container_scope
  role_definition_name = "Storage Blob Data Contributor"
  principal_id         = local.agent_principal_id
  principal_type       = "ServicePrincipal"
}

# Pre-signed URLs are user delegation SAS; the delegation key is an account-level action, and Storage Blob Delegator
# grants that action alone (no data access beyond the container role above).
resource "azurerm_role_assignment" "blob_delegator" {
  scope                = azurerm_storage_account.agent.id
  role_definition_name = "Storage Blob Delegator"
  principal_id         = local.agent_principal_id
  principal_type       = "ServicePrincipal"
}

resource "azurerm_role_assignment" "queue_data" {
  scope                = local.queue_scope
  role_definition_name = "Storage Queue Data Contributor"
  principal_id         = local.agent_principal_id
  principal_type       = "ServicePrincipal"
}

resource "azurerm_role_assignment" "poison_queue_data" {
  scope                = "${azurerm_storage_account.agent.id}/queueServices/default/queues/${azurerm_storage_queue.async_poison.name}"
  role_definition_name = "Storage Queue Data Contributor"
  principal_id         = local.agent_principal_id
  principal_type       = "ServicePrincipal"
}

# The configuration source: Key Vault Secrets User on that one secret (RBAC authorization), not on the vault.
resource "azurerm_role_assignment" "config_source" {
  count = local.config_source_scope == null ? 0 : 1

  scope                = local.config_source_scope
  role_definition_name = "Key Vault Secrets User"
  principal_id         = local.agent_principal_id
  principal_type       = "ServicePrincipal"

  lifecycle {
    precondition {
      condition     = local.config_source_vault_ok
      error_message = "The config_source_key_vault_id is required with config_source and must be the resource ID of the vault its URL names."
    }
  }
}

resource "azurerm_role_assignment" "key_vault_secrets" {
  for_each = toset(var.key_vault_ids)

  scope                = each.value
  role_definition_name = "Key Vault Secrets User"
  principal_id         = local.agent_principal_id
  principal_type       = "ServicePrincipal"
}

# Remote operations (SPEC §13), each behind its variable. The upgrade reads and writes this app's configuration (its
# image, its settings) and nothing else: a custom role assignable on this app only.
data "azurerm_resource_group" "agent" {
  count = var.enable_remote_upgrade ? 1 : 0

  name = var.resource_group_name
}

resource "azurerm_role_definition" "site_updater" {
  count = var.enable_remote_upgrade ? 1 : 0

  name        = "${var.name}-site-updater"
  scope       = data.azurerm_resource_group.agent[0].id
  description = "Reads and updates one Function App's configuration (the Artemis agent's remote upgrade)."

  permissions {
    actions = [
      "Microsoft.Web/sites/read",
      "Microsoft.Web/sites/config/read",
      "Microsoft.Web/sites/config/write",
      "Microsoft.Web/sites/config/list/action",
    ]
  }

  assignable_scopes = [azurerm_linux_function_app.agent.id]
}

resource "azurerm_role_assignment" "site_updater" {
  count = var.enable_remote_upgrade ? 1 : 0

  scope              = azurerm_linux_function_app.agent.id
  role_definition_id = azurerm_role_definition.site_updater[0].role_definition_resource_id
  principal_id       = local.agent_principal_id
  principal_type     = "ServicePrincipal"
}

# Queries of the app's own Application Insights, in the resource's context.
resource "azurerm_role_assignment" "log_reader" {
  count = var.enable_platform_logs ? 1 : 0

  scope                = azurerm_application_insights.agent.id
  role_definition_name = "Monitoring Reader"
  principal_id         = local.agent_principal_id
  principal_type       = "ServicePrincipal"
}

# ---------------------------------------------------------------------------------------------------------------------
# Monitoring
# ---------------------------------------------------------------------------------------------------------------------

resource "azurerm_log_analytics_workspace" "agent" {
  count = var.log_analytics_workspace_id == null ? 1 : 0

  name                = "${var.name}-logs"
  resource_group_name = var.resource_group_name
  location            = var.location
  sku                 = "PerGB2018"
  retention_in_days   = var.log_retention_days
  tags                = var.tags
}

resource "azurerm_application_insights" "agent" {
  name                = "${var.name}-insights"
  resource_group_name = var.resource_group_name
  location            = var.location
  application_type    = "Node.JS"
  workspace_id        = local.log_workspace_id
  tags                = var.tags
}

# ---------------------------------------------------------------------------------------------------------------------
# Function App
# ---------------------------------------------------------------------------------------------------------------------

resource "azurerm_service_plan" "agent" {
  count = var.service_plan_id == null ? 1 : 0

  name                = "${var.name}-plan"
  resource_group_name = var.resource_group_name
  location            = var.location
  os_type             = "Linux"
  sku_name            = var.sku_name
  tags                = var.tags
}

resource "azurerm_linux_function_app" "agent" {
  name                            = var.name
  resource_group_name             = var.resource_group_name
  location                        = var.location
  service_plan_id                 = local.service_plan_id
  storage_account_name            = azurerm_storage_account.runtime.name
  storage_account_access_key      = azurerm_storage_account.runtime.primary_access_key
  functions_extension_version     = "~4"
  https_only                      = true
  public_network_access_enabled   = var.public_network_access_enabled
  virtual_network_subnet_id       = var.subnet_id
  builtin_logging_enabled         = false
  zip_deploy_file                 = var.zip_package_path
  key_vault_reference_identity_id = local.user_identity_id
  app_settings                    = local.app_settings
  tags                            = var.tags

  identity {
    type         = var.identity_type
    identity_ids = local.user_assigned ? [local.user_identity_id] : null
  }

  site_config {
    application_insights_connection_string        = azurerm_application_insights.agent.connection_string
    always_on                                     = local.always_on
    minimum_tls_version                           = "1.2"
    ftps_state                                    = "Disabled"
    http2_enabled                                 = true
    vnet_route_all_enabled                        = var.subnet_id != null
    container_registry_use_managed_identity       = local.uses_acr_identity
    container_registry_managed_identity_client_id = local.uses_acr_identity ? local.user_identity_client : null

    application_stack {
      # The zip package is the Node.js app of dist/azure; images bring their own runtime.
      node_version = var.container_image == null ? "22" : null

      dynamic "docker" {
        for_each = var.container_image == null ? [] : [var.container_image]
        content {
          registry_url = docker.value.registry_url
          image_name   = docker.value.image_name
          image_tag    = docker.value.image_tag
        }
      }
    }
  }

  lifecycle {
    # Written by the agent's remote upgrade to restart the app; not the module's to put back.
    ignore_changes = [app_settings["MCD_LAST_UPDATE_TS"]]

    precondition {
      condition     = (var.container_image == null) != (var.zip_package_path == null)
      error_message = "Set exactly one of container_image and zip_package_path."
    }
    precondition {
      condition     = !var.acr_use_managed_identity || local.user_assigned
      error_message = "The acr_use_managed_identity needs identity_type UserAssigned (the identity must exist before the first image pull)."
    }
    precondition {
      condition     = var.container_image == null || var.service_plan_id != null || var.sku_name != "Y1"
      error_message = "The Consumption plan (Y1) cannot run containers: choose an Elastic Premium or dedicated sku_name."
    }
  }
}

# Function keys (authLevel "function"): the control plane sends one in the x-functions-key header. Read after the app
# exists; Terraform defers the read to apply on first deployment.
data "azurerm_function_app_host_keys" "agent" {
  name                = azurerm_linux_function_app.agent.name
  resource_group_name = var.resource_group_name
}
