# ---------------------------------------------------------------------------------------------------------------------
# Service
# ---------------------------------------------------------------------------------------------------------------------

variable "project_id" {
  description = "Google Cloud project that hosts the agent."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.project_id))
    error_message = "The project_id must be a Google Cloud project ID (6-30 lowercase letters, digits, hyphens)."
  }
}

variable "region" {
  description = "Region of the Cloud Run service (and of the bucket unless bucket_location is set)."
  type        = string

  validation {
    condition     = can(regex("^[a-z]+-[a-z]+[0-9]+$", var.region))
    error_message = "The region must be a Google Cloud region such as the one your data sources live in (e.g. <area>-<zone>1)."
  }
}

variable "name" {
  description = "Name of the Cloud Run service; also the base of its service account ID and generated bucket name."
  type        = string
  default     = "artemis-agent"

  validation {
    # 6-30 characters: the service account ID is derived from it.
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.name))
    error_message = "The name must be 6-30 lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "image" {
  description = "Container image of the agent (the `cloudrun` Dockerfile target), e.g. <region>-docker.pkg.dev/<project>/<repository>/artemis:<tag>."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9.-]+(:[0-9]+)?/[A-Za-z0-9._/-]+(:[A-Za-z0-9._-]+|@sha256:[a-f0-9]{64})$", var.image))
    error_message = "The image must be a registry image reference with a tag or a sha256 digest."
  }
}

variable "cpu" {
  description = "CPU limit of each instance (Cloud Run notation, e.g. \"1\", \"2\")."
  type        = string
  default     = "1"
}

variable "memory" {
  description = "Memory limit of each instance (Cloud Run notation, e.g. \"1Gi\")."
  type        = string
  default     = "1Gi"

  validation {
    condition     = can(regex("^[0-9]+(Mi|Gi)$", var.memory))
    error_message = "The memory must be a quantity in Mi or Gi, e.g. 512Mi or 2Gi."
  }
}

variable "timeout_seconds" {
  description = "Request timeout of the service in seconds (900 matches the other runtimes; Cloud Run allows up to 3600)."
  type        = number
  default     = 900

  validation {
    condition     = var.timeout_seconds >= 30 && var.timeout_seconds <= 3600 && floor(var.timeout_seconds) == var.timeout_seconds
    error_message = "The timeout_seconds must be a whole number from 30 to 3600."
  }
}

variable "operation_timeout_seconds" {
  description = "MCD_OPERATION_TIMEOUT_SECONDS: time an operation may run before the agent answers a Timeout envelope; below timeout_seconds."
  type        = number
  default     = 870

  validation {
    condition     = var.operation_timeout_seconds >= 1 && floor(var.operation_timeout_seconds) == var.operation_timeout_seconds
    error_message = "The operation_timeout_seconds must be a positive whole number."
  }
}

variable "concurrency" {
  description = "Requests one instance serves at once. Operations mostly wait on data sources, so a few dozen share an instance well."
  type        = number
  default     = 40

  validation {
    condition     = var.concurrency >= 1 && var.concurrency <= 1000
    error_message = "The concurrency must be from 1 to 1000."
  }
}

variable "min_instances" {
  description = "Instances kept warm (0 scales to zero; 1 avoids cold starts)."
  type        = number
  default     = 0

  validation {
    condition     = var.min_instances >= 0
    error_message = "The min_instances must not be negative."
  }
}

variable "max_instances" {
  description = "Upper bound of instances."
  type        = number
  default     = 10

  validation {
    condition     = var.max_instances >= 1
    error_message = "The max_instances must be at least 1."
  }
}

variable "cpu_always_allocated" {
  description = "Keep CPU allocated outside requests (instance-based billing: you pay while an instance is up, not only per request). Turn it on if you use the async routes: their work runs in-process after the 202 answer (SPEC §8) and, with CPU only during requests, it stalls."
  type        = bool
  default     = false
}

variable "enable_remote_upgrade" {
  description = "Let the control plane upgrade the agent in place (POST /api/v1/upgrade, through the agent's image gate): sets MCD_AGENT_IS_REMOTE_UPGRADABLE and grants the service account get and update on this service only, read of Cloud Run operations, and actAs on itself. Creating the custom roles needs roles/iam.roleAdmin."
  type        = bool
  default     = false
}

variable "enable_platform_logs" {
  description = "Let the control plane read the service's logs (/api/v1/gcp/logs/list): grants logging.logEntries.list on the project (Cloud Logging has no narrower scope; the agent filters to its own service). Creating the custom role needs roles/iam.roleAdmin."
  type        = bool
  default     = false
}

variable "ingress" {
  description = "Who can reach the service over the network: INGRESS_TRAFFIC_ALL (the control plane calls over the internet; IAM still decides), INGRESS_TRAFFIC_INTERNAL_ONLY or INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER."
  type        = string
  default     = "INGRESS_TRAFFIC_ALL"

  validation {
    condition     = contains(["INGRESS_TRAFFIC_ALL", "INGRESS_TRAFFIC_INTERNAL_ONLY", "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER"], var.ingress)
    error_message = "The ingress must be INGRESS_TRAFFIC_ALL, INGRESS_TRAFFIC_INTERNAL_ONLY or INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER."
  }
}

variable "invoker_service_account_emails" {
  description = "Service accounts of the control plane that may call the service (roles/run.invoker). Nobody else is granted invoke; unauthenticated access is never enabled."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for email in var.invoker_service_account_emails : can(regex("^[a-z0-9-]+@[a-z0-9.-]+\\.iam\\.gserviceaccount\\.com$", email))])
    error_message = "The invoker_service_account_emails must be service account emails (<name>@<project>.iam.gserviceaccount.com)."
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

variable "environment_variables" {
  description = "Extra environment variables for the agent (any MCD_* setting from the README's Configuration table). The variables this module manages cannot be overridden here."
  type        = map(string)
  default     = {}

  validation {
    condition = alltrue([for key in keys(var.environment_variables) : !contains([
      "MCD_STORAGE", "MCD_STORAGE_BUCKET_NAME", "MCD_STORAGE_PREFIX", "MCD_AGENT_WRAPPER_TYPE",
      "MCD_OPERATION_TIMEOUT_SECONDS", "MCD_LOG_LEVEL", "MCD_LISTEN_HOST", "PORT", "GOOGLE_CLOUD_PROJECT",
      "MCD_AGENT_IMAGE_TAG", "MCD_AGENT_IS_REMOTE_UPGRADABLE", "MCD_CONFIG_SOURCE", "MCD_CONFIG_SOURCE_OVERRIDES",
    ], key)])
    error_message = "The environment_variables must not set the variables this module manages (MCD_STORAGE*, MCD_AGENT_WRAPPER_TYPE, MCD_OPERATION_TIMEOUT_SECONDS, MCD_LOG_LEVEL, MCD_LISTEN_HOST, PORT, GOOGLE_CLOUD_PROJECT, MCD_AGENT_IMAGE_TAG, MCD_AGENT_IS_REMOTE_UPGRADABLE, MCD_CONFIG_SOURCE*)."
  }
}

variable "deletion_protection" {
  description = "Refuse to destroy the Cloud Run service from Terraform."
  type        = bool
  default     = false
}

# ---------------------------------------------------------------------------------------------------------------------
# Storage
# ---------------------------------------------------------------------------------------------------------------------

variable "create_bucket" {
  description = "Create the agent's GCS bucket (uniform access, public access prevention, lifecycle). false: use the existing bucket_name."
  type        = bool
  default     = true
}

variable "bucket_name" {
  description = "Name of the agent's bucket. With create_bucket, null generates `<name>-<random>`; without it, the existing bucket (required)."
  type        = string
  default     = null

  validation {
    condition     = var.bucket_name == null || can(regex("^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$", var.bucket_name))
    error_message = "The bucket_name must be a valid GCS bucket name (3-63 lowercase letters, digits, dots, hyphens, underscores)."
  }
}

variable "bucket_location" {
  description = "Location of a created bucket; null for the service's region."
  type        = string
  default     = null
}

variable "bucket_kms_key_name" {
  description = "Cloud KMS key (projects/.../cryptoKeys/...) for CMEK on a created bucket; null for Google-managed encryption. The project's Cloud Storage service agent must be able to use it."
  type        = string
  default     = null

  validation {
    condition     = var.bucket_kms_key_name == null || can(regex("^projects/[^/]+/locations/[^/]+/keyRings/[^/]+/cryptoKeys/[^/]+$", var.bucket_kms_key_name))
    error_message = "The bucket_kms_key_name must be a full Cloud KMS crypto key name."
  }
}

variable "storage_prefix" {
  description = "MCD_STORAGE_PREFIX: key prefix of everything the agent stores; the lifecycle rules are scoped to it. \"\" for the bucket root."
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

variable "bucket_force_destroy" {
  description = "Let `terraform destroy` delete a created bucket that still holds objects."
  type        = bool
  default     = false
}

variable "grant_bucket_metadata_read" {
  description = "Create a custom role with storage.buckets.get and storage.buckets.getIamPolicy, bound on the agent's bucket only, so that is_bucket_private works. Needs roles/iam.roleAdmin to apply."
  type        = bool
  default     = true
}

# ---------------------------------------------------------------------------------------------------------------------
# Credentials and network
# ---------------------------------------------------------------------------------------------------------------------

variable "config_source" {
  description = "MCD_CONFIG_SOURCE: a Secret Manager secret version holding a JSON object of the agent's variables, read when an instance starts: gcp-secret:projects/<project>/secrets/<secret>/versions/<version|latest>. The service account gets roles/secretmanager.secretAccessor on that secret only. null: none."
  type        = string
  default     = null

  validation {
    condition     = var.config_source == null || can(regex("^gcp-secret:projects/[^/]+/secrets/[^/]+/versions/[^/]+$", var.config_source))
    error_message = "The config_source must be gcp-secret:projects/<project>/secrets/<secret>/versions/<version|latest>."
  }
}

variable "config_source_overrides" {
  description = "MCD_CONFIG_SOURCE_OVERRIDES: the secret's values win over the service's environment, which this module fills (MCD_LOG_LEVEL, MCD_STORAGE_PREFIX, …). false: the environment wins."
  type        = bool
  default     = false
}

variable "secret_ids" {
  description = "Secret Manager secrets (projects/<project>/secrets/<name>) the agent may read for self-hosted credentials (gcp_secret_manager); each gets roles/secretmanager.secretAccessor for the agent's service account."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for id in var.secret_ids : can(regex("^projects/[^/]+/secrets/[^/]+$", id))])
    error_message = "The secret_ids must be full secret names: projects/<project>/secrets/<name>."
  }
}

variable "vpc_connector" {
  description = "Serverless VPC Access connector (projects/.../locations/.../connectors/...) for egress to private data sources; null for none. Mutually exclusive with vpc_network."
  type        = string
  default     = null
}

variable "vpc_network" {
  description = "Direct VPC egress: network and subnetwork (names or self links) and optional network tags; null for none."
  type = object({
    network    = string
    subnetwork = string
    tags       = optional(list(string), [])
  })
  default = null
}

variable "vpc_egress" {
  description = "Which egress goes through the VPC: PRIVATE_RANGES_ONLY (data sources in private ranges, the rest direct) or ALL_TRAFFIC (e.g. for a fixed NAT IP allowlisted by data sources)."
  type        = string
  default     = "PRIVATE_RANGES_ONLY"

  validation {
    condition     = contains(["PRIVATE_RANGES_ONLY", "ALL_TRAFFIC"], var.vpc_egress)
    error_message = "The vpc_egress must be PRIVATE_RANGES_ONLY or ALL_TRAFFIC."
  }
}

variable "labels" {
  description = "Labels added to the service and the bucket."
  type        = map(string)
  default     = {}
}
