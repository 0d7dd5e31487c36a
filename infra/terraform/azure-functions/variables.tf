# ---------------------------------------------------------------------------------------------------------------------
# Function App
# ---------------------------------------------------------------------------------------------------------------------

variable "resource_group_name" {
  description = "Existing resource group the agent's resources are created in."
  type        = string

  validation {
    condition     = length(var.resource_group_name) > 0
    error_message = "The resource_group_name must not be empty."
  }
}

variable "location" {
  description = "Azure region of every resource (e.g. the region of your data sources)."
  type        = string

  validation {
    condition     = length(var.location) > 0
    error_message = "The location must not be empty."
  }
}

variable "name" {
  description = "Name of the Function App (its hostname is <name>.azurewebsites.net, so it must be globally unique); also the base name of the plan, identity and Application Insights."
  type        = string
  default     = "artemis-agent"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,38}[a-z0-9]$", var.name))
    error_message = "The name must be 3-40 lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "container_image" {
  description = "Run the agent's container image (the `azure` Dockerfile target): registry URL (https://...), image name and tag. Set this or zip_package_path."
  type = object({
    registry_url = string
    image_name   = string
    image_tag    = string
  })
  default = null

  validation {
    condition     = var.container_image == null || can(regex("^https://", var.container_image.registry_url))
    error_message = "The container_image.registry_url must start with https://."
  }
}

variable "acr_use_managed_identity" {
  description = "Pull container_image from Azure Container Registry with the agent's user-assigned identity (grant it AcrPull on the registry) instead of anonymous pulls."
  type        = bool
  default     = false
}

variable "zip_package_path" {
  description = "Local path of a zip of dist/azure (the Node.js app built by scripts/build.ts azure) to deploy on the Node 22 runtime. Set this or container_image."
  type        = string
  default     = null
}

variable "service_plan_id" {
  description = "Existing App Service plan (Linux) to run on; null creates one with sku_name."
  type        = string
  default     = null
}

variable "sku_name" {
  description = "SKU of the created plan: EP1-EP3 (Elastic Premium: containers, VNet integration, no 10-minute cap) or a dedicated SKU such as P1v3. Consumption (Y1) cannot run containers and caps executions at 10 minutes."
  type        = string
  default     = "EP1"

  validation {
    condition     = can(regex("^(EP[1-3]|B[1-3]|S[1-3]|P[0-3]v[2-3]|P[1-5]mv3|Y1)$", var.sku_name))
    error_message = "The sku_name must be an App Service plan SKU such as EP1, P1v3 or Y1."
  }
}

variable "operation_timeout_seconds" {
  description = "MCD_OPERATION_TIMEOUT_SECONDS: time an operation may run before the agent answers a Timeout envelope. Azure's HTTP front end ends a request at 230 s, so the default (210) answers before it; longer work belongs on the async routes."
  type        = number
  default     = 210

  validation {
    condition     = var.operation_timeout_seconds >= 1 && floor(var.operation_timeout_seconds) == var.operation_timeout_seconds
    error_message = "The operation_timeout_seconds must be a positive whole number."
  }
}

variable "log_level" {
  description = "MCD_LOG_LEVEL of the agent: debug, info, warn, error or silent."
  type        = string
  default     = "info"

  validation {
    condition     = contains(["debug", "info", "warn", "error", "silent"], var.log_level)
    error_message = "The log_level must be one of debug, info, warn, error, silent."
  }
}

variable "app_settings" {
  description = "Extra app settings for the agent (any MCD_* setting from the README's Configuration table). The settings this module manages cannot be overridden here."
  type        = map(string)
  default     = {}

  validation {
    condition = alltrue([for key in keys(var.app_settings) : !contains([
      "MCD_STORAGE", "MCD_STORAGE_ACCOUNT_NAME", "MCD_STORAGE_BUCKET_NAME", "MCD_STORAGE_PREFIX",
      "MCD_AGENT_WRAPPER_TYPE", "MCD_OPERATION_TIMEOUT_SECONDS", "MCD_LOG_LEVEL", "MCD_ASYNC_QUEUE_NAME",
      "AZURE_CLIENT_ID", "MCD_AGENT_IS_REMOTE_UPGRADABLE", "APPINSIGHTS_RESOURCE_ID", "MCD_CONFIG_SOURCE",
      "MCD_CONFIG_SOURCE_OVERRIDES",
    ], key)])
    error_message = "The app_settings must not set the settings this module manages (MCD_STORAGE*, MCD_AGENT_WRAPPER_TYPE, MCD_OPERATION_TIMEOUT_SECONDS, MCD_LOG_LEVEL, MCD_ASYNC_QUEUE_NAME, AZURE_CLIENT_ID, MCD_AGENT_IS_REMOTE_UPGRADABLE, APPINSIGHTS_RESOURCE_ID, MCD_CONFIG_SOURCE*)."
  }
}

variable "enable_remote_upgrade" {
  description = "Let the control plane upgrade the agent in place (POST /api/v1/upgrade, through the agent's image gate) and read the app's settings (/api/v1/infra/details): sets MCD_AGENT_IS_REMOTE_UPGRADABLE and assigns a custom role (read the site, read, list and write its configuration) on this Function App only. Creating the role needs Microsoft.Authorization/roleDefinitions/write on the resource group."
  type        = bool
  default     = false
}

variable "enable_platform_logs" {
  description = "Let the control plane query the app's Application Insights (/api/v1/azure/logs/query): sets APPINSIGHTS_RESOURCE_ID and assigns Monitoring Reader on that Application Insights resource only."
  type        = bool
  default     = false
}

variable "identity_type" {
  description = "Identity the agent runs as: UserAssigned (created by this module; its roles exist before the app starts) or SystemAssigned."
  type        = string
  default     = "UserAssigned"

  validation {
    condition     = contains(["UserAssigned", "SystemAssigned"], var.identity_type)
    error_message = "The identity_type must be UserAssigned or SystemAssigned."
  }
}

variable "config_source" {
  description = "MCD_CONFIG_SOURCE: a Key Vault secret holding a JSON object of the agent's settings, read when the host starts: keyvault:https://<vault>.vault.azure.net/secrets/<name>[/<version>]. The identity gets Key Vault Secrets User on that secret only (the vault must use RBAC authorization). null: none."
  type        = string
  default     = null

  validation {
    condition     = var.config_source == null || can(regex("^keyvault:https://[A-Za-z0-9-]+\\.vault\\.azure\\.net/secrets/[A-Za-z0-9-]+(/[A-Za-z0-9]+)?/?$", var.config_source))
    error_message = "The config_source must be keyvault:https://<vault>.vault.azure.net/secrets/<name>[/<version>]."
  }
}

variable "config_source_key_vault_id" {
  description = "Resource ID of the vault config_source names (required with it): the role assignment's scope is its secret."
  type        = string
  default     = null

  validation {
    condition     = var.config_source_key_vault_id == null || can(regex("(?i)^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\\.KeyVault/vaults/[^/]+$", var.config_source_key_vault_id))
    error_message = "The config_source_key_vault_id must be a Key Vault resource ID."
  }
}

variable "config_source_overrides" {
  description = "MCD_CONFIG_SOURCE_OVERRIDES: the secret's values win over the app settings, which this module fills (MCD_LOG_LEVEL, MCD_STORAGE_PREFIX, …). false: the app settings win."
  type        = bool
  default     = false
}

variable "key_vault_ids" {
  description = "Key Vaults (resource IDs, RBAC authorization mode) whose secrets the agent may read for self-hosted credentials (azure_key_vault): Key Vault Secrets User on each vault."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for id in var.key_vault_ids : can(regex("(?i)^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\\.KeyVault/vaults/[^/]+$", id))])
    error_message = "The key_vault_ids must be Key Vault resource IDs."
  }
}

variable "subnet_id" {
  description = "Subnet (delegated to Microsoft.Web/serverFarms) for regional VNet integration, to reach private data sources; null for none. All outbound traffic is then routed through the VNet."
  type        = string
  default     = null
}

variable "public_network_access_enabled" {
  description = "Whether the Function App accepts requests from the internet (function keys still required). false needs a private endpoint for the control plane to reach it."
  type        = bool
  default     = true
}

variable "log_analytics_workspace_id" {
  description = "Existing Log Analytics workspace for Application Insights; null creates one."
  type        = string
  default     = null
}

variable "log_retention_days" {
  description = "Retention of a created Log Analytics workspace in days."
  type        = number
  default     = 30

  validation {
    condition     = var.log_retention_days >= 30 && var.log_retention_days <= 730
    error_message = "The log_retention_days must be from 30 to 730."
  }
}

# ---------------------------------------------------------------------------------------------------------------------
# Storage (SPEC §7, §8): the agent's container and the async queue
# ---------------------------------------------------------------------------------------------------------------------

variable "storage_account_name" {
  description = "Name of the storage account created for the agent's data (container and queue); null generates one. Globally unique, 3-24 lowercase letters and digits."
  type        = string
  default     = null

  validation {
    condition     = var.storage_account_name == null || can(regex("^[a-z0-9]{3,24}$", var.storage_account_name))
    error_message = "The storage_account_name must be 3-24 lowercase letters and digits."
  }
}

variable "container_name" {
  description = "Blob container of the agent (MCD_STORAGE_BUCKET_NAME)."
  type        = string
  default     = "artemis-agent"

  validation {
    condition     = can(regex("^[a-z0-9](-?[a-z0-9])+$", var.container_name)) && length(var.container_name) <= 63
    error_message = "The container_name must be 3-63 lowercase letters, digits and single hyphens."
  }
}

variable "queue_name" {
  description = "Storage queue that carries async operations to the worker (MCD_ASYNC_QUEUE_NAME)."
  type        = string
  default     = "artemis-async-operations"

  validation {
    condition     = can(regex("^[a-z0-9](-?[a-z0-9])+$", var.queue_name)) && length(var.queue_name) <= 56
    error_message = "The queue_name must be 3-56 lowercase letters, digits and single hyphens (its -poison queue takes the other 7 of Azure's 63)."
  }
}

variable "storage_prefix" {
  description = "MCD_STORAGE_PREFIX: blob name prefix of everything the agent stores; the lifecycle rules are scoped to it. \"\" for the container root."
  type        = string
  default     = "mcd"

  validation {
    condition     = can(regex("^([A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*)?$", var.storage_prefix))
    error_message = "The storage_prefix must be \"\" or path segments of letters, digits, '_', '.', '-' without leading or trailing '/'."
  }
}

variable "response_retention_days" {
  description = "Days after which offloaded responses (<prefix>/responses/) are deleted."
  type        = number
  default     = 1

  validation {
    condition     = var.response_retention_days >= 1
    error_message = "The response_retention_days must be at least 1."
  }
}

variable "async_retention_days" {
  description = "Days after which async operation status records (<prefix>/async/) are deleted."
  type        = number
  default     = 7

  validation {
    condition     = var.async_retention_days >= 1
    error_message = "The async_retention_days must be at least 1."
  }
}

variable "tags" {
  description = "Tags added to every resource this module creates."
  type        = map(string)
  default     = {}
}

variable "always_on" {
  description = "Keep the app loaded (dedicated plans only; Elastic Premium and Consumption must leave it off). null: on for a created dedicated plan, off otherwise."
  type        = bool
  default     = null
}
