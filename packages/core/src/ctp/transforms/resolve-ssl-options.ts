import { isPlainObject } from '../template/template-values';
import type { StepRun, Transform } from './transform';

/** Apollo's SslOptions (`apollo/integrations/db/ssl_options.py`), as plain data. */
export interface SslOptions {
  readonly ca: string | null;
  readonly ca_data: string | null;
  readonly cert_data: string | null;
  readonly key_data: string | null;
  readonly key_password: string | null;
  readonly skip_cert_verification: boolean;
  readonly verify_cert: boolean;
  readonly verify_identity: boolean;
  readonly disabled: boolean;
}

/**
 * `resolve_ssl_options` (Apollo's ResolveSslOptionsTransform): checks an `ssl_options` object as Apollo's SslOptions
 * does, then derives what drivers need, each only when the step's `output` asks for it:
 *
 * - `ssl_options`: the normalised options;
 * - `ca_path`, `cert_path`, `key_path`: the PEMs written to temp files (CA only when SSL is not disabled);
 * - `ssl_context`: Node TLS options as data (`ca`, `cert`, `key`, `passphrase`, `rejectUnauthorized`,
 *   `verify_identity`), Apollo's `ssl.SSLContext` counterpart, or null when there is nothing to configure;
 * - `ssl_mode`: the libpq sslmode the flags imply — `disable` when disabled, `require` when verification is
 *   skipped; none otherwise (the pipeline then chooses, e.g. `require` with a CA, as Apollo's defaults do).
 */
export const resolveSslOptions: Transform = {
  requiredInput: ['ssl_options'],
  optionalInput: [],
  requiredOutput: [],
  optionalOutput: ['ssl_options', 'ca_path', 'cert_path', 'key_path', 'ssl_context', 'ssl_mode'],
  async run(step) {
    const options = readSslOptions(step.input('ssl_options'));
    step.derive('ssl_options', options);
    const files = step.services.tempFiles;
    if (step.wants('ca_path') && options.ca_data && !options.disabled) {
      step.derive('ca_path', await files.write(options.ca_data, { suffix: '_ca.pem' }));
    }
    if (step.wants('cert_path') && options.cert_data && !options.disabled) {
      step.derive('cert_path', await files.write(options.cert_data, { suffix: '_cert.pem' }));
    }
    if (step.wants('key_path') && options.key_data && !options.disabled) {
      step.derive('key_path', await files.write(options.key_data, { suffix: '_key.pem' }));
    }
    step.derive('ssl_context', tlsOptions(options));
    const mode = sslMode(options);
    if (mode) step.derive('ssl_mode', mode);
  },
};

export function readSslOptions(value: unknown): SslOptions {
  if (!isPlainObject(value)) throw new Error(`'ssl_options' must resolve to a dict`);
  const text = (key: string) => {
    const item = value[key];
    if (item === undefined || item === null) return null;
    if (typeof item !== 'string') throw new Error(`ssl_options.${key} must be a string`);
    return item;
  };
  const flag = (key: string, fallback: boolean) => {
    const item = value[key];
    if (item === undefined || item === null) return fallback;
    if (typeof item !== 'boolean') throw new Error(`ssl_options.${key} must be a boolean`);
    return item;
  };
  const options: SslOptions = {
    ca: text('ca'),
    ca_data: text('ca_data'),
    cert_data: text('cert_data'),
    key_data: text('key_data'),
    key_password: text('key_password'),
    skip_cert_verification: flag('skip_cert_verification', false),
    verify_cert: flag('verify_cert', true),
    verify_identity: flag('verify_identity', true),
    disabled: flag('disabled', false),
  };
  // Apollo's SslOptions.__post_init__ checks, with its messages.
  if (options.disabled && (options.cert_data || options.key_data || options.ca_data)) {
    throw new Error('disabled is set, but SSL certificate data is provided.');
  }
  if (!options.disabled) {
    if (options.key_data && !options.cert_data) throw new Error('key_data is provided, but ssl_cert_data is missing.');
    if ((options.cert_data || options.key_data) && !options.ca_data) {
      throw new Error('cert_data or ssl_key_data is provided, but ca_data is missing');
    }
    if (options.key_password && !options.cert_data)
      throw new Error('key_password is provided but cert_data is missing.');
    if (options.ca && options.ca_data) {
      throw new Error('Path to CA authority and CA authority data were provided. Provide one or the other.');
    }
  }
  return options;
}

function verifies(options: SslOptions): boolean {
  return !options.skip_cert_verification && options.verify_cert;
}

function tlsOptions(options: SslOptions): Record<string, unknown> | null {
  if (options.disabled || !(options.ca_data || options.cert_data || options.key_data)) return null;
  return {
    ...(options.ca_data ? { ca: options.ca_data } : {}),
    ...(options.cert_data ? { cert: options.cert_data } : {}),
    ...(options.key_data ? { key: options.key_data } : {}),
    ...(options.key_password ? { passphrase: options.key_password } : {}),
    rejectUnauthorized: verifies(options),
    verify_identity: verifies(options) && options.verify_identity,
  };
}

function sslMode(options: SslOptions): string | undefined {
  if (options.disabled) return 'disable';
  return verifies(options) ? undefined : 'require';
}

export type { StepRun };
