# ---------------------------------------------------------------------------------------------------------------------
# Function
# ---------------------------------------------------------------------------------------------------------------------

variable "name" {
  description = "Name of the Lambda function; also the base name of its IAM role, log group and (generated) bucket."
  type        = string
  default     = "artemis-agent"

  validation {
    # Lowercase so that the same name can seed an S3 bucket name; 40 characters leave room for the role suffix.
    condition     = can(regex("^[a-z][a-z0-9-]{1,38}[a-z0-9]$", var.name))
    error_message = "The name must be 3-40 characters of lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "image_uri" {
  description = "ECR image URI of the agent's Lambda image (the `lambda` Dockerfile target), by tag or digest: <account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag> or @sha256:<digest>."
  type        = string

  validation {
    condition     = can(regex("^[0-9]+\\.dkr\\.ecr\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?/[a-z0-9._/-]+(:[A-Za-z0-9._-]+|@sha256:[a-f0-9]{64})$", var.image_uri))
    error_message = "The image_uri must be an ECR image URI with a tag or a sha256 digest (Lambda only runs images from ECR)."
  }
}

variable "architecture" {
  description = "Instruction set of the image: x86_64 or arm64 (must match the platform the image was built for)."
  type        = string
  default     = "x86_64"

  validation {
    condition     = contains(["x86_64", "arm64"], var.architecture)
    error_message = "The architecture must be x86_64 or arm64."
  }
}

variable "memory_size" {
  description = "Memory of the function in MB. CPU scales with it; 1024 leaves headroom to gzip large results."
  type        = number
  default     = 1024

  validation {
    condition     = var.memory_size >= 128 && var.memory_size <= 10240 && floor(var.memory_size) == var.memory_size
    error_message = "The memory_size must be a whole number of MB from 128 to 10240."
  }
}

variable "timeout" {
  description = "Function timeout in seconds. 900 (the Lambda maximum) so that operations get the full MCD_OPERATION_TIMEOUT_SECONDS."
  type        = number
  default     = 900

  validation {
    condition     = var.timeout >= 30 && var.timeout <= 900 && floor(var.timeout) == var.timeout
    error_message = "The timeout must be a whole number of seconds from 30 to 900."
  }
}

variable "operation_timeout_seconds" {
  description = "MCD_OPERATION_TIMEOUT_SECONDS: time an operation may run before the agent answers a Timeout envelope. Keep it below `timeout` so the agent, not Lambda, ends a slow operation (870 with the default 900)."
  type        = number
  default     = 870

  validation {
    condition     = var.operation_timeout_seconds >= 1 && floor(var.operation_timeout_seconds) == var.operation_timeout_seconds
    error_message = "The operation_timeout_seconds must be a positive whole number."
  }
}

variable "ephemeral_storage_mb" {
  description = "Size of /tmp in MB (MCD_TEMP_FOLDER defaults to it): downloads and upload_file sources live there."
  type        = number
  default     = 512

  validation {
    condition     = var.ephemeral_storage_mb >= 512 && var.ephemeral_storage_mb <= 10240
    error_message = "The ephemeral_storage_mb must be from 512 to 10240."
  }
}

variable "reserved_concurrent_executions" {
  description = "Reserved concurrency of the function; -1 for none (the account's unreserved pool). Async operations invoke the function again, so a small value also bounds them."
  type        = number
  default     = -1

  validation {
    condition     = var.reserved_concurrent_executions >= -1
    error_message = "The reserved_concurrent_executions must be -1 (unreserved) or a non-negative number."
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
  description = "Extra environment variables for the agent (any MCD_* setting from the README's Configuration table, e.g. MCD_NETWORK_BLOCKED_CIDRS). The variables this module manages cannot be overridden here."
  type        = map(string)
  default     = {}

  validation {
    condition = alltrue([for key in keys(var.environment_variables) : !contains([
      "MCD_STORAGE", "MCD_STORAGE_BUCKET_NAME", "MCD_STORAGE_PREFIX", "MCD_AGENT_WRAPPER_TYPE",
      "MCD_OPERATION_TIMEOUT_SECONDS", "MCD_LOG_LEVEL", "MCD_AGENT_IS_REMOTE_UPGRADABLE", "MCD_LOG_GROUP_ID",
      "MCD_CONFIG_SOURCE", "MCD_CONFIG_SOURCE_OVERRIDES",
    ], key)])
    error_message = "The environment_variables must not set MCD_STORAGE, MCD_STORAGE_BUCKET_NAME, MCD_STORAGE_PREFIX, MCD_AGENT_WRAPPER_TYPE, MCD_OPERATION_TIMEOUT_SECONDS, MCD_LOG_LEVEL, MCD_AGENT_IS_REMOTE_UPGRADABLE, MCD_LOG_GROUP_ID, MCD_CONFIG_SOURCE or MCD_CONFIG_SOURCE_OVERRIDES: use this module's variables (config_source grants the read permission with it)."
  }
}

variable "log_retention_days" {
  description = "Retention of the function's CloudWatch log group in days."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "The log_retention_days must be a value CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, ...)."
  }
}

variable "log_kms_key_arn" {
  description = "KMS key ARN that encrypts the log group; null for CloudWatch's default encryption. The key policy must allow the CloudWatch Logs service."
  type        = string
  default     = null

  validation {
    condition     = var.log_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:", var.log_kms_key_arn))
    error_message = "The log_kms_key_arn must be a KMS key ARN."
  }
}

variable "async_max_event_age_seconds" {
  description = "How long an async self-invocation may wait in Lambda's internal queue before it is dropped (60-21600)."
  type        = number
  default     = 3600

  validation {
    condition     = var.async_max_event_age_seconds >= 60 && var.async_max_event_age_seconds <= 21600
    error_message = "The async_max_event_age_seconds must be from 60 to 21600."
  }
}

variable "enable_remote_upgrade" {
  description = "Let the control plane upgrade the agent in place (POST /api/v1/upgrade, through the agent's image gate) and read its memory and concurrency (/api/v1/infra/details): sets MCD_AGENT_IS_REMOTE_UPGRADABLE and grants the role GetFunction, UpdateFunctionCode, UpdateFunctionConfiguration and PutFunctionConcurrency on this function, and image pulls from the repository of image_uri."
  type        = bool
  default     = false
}

variable "enable_platform_logs" {
  description = "Let the control plane read the function's CloudWatch logs (/api/v1/aws/logs/*): sets MCD_LOG_GROUP_ID and grants FilterLogEvents and Logs Insights queries on the function's log group."
  type        = bool
  default     = false
}

# ---------------------------------------------------------------------------------------------------------------------
# Storage
# ---------------------------------------------------------------------------------------------------------------------

variable "create_bucket" {
  description = "Create the agent's S3 bucket (private, encrypted, lifecycle rules). false: use the existing bucket named by bucket_name."
  type        = bool
  default     = true
}

variable "bucket_name" {
  description = "Name of the agent's bucket. With create_bucket, null generates a unique name from `name`; without it, the existing bucket to use (required)."
  type        = string
  default     = null

  validation {
    condition     = var.bucket_name == null || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_name))
    error_message = "The bucket_name must be a valid S3 bucket name (3-63 lowercase letters, digits, dots, hyphens)."
  }
}

variable "storage_prefix" {
  description = "MCD_STORAGE_PREFIX: key prefix of everything the agent stores; the IAM policy and lifecycle rules are scoped to it. \"\" for the whole bucket."
  type        = string
  default     = "mcd"

  validation {
    condition     = can(regex("^([A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*)?$", var.storage_prefix))
    error_message = "The storage_prefix must be \"\" or path segments of letters, digits, '_', '.', '-' without leading or trailing '/'."
  }
}

variable "bucket_kms_key_arn" {
  description = "KMS key ARN for SSE-KMS on the bucket (and granted to the role for a bucket that uses it); null for SSE-S3 (AES256)."
  type        = string
  default     = null

  validation {
    condition     = var.bucket_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:", var.bucket_kms_key_arn))
    error_message = "The bucket_kms_key_arn must be a KMS key ARN."
  }
}

variable "response_retention_days" {
  description = "Days after which offloaded responses (<prefix>/responses/) expire. Pre-signed URLs live an hour by default, so one day is plenty."
  type        = number
  default     = 1

  validation {
    condition     = var.response_retention_days >= 1
    error_message = "The response_retention_days must be at least 1."
  }
}

variable "async_retention_days" {
  description = "Days after which async operation status records (<prefix>/async/) expire."
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

# ---------------------------------------------------------------------------------------------------------------------
# Access
# ---------------------------------------------------------------------------------------------------------------------

variable "invoker_principals" {
  description = "Principals allowed to invoke the function: the control plane's AWS account ID or IAM role/user ARN. Each gets lambda:InvokeFunction (and lambda:InvokeFunctionUrl when the URL is enabled)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for p in var.invoker_principals : can(regex("^([0-9]{12}|arn:aws[a-z-]*:iam::[0-9]{12}:(root|role/.+|user/.+))$", p))])
    error_message = "The invoker_principals must be 12-digit AWS account IDs or IAM role/user ARNs."
  }
}

variable "enable_function_url" {
  description = "Create a Function URL (auth AWS_IAM: callers sign requests with SigV4) as an HTTPS front besides direct invokes."
  type        = bool
  default     = false
}

variable "enable_destinations_api" {
  description = "Create a REST API (API Gateway) that takes webhook-destination payloads on POST /api/v1/destinations/{destination} with an API key (x-api-key header), as the Amperity Lambda runner is deployed; its URL and key are outputs."
  type        = bool
  default     = false
}

variable "config_source" {
  description = "MCD_CONFIG_SOURCE: where the agent reads the rest of its configuration at start-up (once per cold start): `ssm:/<path>/` (every parameter under the path, each named by its last segment), `ssm:/<name>` (one parameter holding a JSON object) or `secretsmanager:<name or ARN>` (a JSON object). The role may read exactly that path, parameter or secret, and decrypt through that service only. null: none."
  type        = string
  default     = null

  validation {
    condition     = var.config_source == null || can(regex("^(ssm:/[A-Za-z0-9_.\\-/]*[A-Za-z0-9_.\\-]/?|secretsmanager:[A-Za-z0-9/_+=.@:-]+)$", var.config_source))
    error_message = "The config_source must be ssm:/<path>/, ssm:/<parameter> or secretsmanager:<name or ARN>."
  }
}

variable "config_source_overrides" {
  description = "MCD_CONFIG_SOURCE_OVERRIDES: the store's values win over the function's environment, which this module fills (MCD_LOG_LEVEL, MCD_STORAGE_PREFIX, …). false: the environment wins."
  type        = bool
  default     = false
}

variable "destinations_api_throttle" {
  description = "Steady requests per second and burst allowed to the destinations API's key (its usage plan)."
  type        = object({ rate_limit = number, burst_limit = number })
  default     = { rate_limit = 10, burst_limit = 20 }

  validation {
    condition     = var.destinations_api_throttle.rate_limit > 0 && var.destinations_api_throttle.burst_limit >= 1
    error_message = "The destinations_api_throttle needs a rate_limit above 0 and a burst_limit of at least 1."
  }
}

variable "secrets_manager_secret_arns" {
  description = "Secrets Manager secret ARNs the agent may read for self-hosted credentials (aws_secrets_manager). Wildcards allowed, e.g. arn:aws:secretsmanager:<region>:<account>:secret:mcd/*."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.secrets_manager_secret_arns : can(regex("^arn:aws[a-z-]*:secretsmanager:", arn))])
    error_message = "The secrets_manager_secret_arns must be Secrets Manager ARNs."
  }
}

variable "ssm_parameter_arns" {
  description = "SSM Parameter Store ARNs the agent may read for self-hosted credentials (aws_ssm_parameter)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.ssm_parameter_arns : can(regex("^arn:aws[a-z-]*:ssm:", arn))])
    error_message = "The ssm_parameter_arns must be SSM parameter ARNs."
  }
}

variable "kms_key_arns" {
  description = "KMS key ARNs the agent may use to decrypt credentials (decryption_service_type kms, or secrets/parameters encrypted with a customer key)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.kms_key_arns : can(regex("^arn:aws[a-z-]*:kms:", arn))])
    error_message = "The kms_key_arns must be KMS key ARNs."
  }
}

variable "assumable_role_arns" {
  description = "IAM roles the agent may assume with STS (assumable_role in self-hosted credentials envelopes and in AWS connection credentials), typically in other accounts; empty for none."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.assumable_role_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$", arn))])
    error_message = "The assumable_role_arns must be IAM role ARNs."
  }
}

variable "permissions_boundary_arn" {
  description = "IAM permissions boundary attached to the function's role; null for none."
  type        = string
  default     = null

  validation {
    condition     = var.permissions_boundary_arn == null || can(regex("^arn:aws[a-z-]*:iam::", var.permissions_boundary_arn))
    error_message = "The permissions_boundary_arn must be an IAM policy ARN."
  }
}

# ---------------------------------------------------------------------------------------------------------------------
# Network
# ---------------------------------------------------------------------------------------------------------------------

variable "subnet_ids" {
  description = "Private subnets to attach the function to, to reach data sources inside a VPC. The subnets need a NAT gateway or VPC endpoints for S3 and Lambda (self-invoke). Empty: no VPC."
  type        = list(string)
  default     = []
}

variable "security_group_ids" {
  description = "Security groups of the function's network interfaces; required with subnet_ids."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Tags added to every resource this module creates."
  type        = map(string)
  default     = {}
}
