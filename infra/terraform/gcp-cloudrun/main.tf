locals {
  # Never null: without a bucket the preconditions name the problem instead of a missing-argument error first.
  bucket_name = var.create_bucket ? one(google_storage_bucket.storage[*].name) : (var.bucket_name != null ? var.bucket_name : "")
  key_prefix  = var.storage_prefix == "" ? "" : "${var.storage_prefix}/"

  # Variables the module owns; var.environment_variables cannot override them (see its validation). PORT is set by
  # Cloud Run itself; MCD_LISTEN_HOST is already 0.0.0.0 in the image and repeated here so a generic image works too.
  managed_environment = {
    MCD_STORAGE                   = "GCS"
    MCD_STORAGE_BUCKET_NAME       = local.bucket_name
    MCD_STORAGE_PREFIX            = var.storage_prefix
    MCD_AGENT_WRAPPER_TYPE        = "TERRAFORM"
    MCD_OPERATION_TIMEOUT_SECONDS = tostring(var.operation_timeout_seconds)
    MCD_LOG_LEVEL                 = var.log_level
    MCD_LISTEN_HOST               = "0.0.0.0"
    # Log lines name their trace under the project; the log route reads the project's logs.
    GOOGLE_CLOUD_PROJECT = var.project_id
    # The running image, shown by health at no cost; the remote upgrade keeps it current.
    MCD_AGENT_IMAGE_TAG            = var.image
    MCD_AGENT_IS_REMOTE_UPGRADABLE = tostring(var.enable_remote_upgrade)
  }
  config_source_environment = var.config_source == null ? {} : {
    MCD_CONFIG_SOURCE           = var.config_source
    MCD_CONFIG_SOURCE_OVERRIDES = tostring(var.config_source_overrides)
  }
  environment = merge(var.environment_variables, local.managed_environment, local.config_source_environment)
  # MCD_CONFIG_SOURCE (issue 17): the secret (projects/<p>/secrets/<s>) whose version the agent reads at start-up.
  config_source_secret = var.config_source == null ? null : regex("^gcp-secret:(projects/[^/]+/secrets/[^/]+)/versions/[^/]+$", var.config_source)[0]

  agent_member = "serviceAccount:${google_service_account.agent.email}"
}

# ---------------------------------------------------------------------------------------------------------------------
# Identity: a dedicated service account, granted only what the agent uses
# ---------------------------------------------------------------------------------------------------------------------

resource "google_service_account" "agent" {
  project      = var.project_id
  account_id   = var.name
  display_name = "Artemis agent (${var.name})"
}

# Signed URLs for offloaded responses are signed through IAM signBlob with the runtime's own identity (there is no key
# file on Cloud Run), which needs the token creator role on the service account itself, and on nothing else.
resource "google_service_account_iam_member" "sign_own_urls" {
  service_account_id = google_service_account.agent.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = local.agent_member
}

# The configuration source: accessor on that one secret, read before the first request (see the service's depends_on).
resource "google_secret_manager_secret_iam_member" "config_source" {
  count = local.config_source_secret == null ? 0 : 1

  secret_id = local.config_source_secret
  role      = "roles/secretmanager.secretAccessor"
  member    = local.agent_member
}

resource "google_secret_manager_secret_iam_member" "credentials" {
  for_each = toset(var.secret_ids)

  secret_id = each.value
  role      = "roles/secretmanager.secretAccessor"
  member    = local.agent_member
}

# ---------------------------------------------------------------------------------------------------------------------
# Storage bucket (SPEC §7)
# ---------------------------------------------------------------------------------------------------------------------

resource "random_id" "bucket_suffix" {
  count = var.create_bucket && var.bucket_name == null ? 1 : 0

  byte_length = 4
}

resource "google_storage_bucket" "storage" {
  count = var.create_bucket ? 1 : 0

  project                     = var.project_id
  name                        = var.bucket_name != null ? var.bucket_name : "${var.name}-${one(random_id.bucket_suffix[*].hex)}"
  location                    = var.bucket_location != null ? var.bucket_location : upper(var.region)
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = var.bucket_force_destroy
  labels                      = var.labels

  dynamic "encryption" {
    for_each = var.bucket_kms_key_name == null ? [] : [var.bucket_kms_key_name]
    content {
      default_kms_key_name = encryption.value
    }
  }

  lifecycle_rule {
    condition {
      age            = var.response_retention_days
      matches_prefix = ["${local.key_prefix}responses/"]
    }
    action {
      type = "Delete"
    }
  }

  lifecycle_rule {
    condition {
      age            = var.async_retention_days
      matches_prefix = ["${local.key_prefix}async/"]
    }
    action {
      type = "Delete"
    }
  }
}

resource "google_storage_bucket_iam_member" "agent_objects" {
  bucket = local.bucket_name
  # objectUser (read, write, list, delete objects; no IAM changes) on this bucket, and only under the storage prefix:
  # object names start with it, and listings must ask for it. Conditions need uniform bucket-level access.
  role   = "roles/storage.objectUser"
  member = local.agent_member

  dynamic "condition" {
    for_each = local.key_prefix == "" ? [] : [local.key_prefix]
    content {
      title       = "artemis-storage-prefix"
      description = "Objects under the agent's MCD_STORAGE_PREFIX only."
      expression  = "resource.name.startsWith(\"projects/_/buckets/${local.bucket_name}/objects/${condition.value}\") || api.getAttribute(\"storage.googleapis.com/objectListPrefix\", \"\").startsWith(\"${condition.value}\")"
    }
  }

  lifecycle {
    precondition {
      condition     = var.create_bucket || var.bucket_name != null
      error_message = "The bucket_name is required when create_bucket is false."
    }
  }
}

resource "google_project_iam_custom_role" "bucket_metadata_reader" {
  count = var.grant_bucket_metadata_read ? 1 : 0

  project     = var.project_id
  role_id     = "${replace(var.name, "-", "_")}_bucket_metadata_reader"
  title       = "Artemis bucket metadata reader (${var.name})"
  description = "Reads a bucket's settings and IAM policy (is_bucket_private); bound on the agent's bucket only."
  permissions = ["storage.buckets.get", "storage.buckets.getIamPolicy"]
}

resource "google_storage_bucket_iam_member" "agent_bucket_metadata" {
  count = var.grant_bucket_metadata_read ? 1 : 0

  bucket = local.bucket_name
  role   = google_project_iam_custom_role.bucket_metadata_reader[0].id
  member = local.agent_member
}

# ---------------------------------------------------------------------------------------------------------------------
# Service
# ---------------------------------------------------------------------------------------------------------------------

resource "google_cloud_run_v2_service" "agent" {
  project             = var.project_id
  name                = var.name
  location            = var.region
  ingress             = var.ingress
  deletion_protection = var.deletion_protection
  labels              = var.labels

  template {
    service_account                  = google_service_account.agent.email
    timeout                          = "${var.timeout_seconds}s"
    max_instance_request_concurrency = var.concurrency
    execution_environment            = "EXECUTION_ENVIRONMENT_GEN2"

    scaling {
      min_instance_count = var.min_instances
      max_instance_count = var.max_instances
    }

    containers {
      image = var.image

      resources {
        limits = {
          cpu    = var.cpu
          memory = var.memory
        }
        cpu_idle          = !var.cpu_always_allocated
        startup_cpu_boost = true
      }

      dynamic "env" {
        for_each = local.environment
        content {
          name  = env.key
          value = env.value
        }
      }

      startup_probe {
        http_get {
          path = "/health"
        }
      }
    }

    dynamic "vpc_access" {
      for_each = var.vpc_connector != null || var.vpc_network != null ? [1] : []
      content {
        connector = var.vpc_connector
        egress    = var.vpc_egress

        dynamic "network_interfaces" {
          for_each = var.vpc_network == null ? [] : [var.vpc_network]
          content {
            network    = network_interfaces.value.network
            subnetwork = network_interfaces.value.subnetwork
            tags       = network_interfaces.value.tags
          }
        }
      }
    }
  }

  lifecycle {
    precondition {
      condition     = var.operation_timeout_seconds < var.timeout_seconds
      error_message = "The operation_timeout_seconds must be below timeout_seconds, so that the agent answers a Timeout envelope before Cloud Run ends the request."
    }
    precondition {
      condition     = var.create_bucket || var.bucket_name != null
      error_message = "The bucket_name is required when create_bucket is false."
    }
    precondition {
      condition     = var.vpc_connector == null || var.vpc_network == null
      error_message = "Set vpc_connector or vpc_network, not both."
    }
    precondition {
      condition     = var.min_instances <= var.max_instances
      error_message = "The min_instances must not exceed max_instances."
    }
  }

  # The service account must be able to reach its bucket before the first request, and its configuration source
  # before the container starts (a start-up that cannot read it stops).
  depends_on = [
    google_storage_bucket_iam_member.agent_objects,
    google_secret_manager_secret_iam_member.config_source,
  ]
}

# ---------------------------------------------------------------------------------------------------------------------
# Remote operations (SPEC §13), each behind its variable
# ---------------------------------------------------------------------------------------------------------------------

# Read and update this service only (the upgrade sets a new image on it).
resource "google_project_iam_custom_role" "service_updater" {
  count = var.enable_remote_upgrade ? 1 : 0

  project     = var.project_id
  role_id     = "${replace(var.name, "-", "_")}_service_updater"
  title       = "Artemis service updater (${var.name})"
  description = "Reads and updates one Cloud Run service (the agent's remote upgrade); bound on that service only."
  permissions = ["run.services.get", "run.services.update"]
}

resource "google_cloud_run_v2_service_iam_member" "self_update" {
  count = var.enable_remote_upgrade ? 1 : 0

  project  = var.project_id
  location = var.region
  name     = google_cloud_run_v2_service.agent.name
  role     = google_project_iam_custom_role.service_updater[0].id
  member   = local.agent_member
}

# The update is a long-running operation, and operations are project resources: reading them is all this grants.
resource "google_project_iam_custom_role" "operation_reader" {
  count = var.enable_remote_upgrade ? 1 : 0

  project     = var.project_id
  role_id     = "${replace(var.name, "-", "_")}_operation_reader"
  title       = "Artemis operation reader (${var.name})"
  description = "Reads Cloud Run long-running operations (to wait for the agent's own update)."
  permissions = ["run.operations.get"]
}

resource "google_project_iam_member" "operation_reader" {
  count = var.enable_remote_upgrade ? 1 : 0

  project = var.project_id
  role    = google_project_iam_custom_role.operation_reader[0].id
  member  = local.agent_member
}

# A new revision runs as the agent's service account: whoever updates the service must be able to act as it.
resource "google_service_account_iam_member" "act_as_self" {
  count = var.enable_remote_upgrade ? 1 : 0

  service_account_id = google_service_account.agent.name
  role               = "roles/iam.serviceAccountUser"
  member             = local.agent_member
}

# Log entries can only be listed project-wide; the agent narrows its queries to its own service.
resource "google_project_iam_custom_role" "log_reader" {
  count = var.enable_platform_logs ? 1 : 0

  project     = var.project_id
  role_id     = "${replace(var.name, "-", "_")}_log_reader"
  title       = "Artemis log reader (${var.name})"
  description = "Lists log entries (the agent's /api/v1/gcp/logs/list, filtered to its own service)."
  permissions = ["logging.logEntries.list"]
}

resource "google_project_iam_member" "log_reader" {
  count = var.enable_platform_logs ? 1 : 0

  project = var.project_id
  role    = google_project_iam_custom_role.log_reader[0].id
  member  = local.agent_member
}

# Only the control plane's service accounts may invoke; there is deliberately no allUsers binding.
resource "google_cloud_run_v2_service_iam_member" "invoker" {
  for_each = toset(var.invoker_service_account_emails)

  project  = var.project_id
  location = var.region
  name     = google_cloud_run_v2_service.agent.name
  role     = "roles/run.invoker"
  member   = "serviceAccount:${each.value}"
}
