import { BadRequestError, OperationError } from '../errors/agent-errors';

/** A request's `ctp_config` that cannot be used (structure, an unknown transform, a template refused): HTTP 400. */
export class CtpConfigError extends BadRequestError {
  constructor(problems: readonly string[]) {
    super(`Invalid ctp_config: ${problems.join('; ')}`);
  }
}

/**
 * A pipeline that failed while shaping credentials (a missing credential, a token endpoint that refused, …). It
 * happens while the client is created, so it is answered like any client-creation failure: an HTTP 200 envelope.
 * Messages follow Apollo's `[stage] (step: name) message` and never carry a credential value.
 */
export class CtpPipelineError extends OperationError {
  readonly stage: string;
  readonly step: string | undefined;

  constructor(stage: string, message: string, step?: string, options?: ErrorOptions) {
    super(`[${stage}] ${step ? `(step: ${step}) ` : ''}${message}`, options);
    this.stage = stage;
    this.step = step;
  }
}
