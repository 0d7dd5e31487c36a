import { nativeConnectors } from '@artemis/connectors';
import { type Agent, type AgentConfig, createAgent, createLogger } from '@artemis/core/runtime';
import { cloudRunLogSink } from './cloud-logging';
import { cloudRunRemoteOps } from './remote-ops/cloud-run-remote-ops';
import { withCloudTrace } from './traced-agent';

/** The agent as both Cloud Run entries build it: platform GCP, GCS by default, Cloud Logging lines with traces. */
export function createCloudRunAgent(config: AgentConfig): Agent {
  const agent = createAgent({
    config,
    platform: 'GCP',
    defaultStorage: 'GCS',
    connectors: nativeConnectors,
    logger: createLogger(config.logLevel, cloudRunLogSink()),
    remoteOps: cloudRunRemoteOps(),
    platformInfo: () => ({
      service: process.env.K_SERVICE,
      revision: process.env.K_REVISION,
      configuration: process.env.K_CONFIGURATION,
      function_target: process.env.FUNCTION_TARGET,
    }),
  });
  return withCloudTrace(agent, config.gcpProjectId);
}
