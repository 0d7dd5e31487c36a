import { AgentError } from '../errors/agent-errors';

/*
 * The destination route answers a refused payload with a 4xx, never the protocol's HTTP 200 error envelope: the
 * platform that invokes it (Amperity) reads any 2xx as "accepted" and would wait for a delivery that never runs.
 */

export class UnknownDestinationError extends AgentError {
  override readonly status = 404;
  override readonly errorType = 'NotFound';
  constructor(name: string) {
    super(`Unknown destination: ${name}`);
  }
}

/** A URL of the payload that the SSRF guard refuses (metadata, link-local, loopback when not allowed, blocked). */
export class DestinationRefusedError extends AgentError {
  override readonly status = 403;
  override readonly errorType = 'Forbidden';
}

/** A delivery that ended `failed`: the reason its status report and its job's envelope carry. */
export class DeliveryFailedError extends AgentError {
  override readonly status = 200;
  override readonly errorType = 'DeliveryFailed';
}

/** A destination plugin that cannot be used; stops start-up like a broken connector plugin. */
export class DestinationPluginError extends Error {
  override readonly name = 'PluginError';
}
