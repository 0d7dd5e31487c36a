import type { AgentUpdater, ParameterValue, UpdateRequest } from '@artemis/core/runtime';
import { BadRequestError, OperationError } from '@artemis/core/runtime';
import { WebSiteManagementClient } from '@azure/arm-appservice';
import type { TokenCredential } from '@azure/identity';
import type { AzureRemoteOpsOptions } from './azure-remote-ops-options';

/*
 * The Azure Functions updater (apollo-inventory §8.4, Apollo's `AzureUpdater`) over the ARM App Service API: the image
 * goes in the site's `linuxFxVersion` (`DOCKER|<image>`), and the app settings always get MCD_LAST_UPDATE_TS (a
 * change of settings restarts the app) plus the mapped parameters. It does not wait: the site restarts on its own.
 */

/** The control plane's friendly names of the app settings it may change (Apollo's map). */
export const PARAMETER_SETTINGS: Readonly<Record<string, string>> = {
  WorkerProcessCount: 'FUNCTIONS_WORKER_PROCESS_COUNT',
  // Kept for the protocol; the Node worker does not read it.
  ThreadCount: 'PYTHON_THREADPOOL_THREAD_COUNT',
  MaxConcurrentActivities: 'AzureFunctionsJobHost__extensions__durableTask__maxConcurrentActivityFunctions',
  MaxConcurrentOrchestratorFunctions:
    'AzureFunctionsJobHost__extensions__durableTask__maxConcurrentOrchestratorFunctions',
};
const ENV_PREFIX = 'env.';
export const LAST_UPDATE_SETTING = 'MCD_LAST_UPDATE_TS';
/**
 * Settings `env.<NAME>` may not change. Deviation: Apollo let the control plane set any app setting, which includes
 * the upgrade allow-list and the network guard, so one call could open the gate the other checks.
 */
const PROTECTED_SETTINGS =
  /^(MCD_AGENT_(IS_REMOTE_UPGRADABLE|UPGRADE_ALLOWED_REPOS)$|MCD_HTTP_|MCD_CONNECTOR_MODULES$|MCD_ADDITIONAL_ENV_VARS$|MCD_CREDENTIALS_FILE_DIRS$|MCD_TEMP_FOLDER$|MCD_AWS_CA_BUNDLE_SECRET_NAME$|AzureWebJobs|WEBSITE_|FUNCTIONS_EXTENSION_VERSION$|APPLICATIONINSIGHTS_|AZURE_)/;

export interface AzureSite {
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly name: string;
}

export class AzureSiteUpdater implements AgentUpdater {
  private readonly client: WebSiteManagementClient;

  constructor(
    private readonly site: AzureSite,
    credential: TokenCredential,
    private readonly env: Readonly<Record<string, string | undefined>>,
    private readonly options: AzureRemoteOpsOptions = {},
  ) {
    this.client = new WebSiteManagementClient(credential, site.subscriptionId, { ...options.arm });
  }

  /** `DOCKER|<image>`, as the site stores it (the upgrade gate strips the prefix). */
  async currentImage(): Promise<string | undefined> {
    const config = await this.client.webApps.getConfiguration(this.site.resourceGroup, this.site.name);
    return config.linuxFxVersion || undefined;
  }

  async update({ image, parameters }: UpdateRequest): Promise<Record<string, unknown>> {
    const settings = appSettings(parameters);
    if (image) {
      await this.client.webApps.updateConfiguration(this.site.resourceGroup, this.site.name, {
        linuxFxVersion: `DOCKER|${image}`,
      });
    }
    // The settings call replaces the whole set: read, merge, write.
    const current = await this.client.webApps.listApplicationSettings(this.site.resourceGroup, this.site.name);
    await this.client.webApps.updateApplicationSettings(this.site.resourceGroup, this.site.name, {
      properties: { ...current.properties, ...settings, [LAST_UPDATE_SETTING]: this.now().toISOString() },
    });
    const parts = ['Update in progress'];
    if (image) parts.push(`image: ${image}`);
    if (Object.keys(parameters).length > 0) parts.push(`parameters: ${JSON.stringify(parameters)}`);
    return { message: parts.join(', ') };
  }

  async updateLogs(): Promise<unknown[]> {
    return [];
  }

  /** The site's ARM resource, and the current value of every setting the control plane may change. */
  async infraDetails(): Promise<Record<string, unknown>> {
    const resource = await this.client.webApps.get(this.site.resourceGroup, this.site.name);
    const parameters = Object.fromEntries(
      Object.entries(PARAMETER_SETTINGS).map(([friendly, setting]) => [friendly, this.env[setting] ?? null]),
    );
    return { resource: JSON.parse(JSON.stringify(resource)) as unknown, parameters };
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }
}

/** The app settings the parameters change: Apollo's friendly names and `env.<NAME>`; other names are ignored. */
export function appSettings(parameters: Readonly<Record<string, ParameterValue>>): Record<string, string> {
  const settings: Record<string, string> = {};
  for (const [name, value] of Object.entries(parameters)) {
    const mapped = PARAMETER_SETTINGS[name];
    if (mapped) settings[mapped] = String(value);
    else if (name.startsWith(ENV_PREFIX)) {
      const setting = name.slice(ENV_PREFIX.length);
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(setting) || PROTECTED_SETTINGS.test(setting)) {
        throw new BadRequestError(`Invalid value for parameters: ${setting} cannot be changed remotely`);
      }
      settings[setting] = String(value);
    }
  }
  return settings;
}

/** The site this Function app is, from the variables App Service sets (WEBSITE_OWNER_NAME = `<subscription>+…`). */
export function siteOf(env: Readonly<Record<string, string | undefined>>): AzureSite {
  const subscriptionId = env.WEBSITE_OWNER_NAME?.split('+')[0];
  const resourceGroup = env.WEBSITE_RESOURCE_GROUP;
  const name = env.WEBSITE_SITE_NAME;
  for (const [variable, value] of [
    ['WEBSITE_OWNER_NAME', subscriptionId],
    ['WEBSITE_RESOURCE_GROUP', resourceGroup],
    ['WEBSITE_SITE_NAME', name],
  ] as const) {
    if (!value) throw new OperationError(`Missing ${variable} environment variable`);
  }
  return { subscriptionId: subscriptionId as string, resourceGroup: resourceGroup as string, name: name as string };
}
