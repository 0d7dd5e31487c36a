/*
 * Incremental NDJSON reading with bounded memory (SPEC §14): lines are cut from the byte stream as it arrives, so at
 * most one line (capped at `maxLineBytes`) is ever held beyond the current chunk, and every offset is an exact byte
 * offset — the checkpoint a continuation resumes from with an HTTP Range request. A line longer than the cap is
 * skipped without being held (its bytes are counted, not kept); one that is not JSON is skipped; both become
 * problems that name the line, never its content. Blank lines are skipped silently.
 */

export interface LineProblem {
  readonly line: number;
  readonly message: string;
}

/**
 * Turns a parsed record (and the JSON text it was parsed from) into what the batch holds: the destination's
 * `mapRecord`, or the text itself for a destination that forwards records as they were. Returning undefined leaves
 * the record out; throwing makes the line a problem with the error's message.
 */
export type RecordConverter = (value: unknown, text: string) => unknown;

export interface ReadBatch {
  readonly records: unknown[];
  /** Line numbers (1-based, of the whole file) of the first and last record; 0 when the batch has none. */
  readonly firstLine: number;
  readonly lastLine: number;
  /** Bytes of the records' lines. */
  readonly bytes: number;
  /** Records `convert` left out. */
  readonly dropped: number;
  readonly problems: LineProblem[];
  /** Byte offset just past the last line consumed (the next batch starts there), and lines consumed through it. */
  readonly endOffset: number;
  readonly endLine: number;
  /** Nothing is left after `endOffset`. */
  readonly done: boolean;
}

export interface ReaderPosition {
  /** Byte offset of the first byte the source yields (after `skipBytes`), i.e. where reading resumes. */
  readonly offset: number;
  /** Lines already consumed before `offset`. */
  readonly line: number;
  /** Bytes at the start of the source to discard first (a server that ignored the Range request). */
  readonly skipBytes?: number;
}

const NEWLINE = 0x0a;
const EMPTY = Buffer.alloc(0);

export class NdjsonReader {
  readonly #iterator: AsyncIterator<Buffer | string>;
  readonly #maxLineBytes: number;
  #chunk: Buffer = EMPTY;
  #pos = 0;
  /** Pieces of the line being assembled across chunks, unless it is already known to be too long. */
  #partial: Buffer[] = [];
  #partialBytes = 0;
  #oversize = false;
  /** Absolute offset of the start of the line being assembled. */
  #offset: number;
  #line: number;
  #skip: number;
  #eof = false;

  constructor(source: AsyncIterable<Buffer | string>, position: ReaderPosition, maxLineBytes: number) {
    this.#iterator = source[Symbol.asyncIterator]();
    this.#offset = position.offset;
    this.#line = position.line;
    this.#skip = position.skipBytes ?? 0;
    this.#maxLineBytes = maxLineBytes;
  }

  /** Reads up to `maxRecords` records (fewer once their lines reach `maxBytes`, at least one), converting each. */
  async read(maxRecords: number, maxBytes: number, convert?: RecordConverter): Promise<ReadBatch> {
    const records: unknown[] = [];
    const problems: LineProblem[] = [];
    let bytes = 0;
    let dropped = 0;
    let firstLine = 0;
    let lastLine = 0;
    while (records.length < maxRecords && bytes < maxBytes) {
      if (this.#pos >= this.#chunk.length) {
        if (this.#eof) {
          if (this.#partialBytes === 0 && !this.#oversize) break;
          // The last line has no newline: it ends at the end of the source.
        } else {
          await this.#pull();
          continue;
        }
      }
      const newline = this.#eof ? -1 : this.#chunk.indexOf(NEWLINE, this.#pos);
      if (newline < 0 && !this.#eof) {
        this.#keep(this.#chunk.subarray(this.#pos));
        this.#pos = this.#chunk.length;
        continue;
      }
      const end = newline < 0 ? this.#chunk.length : newline;
      const lineBytes = this.#partialBytes + (end - this.#pos);
      this.#line++;
      if (this.#oversize || lineBytes > this.#maxLineBytes) {
        problems.push({ line: this.#line, message: `longer than ${this.#maxLineBytes} bytes, skipped` });
      } else if (lineBytes > 0) {
        const text = this.#lineText(end);
        const outcome = parseLine(text, this.#offset === 0, convert);
        if (outcome === BLANK) {
          // Whitespace only: not a record, not a problem.
        } else if (outcome instanceof Problem) {
          problems.push({ line: this.#line, message: outcome.message });
        } else if (outcome === DROPPED) {
          dropped++;
        } else {
          records.push(outcome);
          bytes += lineBytes;
          if (firstLine === 0) firstLine = this.#line;
          lastLine = this.#line;
        }
      }
      this.#offset += lineBytes + (newline < 0 ? 0 : 1);
      this.#pos = end + 1;
      this.#partial = [];
      this.#partialBytes = 0;
      this.#oversize = false;
      if (newline < 0) this.#chunk = EMPTY;
    }
    const done = this.#eof && this.#pos >= this.#chunk.length && this.#partialBytes === 0 && !this.#oversize;
    return {
      records,
      firstLine,
      lastLine,
      bytes,
      dropped,
      problems,
      endOffset: this.#offset,
      endLine: this.#line,
      done,
    };
  }

  /** Stops reading: the source is not consumed further (the caller destroys it). */
  async close(): Promise<void> {
    await this.#iterator.return?.();
  }

  async #pull(): Promise<void> {
    for (;;) {
      const next = await this.#iterator.next();
      if (next.done) {
        this.#eof = true;
        this.#chunk = EMPTY;
        this.#pos = 0;
        return;
      }
      let chunk = typeof next.value === 'string' ? Buffer.from(next.value, 'utf8') : next.value;
      if (this.#skip > 0) {
        if (chunk.length <= this.#skip) {
          this.#skip -= chunk.length;
          continue;
        }
        chunk = chunk.subarray(this.#skip);
        this.#skip = 0;
      }
      this.#chunk = chunk;
      this.#pos = 0;
      return;
    }
  }

  /** Keeps the rest of a chunk as part of the line, or only counts it once the line is too long to keep. */
  #keep(piece: Buffer): void {
    this.#partialBytes += piece.length;
    if (this.#oversize) return;
    if (this.#partialBytes > this.#maxLineBytes) {
      this.#oversize = true;
      this.#partial = [];
      return;
    }
    // A copy: the chunk it came from may be a view of a larger pooled buffer that would otherwise stay alive.
    this.#partial.push(Buffer.from(piece));
  }

  #lineText(end: number): string {
    if (this.#partial.length === 0) return this.#chunk.toString('utf8', this.#pos, end);
    return Buffer.concat([...this.#partial, this.#chunk.subarray(this.#pos, end)]).toString('utf8');
  }
}

const BLANK = Symbol('blank');
const DROPPED = Symbol('dropped');
/** A line that is not a record (no parsed JSON value is ever an instance of this module's class). */
class Problem {
  constructor(readonly message: string) {}
}
type Outcome = unknown;

function parseLine(text: string, atStart: boolean, convert: RecordConverter | undefined): Outcome {
  // A byte-order mark at the start of the file is not JSON; a text editor may have written one.
  const json = atStart && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    // V8's message quotes the text around the error: a record's content must not reach the errors list.
    return json.trim() === '' ? BLANK : new Problem('not valid JSON, skipped');
  }
  if (!convert) return value;
  let converted: unknown;
  try {
    converted = convert(value, json);
  } catch (error) {
    return new Problem(`mapRecord failed: ${(error as Error)?.message ?? String(error)}`);
  }
  return converted === undefined ? DROPPED : converted;
}
