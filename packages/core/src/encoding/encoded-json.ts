/** The brand of an EncodedJson, checked instead of `instanceof` so it holds across module copies and realms. */
const ENCODED_JSON = Symbol.for('artemis.encoded-json');

/**
 * A value whose JSON text already exists, as bytes in chunks (issue 13's result path): rows from a DB cursor are
 * encoded batch by batch as they are fetched, so the rows of a large result never exist all at once as values,
 * and its text never as one string. The core's encoder splices the bytes in where the value sits (an envelope, a
 * `build_dict`), and the execute path sends the chunks as they are (a stream, a gzip stream, an upload).
 *
 * A command that uses the value some other way (as a target, or an argument of a connector's method) gets
 * `toValue()`: the parsed JSON, i.e. the wire form (a datetime is its `{"__type__": "datetime"}` object).
 */
export class EncodedJson {
  readonly [ENCODED_JSON] = true;
  readonly chunks: readonly Buffer[];
  readonly byteLength: number;
  /** Items of an encoded array (rows), for whoever wants to count them without parsing. */
  readonly length: number;

  constructor(chunks: readonly Buffer[], byteLength: number, length: number) {
    this.chunks = chunks;
    this.byteLength = byteLength;
    this.length = length;
  }

  toValue(): unknown {
    return JSON.parse(this.toString());
  }

  toString(): string {
    return this.chunks.length === 1
      ? (this.chunks[0] as Buffer).toString('utf8')
      : Buffer.concat(this.chunks as Buffer[], this.byteLength).toString('utf8');
  }
}

export function isEncodedJson(value: unknown): value is EncodedJson {
  return typeof value === 'object' && value !== null && (value as { [ENCODED_JSON]?: unknown })[ENCODED_JSON] === true;
}
