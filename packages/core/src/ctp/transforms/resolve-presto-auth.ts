import { isPlainObject } from '../template/template-values';
import type { Transform } from './transform';

/**
 * `resolve_presto_auth` (Apollo's ResolvePrestoAuthTransform): the `auth` dict of presto credentials,
 * `{"username", "password"}`, checked and passed on as the Basic credentials the presto connector sends (Apollo built
 * a `prestodb.auth.BasicAuthentication` from it; Artemis keeps the data and builds the header in the connector).
 */
export const resolvePrestoAuth: Transform = {
  requiredInput: ['auth'],
  optionalInput: [],
  requiredOutput: ['auth'],
  optionalOutput: [],
  run(step) {
    const auth = step.input('auth');
    if (auth === null || auth === undefined || auth === '' || (isPlainObject(auth) && Object.keys(auth).length === 0)) {
      throw new Error("'auth' input resolved to empty — check the 'when' guard");
    }
    if (!isPlainObject(auth)) throw new Error(`'auth' must be a dict`);
    for (const key of ['username', 'password']) {
      if (!Object.hasOwn(auth, key)) throw new Error(`Missing required key in auth config: '${key}'`);
    }
    step.derive('auth', { username: String(auth.username), password: String(auth.password) });
  },
};
