import type { StandardSchemaV1 } from '../connectors/standard-schema';
import type { ConnectArgsSchema } from './connect-args-schema';
import type { Transform } from './transforms/transform';

/**
 * A connector's default Credential Transform Pipeline (Apollo's registered CtpConfig): how flat credentials, or
 * credentials already shaped as `{"connect_args": {…}}`, become the `connect_args` the connector reads. Declared
 * next to the connector (`<type>-ctp.ts`) and exported by its module as `credentialPipeline`.
 */
export interface CredentialPipeline {
  /** The pipeline in Apollo's JSON form: `{name, steps, mapper, connect_args_defaults}`. */
  readonly config: Readonly<Record<string, unknown>>;
  /** The keys and types of `connect_args` (Apollo's TypedDict); also applied to a request's `ctp_config`. */
  readonly connectArgs?: ConnectArgsSchema;
  /** What the flat credentials must hold; the self-hosted validate route checks secrets against it. */
  readonly rawCredentialsSchema?: StandardSchemaV1;
  /** Transforms only this connector needs, by step type, besides the shared ones. */
  readonly transforms?: Readonly<Record<string, Transform>>;
}
