terraform {
  # 1.5: lifecycle preconditions and optional object attributes used by this module.
  required_version = ">= 1.5.0"

  required_providers {
    google = {
      # 6.0 added deletion_protection to google_cloud_run_v2_service (and turned it on by default).
      source  = "hashicorp/google"
      version = ">= 6.0, < 7.0"
    }
    random = {
      source  = "hashicorp/random"
      version = ">= 3.5, < 4.0"
    }
  }
}
