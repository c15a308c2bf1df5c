import type { WriteOptions } from '../kv/key-value-store';

/** SequencedRecord is one record of a record log with its sequence. */
export interface SequencedRecord {
  sequence: number;
  record: Buffer;
}

/**
 * RecordLog holds a store node's message records in append order, each at a store-wide sequence
 * (the record log of layout.ts; the queue index points at sequences). Two implementations:
 * `FileRecordLog`, append-only segment files (production), and `KeyValueRecordLog` over any
 * KeyValueStore (specs with the in-memory and fault-injecting stores; stores of layout 2 are
 * moved from it at open). Both pass `recordLogConformance` in `@quiver/storage/testing`.
 *
 * Guarantees every implementation gives:
 * - an `append` is atomic: after a crash or a failed call all of its records are there, or none;
 * - sequences only grow: an append starts above every sequence appended before (gaps allowed,
 *   as a failed append's sequences are never reused);
 * - appends run one at a time (callers await one before the next); reads may run alongside and
 *   see only appends that resolved;
 * - stored bytes are copied in and out;
 * - after `close`, every call rejects with QuiverError CLOSED; an I/O failure rejects with
 *   STORE_UNAVAILABLE.
 */
export interface RecordLog {
  /** append writes `records` at firstSequence, firstSequence + 1, ...; with `sync` they are durable when it resolves. */
  append(firstSequence: number, records: readonly Uint8Array[], options: WriteOptions): Promise<void>;

  /** getMany returns the record at each sequence (undefined where there is none), in the order asked. */
  getMany(sequences: readonly number[]): Promise<Array<Buffer | undefined>>;

  /** readFrom returns up to `limit` records at sequences of at least `from`, in sequence order. */
  readFrom(from: number, limit: number): Promise<SequencedRecord[]>;

  /** lastSequence is the highest sequence held, or -1 when the log is empty. */
  lastSequence(): Promise<number>;

  /** close releases the log; pending calls settle first. Closing twice is allowed. */
  close(): Promise<void>;
}
