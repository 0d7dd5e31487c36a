import { createHmac, randomUUID } from 'node:crypto';
import type { Transform } from './transform';

const DEFAULT_EXPIRATION_SECONDS = 300;
/** The scopes Tableau Connected Apps need (Apollo's defaults). */
const TABLEAU_SCOPES = [
  'tableau:content:read',
  'tableau:users:read',
  'tableau:labels:read',
  'tableau:labels:update',
  'tableau:labels:create',
];

/**
 * `generate_jwt` (Apollo's GenerateJwtTransform): an HS256 JWT for Tableau Connected Apps — `iss` and `kid` in the
 * header, `sub` the user, `aud` "tableau", a fresh `jti`, `exp` after `expiration_seconds` (default 300). `audience`
 * and `scopes` override Tableau's for other connected-app style APIs. HS256 is one HMAC over two base64url parts,
 * so node:crypto does it without a JWT library.
 */
export const generateJwt: Transform = {
  requiredInput: ['username', 'client_id', 'secret_id', 'secret_value'],
  optionalInput: ['expiration_seconds', 'audience', 'scopes'],
  requiredOutput: ['token'],
  optionalOutput: [],
  run(step) {
    const clientId = String(step.input('client_id'));
    const secret = step.input('secret_value');
    if (typeof secret !== 'string' || secret === '') throw new Error("'secret_value' must be a non-empty string");
    const lifetime = step.input('expiration_seconds');
    const seconds = lifetime === undefined || lifetime === null ? DEFAULT_EXPIRATION_SECONDS : Number(lifetime);
    if (!Number.isInteger(seconds) || seconds <= 0) throw new Error("'expiration_seconds' must be a positive integer");
    const scopes = step.input('scopes');
    const header = { alg: 'HS256', typ: 'JWT', iss: clientId, kid: String(step.input('secret_id')) };
    const payload = {
      iss: clientId,
      exp: Math.floor(step.services.now() / 1000) + seconds,
      jti: randomUUID(),
      aud: step.has('audience') ? String(step.input('audience')) : 'tableau',
      sub: String(step.input('username')),
      scp: Array.isArray(scopes) ? scopes.map(String) : TABLEAU_SCOPES,
    };
    const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
    const signature = createHmac('sha256', secret).update(signingInput).digest('base64url');
    step.derive('token', `${signingInput}.${signature}`);
  },
};

const base64url = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
