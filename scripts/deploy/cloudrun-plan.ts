import type { DeployOptions } from './deploy-options';
import { type Command, type DeployPlan, dockerBuild, terraformCommands, terraformFile } from './deploy-plan';

/** Google Cloud Run: build the `cloudrun` image, push it to Artifact Registry, apply the gcp-cloudrun module. */
export function cloudRunPlan(options: DeployOptions): DeployPlan {
  const project = options.required('project');
  const region = options.required('region');
  const repository = options.value('repository') ?? 'artemis';
  const registry = `${region}-docker.pkg.dev`;
  // The `-cloudrun` tag suffix lets the agent's upgrade gate refuse an image built for another platform.
  const image = `${registry}/${project}/${repository}/agent:${options.version}-cloudrun`;
  const file = terraformFile(options, {
    provider: 'google',
    providerSource: 'hashicorp/google',
    providerConfig: { project, region },
    module: 'gcp-cloudrun',
    inputs: { project_id: project, region, image, invoker_service_account_emails: options.list('invoker') },
    outputs: ['service_url', 'service_account_email', 'bucket_name'],
  });
  if (options.remove) return { files: [file], commands: terraformCommands(options.stateDir, true, options.yes) };
  const commands: Command[] = [
    dockerBuild('cloudrun', image, options, 'build the Cloud Run image'),
    {
      argv: ['gcloud', 'artifacts', 'repositories', 'describe', repository, '--project', project, '--location', region],
      orElse: [
        'gcloud',
        'artifacts',
        'repositories',
        'create',
        repository,
        '--project',
        project,
        '--location',
        region,
        '--repository-format',
        'docker',
      ],
      why: 'create the Artifact Registry repository unless it exists',
    },
    { argv: ['gcloud', 'auth', 'configure-docker', registry, '--quiet'], why: 'let docker push to Artifact Registry' },
    { argv: ['docker', 'push', image], why: 'push the image' },
    ...terraformCommands(options.stateDir, false, options.yes),
    {
      argv: [
        'sh',
        '-c',
        `curl -sf -H "Authorization: Bearer $(gcloud auth print-identity-token)" "$(terraform -chdir=${options.stateDir} output -raw service_url)/api/v1/test/health?trace_id=deploy"`,
      ],
      why: 'call the health route (your account needs run.invoker)',
    },
  ];
  return { files: [file], commands };
}
