import { ForbiddenError } from '@artemis/core';

/** The messages of a refused target, in the wording of the method that refuses it. */
export interface OriginRefusals {
  /** Not a string, or holding CR/LF (a second request line). */
  readonly invalid: string;
  /** A target on another origin. */
  readonly elsewhere: string;
}

/**
 * `target` on `base`'s origin, for methods that send the connection's credentials: a path (Apollo prefixed a missing
 * `/`), or, when `acceptAbsolute`, a full URL only if it has that very origin. Anything that would take the
 * credentials elsewhere (another host or port, `//host`, CR/LF) is refused as `Forbidden`.
 */
export function urlOnOrigin(base: string, target: unknown, refusals: OriginRefusals, acceptAbsolute = false): string {
  if (typeof target !== 'string' || /[\r\n]/.test(target)) throw new ForbiddenError(refusals.invalid);
  const { origin } = new URL(base);
  const url =
    acceptAbsolute && /^[a-z][a-z0-9+.-]*:/i.test(target)
      ? new URL(target)
      : new URL(`${origin}${target.startsWith('/') ? '' : '/'}${target}`);
  if (url.origin !== origin) throw new ForbiddenError(refusals.elsewhere);
  return url.href;
}
