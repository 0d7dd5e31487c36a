output "service_name" {
  description = "Name of the Cloud Run service."
  value       = google_cloud_run_v2_service.agent.name
}

output "service_url" {
  description = "HTTPS URL of the service: the agent's base URL for the control plane (callers send an identity token for it)."
  value       = google_cloud_run_v2_service.agent.uri
}

output "service_account_email" {
  description = "Service account the agent runs as; grant it access to the data sources it collects from."
  value       = google_service_account.agent.email
}

output "bucket_name" {
  description = "Bucket the agent stores responses and async records in (MCD_STORAGE_BUCKET_NAME)."
  value       = local.bucket_name
}

output "health_check_command" {
  description = "curl command that calls the health route with an identity token of an invoker service account."
  value       = "curl -H \"Authorization: Bearer $(gcloud auth print-identity-token --impersonate-service-account=<invoker> --audiences=${google_cloud_run_v2_service.agent.uri})\" '${google_cloud_run_v2_service.agent.uri}/api/v1/test/health?trace_id=1234'"
}
