import { EncodedJson } from './encoded-json';
import { encodeJson } from './json-encoder';

const OPEN = Buffer.from('[');
const COMMA = Buffer.from(',');
const CLOSE = Buffer.from(']');
const EMPTY = Buffer.from('[]');

/**
 * Builds the JSON array of items appended in batches (a cursor's rows): each batch is encoded with the core's one
 * encoder as it arrives and only its bytes are kept.
 */
export class EncodedArrayBuilder {
  readonly #chunks: Buffer[] = [];
  #byteLength = 0;
  #length = 0;

  get length(): number {
    return this.#length;
  }

  append(items: readonly unknown[]): void {
    if (items.length === 0) return;
    const text = Buffer.from(encodeJson(items), 'utf8');
    // The batch's own brackets are dropped: a window on its bytes, not a copy.
    this.#push(this.#length === 0 ? OPEN : COMMA);
    this.#push(text.subarray(1, text.length - 1));
    this.#length += items.length;
  }

  finish(): EncodedJson {
    if (this.#length === 0) return new EncodedJson([EMPTY], EMPTY.length, 0);
    this.#push(CLOSE);
    return new EncodedJson(this.#chunks.splice(0), this.#byteLength, this.#length);
  }

  #push(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#byteLength += chunk.length;
  }
}
