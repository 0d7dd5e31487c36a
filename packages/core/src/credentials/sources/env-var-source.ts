import { SelfHostedCredentialsError } from '../../errors/self-hosted-credentials-error';
import type { CredentialSource } from '../credential-source';
import { mayReadCredentialsVariable } from './env-var-policy';

/**
 * `env_var`: the JSON document sits in an environment variable of the agent (e.g. injected from a secret store).
 *
 * Only variables env-var-policy.ts allows (never the platform's credentials or the agent's own secrets; only the
 * MCD_CREDENTIALS_ENV_VARS allow-list when it is set). Unset, refused, not decryptable and not a JSON object all
 * answer one error, built in one place by the resolver (`uniformFailure`, so even the stack trace is the same), and
 * the control plane cannot learn whether a variable exists or what it holds; the reason is logged for the operator.
 */
export const envVarSource: CredentialSource<'env_var'> = {
  provider: 'environment variable',
  describe: (envelope) => `environment variable: ${envelope.env_var_name}`,
  async fetch(envelope, { env, envVarAllowList }) {
    const name = envelope.env_var_name;
    // Reasons for the operator's log only: the resolver answers uniformFailure instead.
    if (!mayReadCredentialsVariable(name, envVarAllowList)) {
      throw new Error(`${name} is the platform's or the agent's own credentials, or not in MCD_CREDENTIALS_ENV_VARS`);
    }
    const value = env[name];
    if (value === undefined || value === '') throw new Error(`${name} is unset or empty`);
    return value;
  },
  uniformFailure: (envelope, cause) =>
    new SelfHostedCredentialsError(
      `No usable credentials in environment variable: ${envelope.env_var_name} (unset, not allowed, or not a JSON object)`,
      'NotFound',
      { cause },
    ),
};
