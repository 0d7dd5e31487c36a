terraform {
  # 1.5: lifecycle preconditions and optional object attributes used by this module.
  required_version = ">= 1.5.0"

  required_providers {
    azurerm = {
      source = "hashicorp/azurerm"
      # 4.x: https_traffic_only_enabled, node_version "22" and container_registry_* on azurerm_linux_function_app;
      # 4.21: storage_account_id on azurerm_storage_container and azurerm_storage_queue (created through ARM).
      version = ">= 4.21, < 5.0"
    }
    random = {
      source  = "hashicorp/random"
      version = ">= 3.5, < 4.0"
    }
  }
}
