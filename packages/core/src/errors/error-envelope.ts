import { WireKey } from '../protocol/wire-keys';
import { AgentError } from './agent-errors';

export interface ErrorEnvelope {
  [WireKey.error]: string;
  [WireKey.exception]: string;
  [WireKey.stackTrace]: string[];
  [WireKey.errorType]?: string;
  [WireKey.errorAttrs]?: Record<string, unknown>;
  [WireKey.traceId]?: string;
}

export interface EnvelopeDetails {
  traceId?: string | undefined;
  /** Overrides the error's own type, e.g. a connector's `errorType(err)`. */
  errorType?: string | undefined;
  errorAttrs?: Readonly<Record<string, unknown>> | undefined;
}

/** `{__mcd_error__, __mcd_exception__, __mcd_stack_trace__, …}` for any thrown value (SPEC §4). */
export function toErrorEnvelope(error: unknown, details: EnvelopeDetails = {}): ErrorEnvelope {
  const err = error instanceof Error ? error : new Error(describeNonError(error));
  const envelope: ErrorEnvelope = {
    [WireKey.error]: err.message,
    [WireKey.exception]: `${err.name}: ${err.message}`,
    [WireKey.stackTrace]: stackLines(err),
  };
  const errorType = details.errorType ?? (err instanceof AgentError ? err.errorType : undefined);
  if (errorType) envelope[WireKey.errorType] = errorType;
  const attrs = details.errorAttrs ?? (err instanceof AgentError ? err.attrs : undefined);
  if (attrs && Object.keys(attrs).length > 0) envelope[WireKey.errorAttrs] = { ...attrs };
  if (details.traceId) envelope[WireKey.traceId] = details.traceId;
  return envelope;
}

export function statusOf(error: unknown): number {
  return error instanceof AgentError ? error.status : 500;
}

function stackLines(err: Error): string[] {
  return (err.stack ?? '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('at '));
}

function describeNonError(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
