import type { StepRun, Transform } from './transform';

/** `encode_basic_auth`: base64 of `username:password`, for a `Basic` authorization header. */
export const encodeBasicAuth: Transform = {
  requiredInput: ['username', 'password'],
  optionalInput: [],
  requiredOutput: ['token'],
  optionalOutput: [],
  run(step) {
    const username = required(step, 'username');
    const password = required(step, 'password');
    step.derive('token', Buffer.from(`${username}:${password}`, 'utf8').toString('base64'));
  },
};

function required(step: StepRun, key: string): string {
  const value = step.input(key);
  if (value === null || value === undefined || value === '') throw new Error(`'${key}' is required for Basic auth`);
  return String(value);
}
