terraform {
  # 1.5: lifecycle preconditions and optional object attributes used by this module.
  required_version = ">= 1.5.0"

  required_providers {
    google = {
      source = "hashicorp/google"
      # 5.x: google_cloud_run_v2_service with direct VPC egress, deletion_protection (5.21+) and cpu_idle.
      version = ">= 5.21, < 7.0"
    }
    random = {
      source  = "hashicorp/random"
      version = ">= 3.5, < 4.0"
    }
  }
}
