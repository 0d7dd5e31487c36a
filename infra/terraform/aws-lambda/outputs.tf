output "function_name" {
  description = "Name of the agent's Lambda function."
  value       = aws_lambda_function.agent.function_name
}

output "function_arn" {
  description = "ARN of the agent's Lambda function: what the control plane invokes."
  value       = aws_lambda_function.agent.arn
}

output "function_url" {
  description = "HTTPS endpoint of the Function URL (AWS_IAM auth), or null when enable_function_url is false."
  value       = one(aws_lambda_function_url.agent[*].function_url)
}

output "role_arn" {
  description = "ARN of the function's execution role."
  value       = aws_iam_role.agent.arn
}

output "role_name" {
  description = "Name of the function's execution role, to attach further policies (e.g. for connectors that read AWS services)."
  value       = aws_iam_role.agent.name
}

output "bucket_name" {
  description = "Bucket the agent stores responses and async records in (MCD_STORAGE_BUCKET_NAME)."
  value       = local.bucket_name
}

output "bucket_arn" {
  description = "ARN of the agent's bucket."
  value       = local.bucket_arn
}

output "log_group_name" {
  description = "CloudWatch log group of the function."
  value       = aws_cloudwatch_log_group.agent.name
}

output "health_check_command" {
  description = "AWS CLI command that invokes the health route directly."
  value       = "aws lambda invoke --region ${split(":", aws_lambda_function.agent.arn)[3]} --function-name ${aws_lambda_function.agent.arn} --cli-binary-format raw-in-base64-out --payload '{\"path\": \"/api/v1/test/health\", \"httpMethod\": \"GET\", \"queryStringParameters\": {\"trace_id\": \"1234\"}}' /dev/stdout"
}

output "destinations_api_url" {
  description = "Base URL of the destinations API (POST <url><destination> with x-api-key), or null when enable_destinations_api is false."
  value       = var.enable_destinations_api ? "${aws_api_gateway_stage.destinations[0].invoke_url}/api/v1/destinations/" : null
}

output "destinations_api_key" {
  description = "API key the platform sends as x-api-key to the destinations API (sensitive: terraform output -raw destinations_api_key), or null."
  value       = one(aws_api_gateway_api_key.destinations[*].value)
  sensitive   = true
}
