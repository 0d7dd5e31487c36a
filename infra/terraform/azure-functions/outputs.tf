output "function_app_name" {
  description = "Name of the Function App."
  value       = azurerm_linux_function_app.agent.name
}

output "function_app_url" {
  description = "Base URL of the agent (routes have no /api prefix: the app's host.json sets routePrefix \"\")."
  value       = "https://${azurerm_linux_function_app.agent.default_hostname}"
}

output "default_function_key" {
  description = "Default function key: the control plane sends it as the x-functions-key header."
  value       = data.azurerm_function_app_host_keys.agent.default_function_key
  sensitive   = true
}

output "identity_principal_id" {
  description = "Principal (object) ID of the agent's identity; grant it access to the data sources it collects from."
  value       = local.agent_principal_id
}

output "identity_client_id" {
  description = "Client ID of the user-assigned identity, or null with a system-assigned identity."
  value       = local.user_identity_client
}

output "storage_account_name" {
  description = "Storage account of the agent's container and async queue (MCD_STORAGE_ACCOUNT_NAME)."
  value       = azurerm_storage_account.agent.name
}

output "container_name" {
  description = "Blob container of the agent (MCD_STORAGE_BUCKET_NAME)."
  value       = azurerm_storage_container.agent.name
}

output "queue_name" {
  description = "Storage queue of async operations (MCD_ASYNC_QUEUE_NAME)."
  value       = azurerm_storage_queue.async.name
}

output "application_insights_name" {
  description = "Application Insights resource that receives the app's telemetry and logs."
  value       = azurerm_application_insights.agent.name
}

output "health_check_command" {
  description = "curl command that calls the health route (the key is read from this module's sensitive output)."
  value       = "curl -H \"x-functions-key: $(terraform output -raw default_function_key)\" 'https://${azurerm_linux_function_app.agent.default_hostname}/api/v1/test/health?trace_id=1234'"
}
