// apache-arrow 13 (the version @databricks/sql decodes with) declares its types only under the "node" export
// condition, which TypeScript's bundler resolution does not read: the part of its surface the connector uses.
export interface DataType {
  readonly typeId: number;
  readonly bitWidth?: number;
  readonly scale?: number;
  readonly children?: readonly Field[];
}
export interface Field {
  readonly name: string;
  readonly type: DataType;
}
export interface Vector {
  readonly type: DataType;
  readonly length: number;
  get(index: number): unknown;
}
export interface RecordBatch {
  readonly numRows: number;
  getChildAt(index: number): Vector | null;
}
export declare class RecordBatchReader implements Iterable<RecordBatch> {
  static from(source: Iterable<Uint8Array>): RecordBatchReader;
  [Symbol.iterator](): IterableIterator<RecordBatch>;
}
