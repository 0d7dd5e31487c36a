import type { DeployOptions } from './deploy-options';
import { type Command, type DeployPlan, dockerBuild, terraformCommands, terraformFile } from './deploy-plan';

/** Azure Functions: build the `azure` image, push it to Azure Container Registry, apply the azure-functions module. */
export function azurePlan(options: DeployOptions): DeployPlan {
  const subscription = options.required('subscription');
  const resourceGroup = options.required('resource-group');
  const location = options.required('location');
  const registry = options.required('registry');
  const server = `${registry}.azurecr.io`;
  // The `-azure` tag suffix lets the agent's upgrade gate refuse an image built for another platform.
  const tag = `${options.version}-azure`;
  const image = `${server}/artemis-agent:${tag}`;
  const file = terraformFile(options, {
    provider: 'azurerm',
    providerSource: 'hashicorp/azurerm',
    providerConfig: { features: {}, subscription_id: subscription },
    module: 'azure-functions',
    inputs: {
      resource_group_name: resourceGroup,
      location,
      container_image: { registry_url: `https://${server}`, image_name: 'artemis-agent', image_tag: tag },
    },
    outputs: ['function_app_name', 'function_app_url', 'default_function_key'],
    sensitiveOutputs: ['default_function_key'],
  });
  if (options.remove) return { files: [file], commands: terraformCommands(options.stateDir, true, options.yes) };
  const commands: Command[] = [
    dockerBuild('azure', image, options, 'build the Azure Functions image'),
    { argv: ['az', 'acr', 'login', '--name', registry], why: 'log docker in to the registry' },
    { argv: ['docker', 'push', image], why: 'push the image' },
    ...terraformCommands(options.stateDir, false, options.yes),
    {
      argv: [
        'sh',
        '-c',
        `curl -sf -H "x-functions-key: $(terraform -chdir=${options.stateDir} output -raw default_function_key)" "$(terraform -chdir=${options.stateDir} output -raw function_app_url)/api/v1/test/health?trace_id=deploy"`,
      ],
      why: 'call the health route with the function key',
    },
  ];
  return { files: [file], commands };
}
