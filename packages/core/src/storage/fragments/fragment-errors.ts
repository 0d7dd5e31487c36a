import { AgentError } from '../../errors/agent-errors';

/** The set already has its manifest: a complete backup is never changed (write to a new set instead). */
export class FragmentSetCompleteError extends AgentError {
  override readonly status = 200;
  override readonly errorType = 'FragmentSetComplete';
}

/** A fragment's bytes are not as long as the `size_in_bytes` the caller declared: it is not stored. */
export class FragmentSizeMismatchError extends AgentError {
  override readonly status = 200;
  override readonly errorType = 'SizeMismatch';
}
