import type { AgentServices } from '../agent/agent-services';
import { analyzePipeline, type CompiledPipeline } from './compile-pipeline';
import { CtpConfigError } from './ctp-errors';

/**
 * A request's `ctp_config`, compiled against the connection type's default (whose connect_args schema and own
 * transforms apply to it). Any problem — structure, unknown transform, a template refused (dunder or constructor
 * access, calls, oversize, too deep) — is an HTTP 400 naming each problem.
 */
export async function compileRequestPipeline(
  services: AgentServices,
  connectionType: string,
  ctpConfig: unknown,
): Promise<CompiledPipeline> {
  // An unknown connection type is reported by the client registry, as for any request.
  const connector = await services.directory.connectorFor(connectionType).catch(() => undefined);
  const { pipeline, errors } = analyzePipeline(ctpConfig, connector?.credentialPipeline);
  if (!pipeline) throw new CtpConfigError(errors);
  return pipeline;
}
