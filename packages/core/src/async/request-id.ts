import { randomFillSync } from 'node:crypto';

/*
 * Request ids are UUID version 7 (RFC 9562): a standard UUID, as Durable Functions' instance ids are, whose first 48
 * bits are the submission time in Unix milliseconds. The housekeeping routes select jobs by creation time from the
 * ids a listing returns, without reading every job's record. Ten lines of bit layout, so no dependency for it.
 */
const REQUEST_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export function newRequestId(nowMs: number): string {
  const bytes = randomFillSync(Buffer.alloc(16));
  bytes.writeUIntBE(Math.max(0, Math.floor(nowMs)), 0, 6);
  bytes[6] = 0x70 | ((bytes[6] as number) & 0x0f); // version 7
  bytes[8] = 0x80 | ((bytes[8] as number) & 0x3f); // variant 10
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function isRequestId(value: string): boolean {
  return REQUEST_ID.test(value);
}

/** The submission time (Unix ms) a request id carries; undefined for anything that is not one of ours. */
export function createdTimeOf(requestId: string): number | undefined {
  return isRequestId(requestId) ? Number.parseInt(requestId.slice(0, 8) + requestId.slice(9, 13), 16) : undefined;
}
