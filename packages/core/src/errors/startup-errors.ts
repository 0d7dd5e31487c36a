/*
 * Failures that stop the agent before it answers anything (SPEC §10): the entry point reports them as one line on
 * stderr and exits 1 (see agent/boot-agent.ts). Their messages are written for that line: they name the variable or
 * the module at fault, never a secret value. Plain Errors, not AgentErrors: no request is there to be answered.
 */
export class StartupError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** An environment variable is invalid, or a start-up secret it names cannot be installed. */
export class ConfigError extends StartupError {}
