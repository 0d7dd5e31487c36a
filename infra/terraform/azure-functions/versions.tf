terraform {
  # 1.5: lifecycle preconditions and optional object attributes used by this module.
  required_version = ">= 1.5.0"

  required_providers {
    azurerm = {
      source = "hashicorp/azurerm"
      # 4.x: https_traffic_only_enabled, node_version "22" and container_registry_* on azurerm_linux_function_app.
      version = ">= 4.0, < 5.0"
    }
    random = {
      source  = "hashicorp/random"
      version = ">= 3.5, < 4.0"
    }
  }
}
