terraform {
  # 1.5: `check` blocks and lifecycle preconditions used by this module.
  required_version = ">= 1.5.0"

  required_providers {
    aws = {
      # 5.40+: aws_lambda_function.logging_config and aws_lambda_function_url invoke_mode; 6.x is API compatible here.
      source  = "hashicorp/aws"
      version = ">= 5.40, < 7.0"
    }
  }
}
