import * as z from 'zod/mini';

/** Where MCD_CONFIG_SOURCE says the rest of the configuration lives (config-source/README.md). */
export type ConfigSourceLocation =
  /** Every parameter under `path` (ends with `/`), each named by its last path segment. */
  | { readonly kind: 'ssm-path'; readonly path: string }
  /** One parameter holding a JSON object of variables. */
  | { readonly kind: 'ssm-parameter'; readonly name: string }
  /** A Secrets Manager secret (name or ARN) holding a JSON object; `region` from the ARN when it names one. */
  | { readonly kind: 'secretsmanager'; readonly secretId: string; readonly region: string | undefined }
  /** A full Secret Manager version name holding a JSON object. */
  | { readonly kind: 'gcp-secret'; readonly name: string }
  /** A Key Vault secret (its latest version unless the URL names one) holding a JSON object. */
  | {
      readonly kind: 'keyvault';
      readonly vaultUrl: string;
      readonly name: string;
      readonly version: string | undefined;
    }
  /** A local file (a mounted secret) holding a JSON object, read under MCD_CREDENTIALS_FILE_DIRS. */
  | { readonly kind: 'file'; readonly path: string };

const SCHEMES = ['ssm', 'secretsmanager', 'gcp-secret', 'keyvault', 'file'] as const;

/** SSM parameter names: letters, digits and `_.-/` (AWS's own rule); a path starts with `/`. */
const SSM_NAME = /^[A-Za-z0-9_.\-/]+$/;
const SECRETS_MANAGER_ARN = /^arn:aws[a-z-]*:secretsmanager:([a-z0-9-]+):\d{12}:secret:.+$/;
const GCP_VERSION = /^projects\/[^/]+\/secrets\/[^/]+\/versions\/[^/]+$/;
/** A Key Vault secret identifier's path: /secrets/<name>[/<version>] (Key Vault names: letters, digits, hyphens). */
const KEY_VAULT_PATH = /^\/secrets\/([A-Za-z0-9-]{1,127})(?:\/([A-Za-z0-9]+))?\/?$/;

/** The value of MCD_CONFIG_SOURCE as a location, or why it is not one (the message never repeats the value). */
export function parseConfigSourceLocation(text: string): ConfigSourceLocation | string {
  const colon = text.indexOf(':');
  const scheme = colon < 0 ? text : text.slice(0, colon);
  const rest = colon < 0 ? '' : text.slice(colon + 1);
  switch (scheme as (typeof SCHEMES)[number]) {
    case 'ssm':
      if (rest === '' || rest === '/')
        return 'ssm: needs a parameter path such as ssm:/artemis/prod/ or a parameter name';
      if (!SSM_NAME.test(rest)) return 'ssm: a parameter path or name holds only letters, digits and _.-/';
      if (!rest.endsWith('/')) return { kind: 'ssm-parameter', name: rest };
      if (!rest.startsWith('/')) return 'ssm: a parameter path starts with / (ssm:/artemis/prod/)';
      return { kind: 'ssm-path', path: rest };
    case 'secretsmanager':
      if (rest === '') return 'secretsmanager: needs a secret name or ARN';
      return { kind: 'secretsmanager', secretId: rest, region: SECRETS_MANAGER_ARN.exec(rest)?.[1] };
    case 'gcp-secret':
      if (!GCP_VERSION.test(rest)) {
        return 'gcp-secret: needs a full version name: gcp-secret:projects/<project>/secrets/<secret>/versions/<version|latest>';
      }
      return { kind: 'gcp-secret', name: rest };
    case 'keyvault': {
      const url = URL.canParse(rest) ? new URL(rest) : undefined;
      const plain = url?.protocol === 'https:' && !url.username && !url.password && !url.search && !url.hash;
      const match = url && plain ? KEY_VAULT_PATH.exec(url.pathname) : null;
      if (!url || !match?.[1]) {
        return 'keyvault: needs a secret URL: keyvault:https://<vault>.vault.azure.net/secrets/<name>[/<version>]';
      }
      return { kind: 'keyvault', vaultUrl: url.origin, name: match[1], version: match[2] };
    }
    case 'file':
      if (rest === '') return 'file: needs a path under MCD_CREDENTIALS_FILE_DIRS';
      return { kind: 'file', path: rest };
    default:
      return `unknown scheme; expected ${SCHEMES.map((s) => `${s}:`).join(', ')}`;
  }
}

/** MCD_CONFIG_SOURCE for the configuration parser: the same reading, as a zod/mini schema. */
export const configSourceLocation = z.pipe(
  z.string(),
  z.transform((text: string, context) => {
    const location = parseConfigSourceLocation(text);
    if (typeof location !== 'string') return location;
    context.issues.push({ code: 'custom', message: location, input: text });
    return z.NEVER;
  }),
);
