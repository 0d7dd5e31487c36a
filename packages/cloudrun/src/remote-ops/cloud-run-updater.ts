import type { AgentUpdater, UpdateRequest } from '@artemis/core/runtime';
import { OperationError } from '@artemis/core/runtime';
import { type protos, ServicesClient } from '@google-cloud/run';
import { instance } from 'gcp-metadata';
import type { GcpRemoteOpsOptions } from './gcp-remote-ops-options';

/*
 * The Cloud Run updater (apollo-inventory §8.3, Apollo's `CloudRunUpdater`): the service is read with the Admin API
 * v2, its first container gets the new image (and MCD_AGENT_IMAGE_TAG, when the deployment set it, the same value),
 * and the update is awaited as the long-running operation it is, up to `timeout` seconds (default 300).
 */

type Service = protos.google.cloud.run.v2.IService;

const IMAGE_TAG_VARIABLE = 'MCD_AGENT_IMAGE_TAG';
const DEFAULT_TIMEOUT_SECONDS = 300;

export class CloudRunUpdater implements AgentUpdater {
  private readonly client: ServicesClient;
  private name: Promise<string> | undefined;

  constructor(
    private readonly serviceName: string | undefined,
    options: GcpRemoteOpsOptions = {},
  ) {
    this.client = new ServicesClient({ ...options.client } as ConstructorParameters<typeof ServicesClient>[0]);
  }

  async currentImage(): Promise<string | undefined> {
    return (await this.service()).template?.containers?.[0]?.image ?? undefined;
  }

  async update({ image, timeoutSeconds }: UpdateRequest): Promise<Record<string, unknown>> {
    const service = await this.service();
    const container = service.template?.containers?.[0];
    if (image) {
      if (!container) throw new OperationError('The Cloud Run service has no container to update');
      container.image = image;
      const tag = container.env?.find((variable) => variable.name === IMAGE_TAG_VARIABLE);
      if (tag) tag.value = image;
    }
    const [operation] = await this.client.updateService({ service });
    const seconds = timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new OperationError(`The Cloud Run update did not finish within ${seconds} seconds`)),
        seconds * 1000,
      );
    });
    try {
      const [updated] = await Promise.race([operation.promise(), timeout]);
      return { 'service-name': updated.name ?? null, revision: updated.latestCreatedRevision ?? null };
    } finally {
      clearTimeout(timer);
    }
  }

  async updateLogs(): Promise<unknown[]> {
    return [];
  }

  async infraDetails(): Promise<Record<string, unknown>> {
    return {};
  }

  private async service(): Promise<Service> {
    const [service] = await this.client.getService({ name: await this.fullName() });
    return service;
  }

  /**
   * `projects/<number>/locations/<region>/services/<K_SERVICE>`: Cloud Run tells its service name in K_SERVICE and
   * its region only through the metadata server (`projects/<number>/regions/<region>`).
   */
  private fullName(): Promise<string> {
    this.name ??= (async () => {
      const region = String(await instance('region'));
      if (!this.serviceName || !/^projects\/[^/]+\/regions\/[^/]+$/.test(region)) {
        throw new OperationError('Service name and region are required to update a CloudRun service');
      }
      return `${region.replace('/regions/', '/locations/')}/services/${this.serviceName}`;
    })().catch((error: unknown) => {
      this.name = undefined;
      throw error;
    });
    return this.name;
  }
}
