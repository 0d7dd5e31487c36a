import type { AgentServices } from '../agent/agent-services';
import type { ConnectorModule, Credentials } from '../connectors/proxy-client';
import { envelopeAwsConfig } from '../credentials/envelope-aws-config';
import { networkGuardFor } from '../network/guard-for';
import { analyzePipeline, type CompiledPipeline } from './compile-pipeline';
import type { CredentialPipeline } from './credential-pipeline';
import { CtpPipelineError } from './ctp-errors';
import { rawCredentials } from './raw-credentials';
import { runPipeline } from './run-pipeline';
import { TempFiles } from './temp-files';

/** A network exchange of a transform (token endpoint, remote file) is bounded by this, or the operation timeout. */
const TRANSFORM_TIMEOUT_MS = 30_000;

export interface ShapedCredentials {
  readonly credentials: Credentials;
  /** Deletes what the pipeline left on disk; called when the client is closed. */
  readonly dispose: () => Promise<void>;
}

/**
 * SPEC §9.1, Apollo's `CtpRegistry.resolve`: credentials → `{"connect_args": <pipeline output>}` through the
 * request's `ctp_config` if it has one, else the connector's default pipeline. Flat credentials and pre-shaped ones
 * (`{"connect_args": {…}, …siblings}`, merged as `{…siblings, …connect_args}`) take the same path; a `connect_args`
 * that is not an object (a connection string) and empty credentials pass unchanged.
 */
export async function shapeCredentials(
  services: AgentServices,
  connectionType: string,
  connector: ConnectorModule,
  credentials: Credentials,
  custom: CompiledPipeline | undefined,
): Promise<ShapedCredentials> {
  const pipeline = custom ?? compiledDefault(connectionType, connector.credentialPipeline);
  const raw = rawCredentials(credentials);
  if (!pipeline || !raw) return { credentials, dispose: async () => undefined };
  const tempFiles = new TempFiles(services.config.tempFolder);
  try {
    const connectArgs = await runPipeline(
      pipeline,
      raw,
      { platform: services.platform, connection_type: connectionType },
      {
        network: () => networkGuardFor(services),
        tempFiles,
        storage: () => services.storage(),
        awsClientConfig: (session) =>
          envelopeAwsConfig(session, {
            env: services.env,
            clients: { aws: services.awsClientOverrides },
            fileDirs: [],
          }),
        now: () => Date.now(),
        timeoutMs: Math.min(TRANSFORM_TIMEOUT_MS, services.config.operationTimeoutSeconds * 1000),
      },
    );
    return { credentials: { connect_args: connectArgs }, dispose: () => tempFiles.deleteAll() };
  } catch (error) {
    await tempFiles.deleteAll();
    throw error;
  }
}

const compiledDefaults = new WeakMap<CredentialPipeline, CompiledPipeline>();

/** A connector's default, compiled once. A default that does not compile is the connector's bug, reported as such. */
export function compiledDefault(
  connectionType: string,
  registered: CredentialPipeline | undefined,
): CompiledPipeline | undefined {
  if (!registered) return undefined;
  let compiled = compiledDefaults.get(registered);
  if (!compiled) {
    const analysis = analyzePipeline(registered.config, registered);
    if (!analysis.pipeline) {
      throw new CtpPipelineError(
        'registry',
        `The default pipeline of ${connectionType} is invalid: ${analysis.errors.join('; ')}`,
      );
    }
    compiled = analysis.pipeline;
    compiledDefaults.set(registered, compiled);
  }
  return compiled;
}
