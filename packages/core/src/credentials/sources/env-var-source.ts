import { SelfHostedCredentialsError } from '../../errors/self-hosted-credentials-error';
import type { CredentialSource } from '../credential-source';

/** `env_var`: the JSON document sits in an environment variable of the agent (e.g. injected from a secret store). */
export const envVarSource: CredentialSource<'env_var'> = {
  provider: 'environment variable',
  describe: (envelope) => `environment variable: ${envelope.env_var_name}`,
  async fetch(envelope, { env }) {
    const value = env[envelope.env_var_name];
    if (value === undefined || value === '') {
      throw new SelfHostedCredentialsError(
        `Missing expected environment variable: ${envelope.env_var_name}`,
        'NotFound',
      );
    }
    return value;
  },
};
