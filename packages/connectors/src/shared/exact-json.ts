import { isSafeNumber, parse as parseLossless } from 'lossless-json';

/** A run of 16 digits or more: the only text in which a JSON number can be an integer past 2^53. */
const LONG_DIGITS = /\d{16}/;

/**
 * JSON.parse that keeps integers beyond 2^53 exact (as bigint), for drivers whose servers send them as bare JSON
 * numbers (Trino/Presto bigint, Google's int64 in some fields). Text without a 16-digit run cannot hold such a
 * number, so it takes the native parser; only the rest pays for the lossless one (about 9× slower).
 */
export function parseExactJson(text: string): unknown {
  if (!LONG_DIGITS.test(text)) return JSON.parse(text);
  return parseLossless(text, null, exactNumber);
}

function exactNumber(text: string): number | bigint {
  if (/^-?\d+$/.test(text) && !isSafeNumber(text)) return BigInt(text);
  return Number(text);
}
