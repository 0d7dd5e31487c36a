import { AgentError } from './agent-errors';

/**
 * The agent shut down while the operation was still running (its in-flight requests outlived the drain). A file of
 * its own: only the shutdown path (execute/operations-in-flight.ts) creates it, so the health path never loads it.
 */
export class OperationAbortedError extends AgentError {
  override readonly status = 200;
  constructor() {
    super('Operation aborted: the agent is shutting down');
  }
}
