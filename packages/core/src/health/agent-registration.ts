import type { AgentConfig } from '../config/config';

/*
 * The registration information a backup-and-restore orchestrator asks of its agents (seed 004: agentId, scope,
 * apiVersion, softwareVersion), in the agent's own snake_case: health reports it so an orchestrator can identify
 * the agent, and every fragment-set manifest records it so a restore can check what wrote the backup.
 */

/** The version of the orchestrator-facing API these blocks follow (the seed's guide: "1.0.0"). */
export const REGISTRATION_API_VERSION = '1.0.0';

export interface SoftwareVersion {
  readonly product_name: string;
  readonly product_number: string;
  readonly revision: string;
  readonly production_date: string | null;
  readonly description: string;
  readonly type: string;
}

export interface AgentRegistration {
  readonly agent_id: string;
  readonly scope: string | null;
  readonly api_version: string;
  readonly software_version: SoftwareVersion;
}

export function agentRegistration(config: AgentConfig): AgentRegistration {
  const { agent } = config;
  return {
    agent_id: agent.id,
    scope: agent.scope ?? null,
    api_version: REGISTRATION_API_VERSION,
    software_version: {
      product_name: agent.productName,
      product_number: agent.productNumber,
      // The build's own revision (MCD_AGENT_BUILD, set by the image build), as health's `build` reports it.
      revision: config.build,
      production_date: agent.productionDate ?? null,
      description: agent.description,
      type: agent.type,
    },
  };
}
