data "aws_partition" "current" {}

locals {
  # Never null: without a bucket the function's precondition names the problem, instead of an interpolation error in
  # the policies that would come first.
  bucket_name = var.create_bucket ? one(aws_s3_bucket.storage[*].id) : (var.bucket_name != null ? var.bucket_name : "")
  # Built from the name rather than read from a data source, so that an existing bucket need not be readable at plan.
  bucket_arn = "arn:${data.aws_partition.current.partition}:s3:::${local.bucket_name}"
  # The agent writes every key under "<prefix>/" (MCD_STORAGE_PREFIX); "" means the bucket root.
  key_prefix = var.storage_prefix == "" ? "" : "${var.storage_prefix}/"
  uses_vpc   = length(var.subnet_ids) > 0

  # Variables the module owns; var.environment_variables cannot override them (see its validation).
  managed_environment = {
    MCD_STORAGE                   = "S3"
    MCD_STORAGE_BUCKET_NAME       = local.bucket_name
    MCD_STORAGE_PREFIX            = var.storage_prefix
    MCD_AGENT_WRAPPER_TYPE        = "TERRAFORM"
    MCD_OPERATION_TIMEOUT_SECONDS = tostring(var.operation_timeout_seconds)
    MCD_LOG_LEVEL                 = var.log_level
    # SPEC §13: the upgrade route refuses unless this is true; the function's own log group for the log routes.
    MCD_AGENT_IS_REMOTE_UPGRADABLE = tostring(var.enable_remote_upgrade)
  }
  platform_logs_environment = var.enable_platform_logs ? { MCD_LOG_GROUP_ID = aws_cloudwatch_log_group.agent.name } : {}
  config_source_environment = var.config_source == null ? {} : {
    MCD_CONFIG_SOURCE           = var.config_source
    MCD_CONFIG_SOURCE_OVERRIDES = tostring(var.config_source_overrides)
  }
  environment = merge(
    var.environment_variables,
    local.managed_environment,
    local.platform_logs_environment,
    local.config_source_environment,
  )

  # MCD_CONFIG_SOURCE (issue 17): the one parameter path, parameter or secret the role may read at start-up. The
  # region and account come from the log group's ARN (no data source: the offline plan stays offline).
  log_group_arn_parts = split(":", aws_cloudwatch_log_group.agent.arn)
  config_source_arn_base = join(":", [
    "arn", data.aws_partition.current.partition, "%s", local.log_group_arn_parts[3], local.log_group_arn_parts[4],
  ])
  config_source_text = var.config_source == null ? "" : var.config_source
  config_source_ssm  = startswith(local.config_source_text, "ssm:") ? trimprefix(local.config_source_text, "ssm:") : ""
  # GetParametersByPath is authorised on the path itself (without its final slash) and then reads every level under it.
  config_source_parameter_arn = "${format(local.config_source_arn_base, "ssm")}:parameter${trimsuffix(local.config_source_ssm, "/")}"
  config_source_secret        = startswith(local.config_source_text, "secretsmanager:") ? trimprefix(local.config_source_text, "secretsmanager:") : ""
  # A secret named by name: Secrets Manager appends "-" and 6 random characters to its ARN.
  config_source_secret_arn = startswith(local.config_source_secret, "arn:") ? local.config_source_secret : "${format(local.config_source_arn_base, "secretsmanager")}:secret:${local.config_source_secret}-??????"
  config_source_read = (
    local.config_source_ssm != "" ? {
      action    = endswith(local.config_source_ssm, "/") ? "ssm:GetParametersByPath" : "ssm:GetParameter"
      resource  = local.config_source_parameter_arn
      service   = "ssm"
      context   = "kms:EncryptionContext:PARAMETER_ARN"
      encrypted = endswith(local.config_source_ssm, "/") ? "${local.config_source_parameter_arn}/*" : local.config_source_parameter_arn
      } : local.config_source_secret != "" ? {
      action    = "secretsmanager:GetSecretValue"
      resource  = local.config_source_secret_arn
      service   = "secretsmanager"
      context   = "kms:EncryptionContext:SecretARN"
      encrypted = local.config_source_secret_arn
    } : null
  )

  # The ECR repository of image_uri (<account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag>): a remote upgrade
  # may set images of that repository, and Lambda checks that whoever sets an image may pull it.
  image_parts    = regex("^([0-9]+)\\.dkr\\.ecr\\.([a-z0-9-]+)\\.amazonaws\\.com(?:\\.cn)?/([^:@]+)", var.image_uri)
  repository_arn = "arn:${data.aws_partition.current.partition}:ecr:${local.image_parts[1]}:${local.image_parts[0]}:repository/${local.image_parts[2]}"

  # Statement ids of lambda permissions: stable per principal whatever its position in the list.
  invokers = { for principal in var.invoker_principals : substr(sha1(principal), 0, 16) => principal }
}

# ---------------------------------------------------------------------------------------------------------------------
# Storage bucket (SPEC §7): private, encrypted, TLS only, responses and async records expire
# ---------------------------------------------------------------------------------------------------------------------

resource "aws_s3_bucket" "storage" {
  count = var.create_bucket ? 1 : 0

  bucket        = var.bucket_name
  bucket_prefix = var.bucket_name == null ? "${substr(var.name, 0, 36)}-" : null
  force_destroy = var.bucket_force_destroy
  tags          = var.tags
}

resource "aws_s3_bucket_public_access_block" "storage" {
  count = var.create_bucket ? 1 : 0

  bucket                  = aws_s3_bucket.storage[0].id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "storage" {
  count = var.create_bucket ? 1 : 0

  bucket = aws_s3_bucket.storage[0].id
  rule {
    # ACLs disabled: access is decided by IAM and the bucket policy alone.
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "storage" {
  count = var.create_bucket ? 1 : 0

  bucket = aws_s3_bucket.storage[0].id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = var.bucket_kms_key_arn == null ? "AES256" : "aws:kms"
      kms_master_key_id = var.bucket_kms_key_arn
    }
    bucket_key_enabled = var.bucket_kms_key_arn != null
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "storage" {
  count = var.create_bucket ? 1 : 0

  bucket = aws_s3_bucket.storage[0].id

  rule {
    id     = "expire-offloaded-responses"
    status = "Enabled"
    filter {
      prefix = "${local.key_prefix}responses/"
    }
    expiration {
      days = var.response_retention_days
    }
  }

  rule {
    id     = "expire-async-status"
    status = "Enabled"
    filter {
      prefix = "${local.key_prefix}async/"
    }
    expiration {
      days = var.async_retention_days
    }
  }

  rule {
    id     = "abort-incomplete-multipart-uploads"
    status = "Enabled"
    filter {
      prefix = local.key_prefix
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }
}

data "aws_iam_policy_document" "bucket" {
  count = var.create_bucket ? 1 : 0

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.storage[0].arn, "${aws_s3_bucket.storage[0].arn}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "storage" {
  count = var.create_bucket ? 1 : 0

  bucket = aws_s3_bucket.storage[0].id
  policy = data.aws_iam_policy_document.bucket[0].json
  # A bucket policy put before the public access block could be judged public and refused.
  depends_on = [aws_s3_bucket_public_access_block.storage]
}

# ---------------------------------------------------------------------------------------------------------------------
# Execution role: logs, the bucket prefix, optional credential stores; self-invoke is attached after the function
# ---------------------------------------------------------------------------------------------------------------------

data "aws_iam_policy_document" "assume_role" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "agent" {
  name                 = "${var.name}-role"
  description          = "Execution role of the ${var.name} agent function."
  assume_role_policy   = data.aws_iam_policy_document.assume_role.json
  permissions_boundary = var.permissions_boundary_arn
  tags                 = var.tags
}

resource "aws_cloudwatch_log_group" "agent" {
  # Created here (not by Lambda on first run) so that retention applies and the role needs no logs:CreateLogGroup.
  name              = "/aws/lambda/${var.name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.log_kms_key_arn
  tags              = var.tags
}

data "aws_iam_policy_document" "agent" {
  statement {
    sid       = "WriteOwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.agent.arn}:*"]
  }

  statement {
    sid = "AgentObjects"
    # HeadObject is covered by GetObject; multipart uploads by PutObject (+ Abort to clean up a failed one).
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]
    resources = ["${local.bucket_arn}/${local.key_prefix}*"]
  }

  statement {
    sid = "AgentBucket"
    # ListBucket also authorises HeadBucket (check_storage_access), which carries no prefix, so it cannot be narrowed
    # with an s3:prefix condition. The Get* calls answer is_bucket_private.
    actions = [
      "s3:ListBucket",
      "s3:GetBucketPublicAccessBlock",
      "s3:GetBucketPolicyStatus",
      "s3:GetBucketAcl",
    ]
    resources = [local.bucket_arn]
  }

  dynamic "statement" {
    for_each = var.bucket_kms_key_arn == null ? [] : [var.bucket_kms_key_arn]
    content {
      sid       = "BucketEncryptionKey"
      actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
      resources = [statement.value]
    }
  }

  dynamic "statement" {
    for_each = length(var.secrets_manager_secret_arns) > 0 ? [var.secrets_manager_secret_arns] : []
    content {
      sid       = "SelfHostedCredentialsSecrets"
      actions   = ["secretsmanager:GetSecretValue"]
      resources = statement.value
    }
  }

  dynamic "statement" {
    for_each = length(var.ssm_parameter_arns) > 0 ? [var.ssm_parameter_arns] : []
    content {
      sid       = "SelfHostedCredentialsParameters"
      actions   = ["ssm:GetParameter"]
      resources = statement.value
    }
  }

  dynamic "statement" {
    for_each = length(var.kms_key_arns) > 0 ? [var.kms_key_arns] : []
    content {
      sid       = "SelfHostedCredentialsDecrypt"
      actions   = ["kms:Decrypt"]
      resources = statement.value
    }
  }

  dynamic "statement" {
    for_each = local.config_source_read == null ? [] : [local.config_source_read]
    content {
      sid       = "ConfigSourceRead"
      actions   = [statement.value.action]
      resources = [statement.value.resource]
    }
  }

  dynamic "statement" {
    # SecureStrings and secrets under a customer-managed key: decrypt through that service only, for that path or
    # secret only (the encryption context the service passes names it).
    for_each = local.config_source_read == null ? [] : [local.config_source_read]
    content {
      sid       = "ConfigSourceDecrypt"
      actions   = ["kms:Decrypt"]
      resources = ["${format(local.config_source_arn_base, "kms")}:key/*"]
      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["${statement.value.service}.${local.log_group_arn_parts[3]}.amazonaws.com"]
      }
      condition {
        test     = "StringLike"
        variable = statement.value.context
        values   = [statement.value.encrypted]
      }
    }
  }

  dynamic "statement" {
    for_each = length(var.assumable_role_arns) > 0 ? [var.assumable_role_arns] : []
    content {
      sid       = "AssumeListedRoles"
      actions   = ["sts:AssumeRole"]
      resources = statement.value
    }
  }
}

resource "aws_iam_role_policy" "agent" {
  name   = "${var.name}-agent"
  role   = aws_iam_role.agent.id
  policy = data.aws_iam_policy_document.agent.json
}

resource "aws_iam_role_policy_attachment" "vpc_access" {
  count = local.uses_vpc ? 1 : 0

  role = aws_iam_role.agent.name
  # ENI management has no resource-level scoping; the AWS managed policy is the narrowest available.
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"
}

# ---------------------------------------------------------------------------------------------------------------------
# Function
# ---------------------------------------------------------------------------------------------------------------------

resource "aws_lambda_function" "agent" {
  function_name                  = var.name
  description                    = "Artemis data-collection agent"
  role                           = aws_iam_role.agent.arn
  package_type                   = "Image"
  image_uri                      = var.image_uri
  architectures                  = [var.architecture]
  memory_size                    = var.memory_size
  timeout                        = var.timeout
  reserved_concurrent_executions = var.reserved_concurrent_executions

  ephemeral_storage {
    size = var.ephemeral_storage_mb
  }

  environment {
    variables = local.environment
  }

  logging_config {
    # The agent already writes one JSON object per line; Text keeps those lines as they are.
    log_format = "Text"
    log_group  = aws_cloudwatch_log_group.agent.name
  }

  dynamic "vpc_config" {
    for_each = local.uses_vpc ? [1] : []
    content {
      subnet_ids         = var.subnet_ids
      security_group_ids = var.security_group_ids
    }
  }

  tags = var.tags

  lifecycle {
    precondition {
      condition     = var.operation_timeout_seconds < var.timeout
      error_message = "The operation_timeout_seconds must be below timeout, so that the agent answers a Timeout envelope before Lambda kills the invocation."
    }
    precondition {
      condition     = var.create_bucket || var.bucket_name != null
      error_message = "The bucket_name is required when create_bucket is false."
    }
    precondition {
      condition     = length(var.subnet_ids) == 0 || length(var.security_group_ids) > 0
      error_message = "The security_group_ids is required with subnet_ids."
    }
  }

  # The role must hold its policies before the first invocation, and the log group must exist before Lambda writes.
  depends_on = [
    aws_iam_role_policy.agent,
    aws_iam_role_policy_attachment.vpc_access,
    aws_cloudwatch_log_group.agent,
  ]
}

data "aws_iam_policy_document" "self_invoke" {
  statement {
    sid = "AsyncSelfInvoke"
    # SPEC §8: the async route re-invokes this function with InvocationType Event; qualified ARNs cover aliases.
    actions   = ["lambda:InvokeFunction"]
    resources = [aws_lambda_function.agent.arn, "${aws_lambda_function.agent.arn}:*"]
  }
}

resource "aws_iam_role_policy" "self_invoke" {
  # A separate policy: inlined in the role it would make the role depend on the function that depends on the role.
  name   = "${var.name}-self-invoke"
  role   = aws_iam_role.agent.id
  policy = data.aws_iam_policy_document.self_invoke.json
}

# ---------------------------------------------------------------------------------------------------------------------
# Remote operations (SPEC §13), each behind its variable; separate policies because they name the function
# ---------------------------------------------------------------------------------------------------------------------

data "aws_iam_policy_document" "remote_upgrade" {
  count = var.enable_remote_upgrade ? 1 : 0

  statement {
    sid = "UpdateOwnFunction"
    # The direct updater: read the running image and settings (also infra details), set a new image, memory and
    # reserved concurrency. Unqualified ARN: the function itself, not its versions.
    actions = [
      "lambda:GetFunction",
      "lambda:UpdateFunctionCode",
      "lambda:UpdateFunctionConfiguration",
      "lambda:PutFunctionConcurrency",
    ]
    resources = [aws_lambda_function.agent.arn]
  }

  statement {
    sid       = "PullImagesOfOwnRepository"
    actions   = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
    resources = [local.repository_arn]
  }
}

resource "aws_iam_role_policy" "remote_upgrade" {
  count = var.enable_remote_upgrade ? 1 : 0

  name   = "${var.name}-remote-upgrade"
  role   = aws_iam_role.agent.id
  policy = data.aws_iam_policy_document.remote_upgrade[0].json
}

data "aws_iam_policy_document" "platform_logs" {
  count = var.enable_platform_logs ? 1 : 0

  statement {
    sid       = "ReadOwnLogs"
    actions   = ["logs:FilterLogEvents", "logs:StartQuery"]
    resources = [aws_cloudwatch_log_group.agent.arn, "${aws_cloudwatch_log_group.agent.arn}:*"]
  }

  statement {
    sid = "ReadOwnQueryResults"
    # StopQuery and GetQueryResults take a query id and support no resource-level permission.
    actions   = ["logs:StopQuery", "logs:GetQueryResults"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "platform_logs" {
  count = var.enable_platform_logs ? 1 : 0

  name   = "${var.name}-platform-logs"
  role   = aws_iam_role.agent.id
  policy = data.aws_iam_policy_document.platform_logs[0].json
}

resource "aws_lambda_function_event_invoke_config" "agent" {
  function_name = aws_lambda_function.agent.function_name
  # An async operation is not retried by Lambda: operations need not be idempotent, and the status record in storage
  # reports the failure to the control plane, which decides whether to run it again.
  maximum_retry_attempts       = 0
  maximum_event_age_in_seconds = var.async_max_event_age_seconds
}

resource "aws_lambda_permission" "invoke" {
  for_each = local.invokers

  statement_id  = "ArtemisInvoke-${each.key}"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.agent.function_name
  principal     = each.value
}

resource "aws_lambda_function_url" "agent" {
  count = var.enable_function_url ? 1 : 0

  function_name      = aws_lambda_function.agent.function_name
  authorization_type = "AWS_IAM"
  invoke_mode        = "BUFFERED"
}

resource "aws_lambda_permission" "invoke_url" {
  for_each = var.enable_function_url ? local.invokers : {}

  statement_id           = "ArtemisInvokeUrl-${each.key}"
  action                 = "lambda:InvokeFunctionUrl"
  function_name          = aws_lambda_function.agent.function_name
  principal              = each.value
  function_url_auth_type = "AWS_IAM"
}

# ---------------------------------------------------------------------------------------------------------------------
# Destinations API (SPEC §14): webhook-destination payloads over HTTPS with an API key, as the seed's runner is called
# ---------------------------------------------------------------------------------------------------------------------

resource "aws_api_gateway_rest_api" "destinations" {
  count = var.enable_destinations_api ? 1 : 0

  name           = "${var.name}-destinations"
  description    = "Webhook-destination payloads for the Artemis agent ${var.name}: POST /api/v1/destinations/{destination} with x-api-key."
  api_key_source = "HEADER"
  tags           = var.tags

  endpoint_configuration {
    types = ["REGIONAL"]
  }
}

resource "aws_api_gateway_resource" "api" {
  count = var.enable_destinations_api ? 1 : 0

  rest_api_id = aws_api_gateway_rest_api.destinations[0].id
  parent_id   = aws_api_gateway_rest_api.destinations[0].root_resource_id
  path_part   = "api"
}

resource "aws_api_gateway_resource" "api_v1" {
  count = var.enable_destinations_api ? 1 : 0

  rest_api_id = aws_api_gateway_rest_api.destinations[0].id
  parent_id   = aws_api_gateway_resource.api[0].id
  path_part   = "v1"
}

resource "aws_api_gateway_resource" "destinations" {
  count = var.enable_destinations_api ? 1 : 0

  rest_api_id = aws_api_gateway_rest_api.destinations[0].id
  parent_id   = aws_api_gateway_resource.api_v1[0].id
  path_part   = "destinations"
}

resource "aws_api_gateway_resource" "destination" {
  count = var.enable_destinations_api ? 1 : 0

  rest_api_id = aws_api_gateway_rest_api.destinations[0].id
  parent_id   = aws_api_gateway_resource.destinations[0].id
  path_part   = "{destination}"
}

# The key is the only authentication: the payload's own fields are checked by the agent, which answers at once and
# delivers in the background (well inside API Gateway's 29 s integration timeout).
resource "aws_api_gateway_method" "deliver" {
  count = var.enable_destinations_api ? 1 : 0

  rest_api_id      = aws_api_gateway_rest_api.destinations[0].id
  resource_id      = aws_api_gateway_resource.destination[0].id
  http_method      = "POST"
  authorization    = "NONE"
  api_key_required = true
}

resource "aws_api_gateway_integration" "deliver" {
  count = var.enable_destinations_api ? 1 : 0

  rest_api_id             = aws_api_gateway_rest_api.destinations[0].id
  resource_id             = aws_api_gateway_resource.destination[0].id
  http_method             = aws_api_gateway_method.deliver[0].http_method
  type                    = "AWS_PROXY"
  integration_http_method = "POST"
  uri                     = aws_lambda_function.agent.invoke_arn
}

resource "aws_api_gateway_deployment" "destinations" {
  count = var.enable_destinations_api ? 1 : 0

  rest_api_id = aws_api_gateway_rest_api.destinations[0].id
  triggers = {
    redeployment = sha1(jsonencode([aws_api_gateway_method.deliver[0].id, aws_api_gateway_integration.deliver[0].id]))
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_api_gateway_stage" "destinations" {
  count = var.enable_destinations_api ? 1 : 0

  rest_api_id   = aws_api_gateway_rest_api.destinations[0].id
  deployment_id = aws_api_gateway_deployment.destinations[0].id
  stage_name    = "live"
  tags          = var.tags
}

resource "aws_api_gateway_api_key" "destinations" {
  count = var.enable_destinations_api ? 1 : 0

  name        = "${var.name}-destinations"
  description = "The key the platform sends as x-api-key to the destinations API of ${var.name}."
  tags        = var.tags
}

resource "aws_api_gateway_usage_plan" "destinations" {
  count = var.enable_destinations_api ? 1 : 0

  name = "${var.name}-destinations"
  tags = var.tags

  api_stages {
    api_id = aws_api_gateway_rest_api.destinations[0].id
    stage  = aws_api_gateway_stage.destinations[0].stage_name
  }

  throttle_settings {
    rate_limit  = var.destinations_api_throttle.rate_limit
    burst_limit = var.destinations_api_throttle.burst_limit
  }
}

resource "aws_api_gateway_usage_plan_key" "destinations" {
  count = var.enable_destinations_api ? 1 : 0

  key_id        = aws_api_gateway_api_key.destinations[0].id
  key_type      = "API_KEY"
  usage_plan_id = aws_api_gateway_usage_plan.destinations[0].id
}

# API Gateway may invoke the function for this API's POST /api/v1/destinations/{destination} only.
resource "aws_lambda_permission" "destinations_api" {
  count = var.enable_destinations_api ? 1 : 0

  statement_id  = "ArtemisDestinationsApi"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.agent.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_api_gateway_rest_api.destinations[0].execution_arn}/${aws_api_gateway_stage.destinations[0].stage_name}/POST/api/v1/destinations/*"
}
