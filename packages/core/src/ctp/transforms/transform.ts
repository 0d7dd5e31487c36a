import type { NetworkGuard } from '../../network/network-guard';
import type { StorageBackend } from '../../storage/storage-backend';
import type { TempFiles } from '../temp-files';

/** What the pipeline hands a transform: its rendered inputs, its outputs, and the agent's services. */
export interface StepRun {
  /** The step's type, for messages. */
  readonly type: string;
  readonly context: Readonly<Record<string, unknown>>;
  readonly services: PipelineServices;
  /** Whether the step gives this input. */
  has(key: string): boolean;
  /** The input rendered against the pipeline state (undefined when the step does not give it). */
  input(key: string): unknown;
  /** Stores `value` under the derived name the step's `output` gives `key` (nothing when it gives none). */
  derive(key: string, value: unknown): void;
  /** Whether the step asked for this output. */
  wants(key: string): boolean;
}

/** Services a transform may use: every connection goes through the agent's SSRF guard. */
export interface PipelineServices {
  readonly network: () => NetworkGuard;
  readonly tempFiles: TempFiles;
  /** The agent's own storage (fetch_remote_file with a storage mechanism). */
  readonly storage: () => Promise<StorageBackend>;
  /** AWS SDK client configuration for a session (region, role to assume): the agent's base config. */
  readonly awsClientConfig: (session: AwsSession) => Promise<Record<string, unknown>>;
  /** Milliseconds since the epoch (JWT issue times); injectable for tests. */
  readonly now: () => number;
  /** Bound on each network exchange a transform makes. */
  readonly timeoutMs: number;
}

export interface AwsSession {
  readonly aws_region?: string | null;
  readonly assumable_role?: string | null;
  readonly external_id?: string | null;
}

/**
 * One transform type (Apollo's `Transform`): the input and output keys it requires and accepts (undefined optional
 * lists accept anything), and what it does. It writes only to `derived`, through `run.derive`.
 */
export interface Transform {
  readonly requiredInput: readonly string[];
  readonly optionalInput?: readonly string[];
  readonly requiredOutput: readonly string[];
  readonly optionalOutput?: readonly string[];
  run(step: StepRun): Promise<void> | void;
}

/** An input as text, or undefined when the step gives none or it renders to none or an empty string. */
export function textInput(step: StepRun, key: string): string | undefined {
  const value = step.input(key);
  return value === undefined || value === null || value === '' ? undefined : String(value);
}
