/**
 * What an operation may still allocate (issue 9: one request must not be able to exhaust the V8 heap and kill the
 * process). Only the interface lives here, so the encoder and the interpreter can take a budget without loading
 * `node:v8` on the health path; `heap-guard.ts` is the implementation the execute path creates.
 */
export interface MemoryBudget {
  /** Throws a ResourceExhaustedError when the heap is already past the guard; `stage` says where, for the message. */
  check(stage: string): void;
  /** Throws when `bytes` more (an allocation about to happen) would take the heap past the guard. */
  reserve(bytes: number, stage: string): void;
}

/** No guard at all: callers outside an operation (health answers, adapters re-encoding a body). */
export const UNLIMITED_MEMORY: MemoryBudget = { check() {}, reserve() {} };
