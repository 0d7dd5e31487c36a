import { createPrivateKey } from 'node:crypto';
import type { Transform } from './transform';

/**
 * `load_private_key`: a PEM private key (PKCS#1, PKCS#8, SEC1; encrypted with `password` or not) → the unencrypted
 * PKCS#8 key as DER bytes (`private_key`, Apollo's output) and, for Node drivers that take text, as PEM (`pem`).
 */
export const loadPrivateKey: Transform = {
  requiredInput: ['pem'],
  optionalInput: ['password'],
  requiredOutput: ['private_key'],
  optionalOutput: ['pem'],
  run(step) {
    const pem = step.input('pem');
    if (typeof pem !== 'string' && !(pem instanceof Uint8Array)) throw new Error("'pem' must be a PEM string");
    const password = step.input('password');
    let key: ReturnType<typeof createPrivateKey>;
    try {
      key = createPrivateKey({
        key: Buffer.from(pem),
        format: 'pem',
        ...(password === null || password === undefined ? {} : { passphrase: Buffer.from(String(password)) }),
      });
    } catch (error) {
      // OpenSSL's reason ("bad decrypt", "unsupported"), never the key.
      throw new Error(`Failed to load private key: ${reasonOf(error)}`);
    }
    step.derive('private_key', key.export({ type: 'pkcs8', format: 'der' }));
    if (step.wants('pem')) step.derive('pem', key.export({ type: 'pkcs8', format: 'pem' }).toString());
  },
};

function reasonOf(error: unknown): string {
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && code === 'ERR_MISSING_PASSPHRASE')
    return 'the key is encrypted and no password was given';
  return typeof message === 'string' ? (message.split(':').pop() ?? message).trim() : 'invalid key';
}
