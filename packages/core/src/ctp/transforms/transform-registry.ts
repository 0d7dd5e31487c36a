import { encodeBasicAuth } from './encode-basic-auth';
import { fetchRemoteFile } from './fetch-remote-file';
import { generateJwt } from './generate-jwt';
import { loadPrivateKey } from './load-private-key';
import { oauth } from './oauth';
import { resolveDatabricksOauth } from './resolve-databricks-oauth';
import { resolveDatabricksToken } from './resolve-databricks-token';
import { resolvePrestoAuth } from './resolve-presto-auth';
import { resolveRedshiftCredentials } from './resolve-redshift-credentials';
import { resolveSslOptions } from './resolve-ssl-options';
import { tmpFileWrite } from './tmp-file-write';
import type { Transform } from './transform';

/**
 * The transforms every pipeline may use, by Apollo's step names. A transform is one file and one line here; a
 * transform only one connector needs can instead ship in that connector's CredentialPipeline (`transforms`), where
 * its default and any `ctp_config` sent for its connection type find it too.
 */
export const TRANSFORMS: ReadonlyMap<string, Transform> = new Map([
  ['resolve_ssl_options', resolveSslOptions],
  ['tmp_file_write', tmpFileWrite],
  ['encode_basic_auth', encodeBasicAuth],
  ['load_private_key', loadPrivateKey],
  ['generate_jwt', generateJwt],
  ['oauth', oauth],
  ['fetch_remote_file', fetchRemoteFile],
  ['resolve_redshift_credentials', resolveRedshiftCredentials],
  ['resolve_presto_auth', resolvePrestoAuth],
  ['resolve_databricks_oauth', resolveDatabricksOauth],
  ['resolve_databricks_token', resolveDatabricksToken],
]);
