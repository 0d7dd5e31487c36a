import { type AgentConfig, loadConfig } from '../config/config';
import { prepareEnvironment } from '../credentials/prepare-environment';
import type { SelfHostedCredentialsOptions } from '../credentials/self-hosted-options';
import { StartupError } from '../errors/startup-errors';
import type { Agent } from './create-agent';

export interface BootOptions {
  /** Builds the runtime's agent from the parsed configuration: its platform, default storage, logger, connectors. */
  readonly createAgent: (config: AgentConfig) => Agent;
  /** Values the runtime implies, under the environment's own (Cloud Run's container: PORT 8080 on 0.0.0.0). */
  readonly defaults?: Readonly<Record<string, string>>;
  /** The environment to prepare and parse; process.env unless a test gives its own. */
  readonly env?: Record<string, string | undefined>;
  /** SDK client overrides for the start-up reads (CA bundle, configuration source): embedders' endpoints, tests' fakes. */
  readonly clients?: SelfHostedCredentialsOptions;
  /** What a start-up failure does with its one line; by default the line on stderr and exit code 1. */
  readonly fail?: (line: string) => never;
}

/**
 * The one start-up sequence of every entry point (generic, Lambda, both Cloud Run entries, Azure), so they cannot
 * drift: MCD_ADDITIONAL_ENV_VARS, the AWS CA bundle and MCD_CONFIG_SOURCE change the environment (prepareEnvironment),
 * the configuration is parsed from it (with the names the configuration source set, for health), the agent is built, the preparation's notes are logged through the agent's own logger, and the
 * plugins are loaded. Any failure on the way (an invalid variable, a CA bundle that cannot be fetched, a broken
 * plugin) is SPEC §10's one clear line and exit code 1, on every runtime.
 *
 * On Lambda the exit happens during INIT, so the init fails with that line: it is the last line of the INIT phase in
 * CloudWatch, and invokes answer `Runtime.ExitError` until a later init succeeds (see README, "AWS Lambda").
 */
export async function bootAgent(options: BootOptions): Promise<Agent> {
  const env = options.env ?? process.env;
  try {
    const { notes, configSourceVariables } = await prepareEnvironment(env, options.clients);
    const config = loadConfig({ ...options.defaults, ...env });
    const agent = options.createAgent(
      config.configSource
        ? { ...config, configSource: { ...config.configSource, variables: configSourceVariables } }
        : config,
    );
    for (const note of notes) agent.logger.info(note);
    await agent.ready();
    return agent;
  } catch (error) {
    return (options.fail ?? exitWithLine)(startupFailureLine(error));
  }
}

/** A start-up error's message is written to be that line; anything unforeseen keeps its class name too. */
export function startupFailureLine(error: unknown): string {
  if (error instanceof StartupError) return error.message;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/** SPEC §10: one line on stderr (synchronous for files and pipes on Linux, so it is written before the exit). */
export function exitWithLine(line: string): never {
  process.stderr.write(`artemis: ${line}\n`);
  process.exit(1);
}
