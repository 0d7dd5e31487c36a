import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { SignedUrlError } from '../errors/storage-errors';

/**
 * HMAC-SHA256 signatures for the FILESYSTEM backend's pre-signed URLs: the signature covers the full object name and
 * the expiry, so neither can be changed without the secret. Without MCD_STORAGE_SIGNING_SECRET the secret is random
 * per process: URLs then stop working when the agent restarts, which is acceptable for short-lived result URLs.
 */
export class UrlSigner {
  readonly #secret: Buffer;

  constructor(secret: string | undefined) {
    this.#secret = secret ? Buffer.from(secret, 'utf8') : randomBytes(32);
  }

  /** Query parameters for a URL valid until `expires` (seconds since the epoch). */
  sign(name: string, expires: number): { expires: string; signature: string } {
    return { expires: String(expires), signature: this.#mac(name, expires).toString('base64url') };
  }

  /** Throws a SignedUrlError (403) unless the signature matches and the URL has not expired. */
  verify(name: string, expires: unknown, signature: unknown, now = Date.now()): void {
    if (typeof expires !== 'string' || !/^\d{1,12}$/.test(expires) || typeof signature !== 'string') {
      throw new SignedUrlError('Malformed pre-signed URL: expires and signature are required');
    }
    const expected = this.#mac(name, Number(expires));
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new SignedUrlError('Invalid pre-signed URL signature');
    }
    if (Number(expires) * 1000 <= now) throw new SignedUrlError('Pre-signed URL has expired');
  }

  #mac(name: string, expires: number): Buffer {
    return createHmac('sha256', this.#secret).update(`${name}\n${expires}`).digest();
  }
}
