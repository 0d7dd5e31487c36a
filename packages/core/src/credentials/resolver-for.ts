import type { AgentServices } from '../agent/agent-services';
import type { Credentials } from '../connectors/proxy-client';
import type { SelfHostedCredentialsOptions } from './self-hosted-options';
import { SelfHostedCredentialsResolver } from './self-hosted-resolver';

const resolvers = new WeakMap<AgentServices, SelfHostedCredentialsResolver>();

/**
 * The default `resolveCredentials` step for self-hosted envelopes: one resolver (and so one cache) per agent,
 * created on the first self-hosted request. `createAgent` imports this module only then.
 */
export function resolveSelfHostedCredentials(
  services: AgentServices,
  credentials: Credentials,
  clients: SelfHostedCredentialsOptions | undefined,
): Promise<Credentials> {
  let resolver = resolvers.get(services);
  if (!resolver) {
    resolver = new SelfHostedCredentialsResolver({
      ttlSeconds: services.config.externalCredentialsCacheTtlSeconds,
      logger: services.logger,
      // The agent's environment (injectable, process.env by default): env_var secrets and AWS_CA_BUNDLE come from it.
      env: services.env,
      fileDirs: services.config.credentialsFileDirs,
      envVarAllowList: services.config.credentialsEnvVars,
      ...(clients ? { clients } : {}),
    });
    resolvers.set(services, resolver);
  }
  return resolver.resolve(credentials);
}
