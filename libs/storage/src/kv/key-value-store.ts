/**
 * KeyValueStore is the ordered binary key-value store the store node keeps everything in: one
 * LevelDB in production (`LevelKeyValueStore`), a sorted in-memory twin for tests
 * (`MemoryKeyValueStore`) and a fault-injecting wrapper (`SimKeyValueStore`). All of them pass
 * `keyValueStoreConformance` in `@quiver/storage/testing`.
 *
 * Guarantees every implementation gives:
 * - keys sort bytewise (unsigned), shorter before longer on a shared prefix;
 * - a `write` batch is atomic: all of its operations apply, or none do;
 * - writes apply in the order their promises were created only when the caller awaits one
 *   before issuing the next; callers that need an order serialize their writes;
 * - stored bytes are copied in and out: mutating a buffer after `write` or after a read
 *   never changes the store;
 * - after `close`, every call rejects with QuiverError CLOSED;
 * - an I/O failure rejects with QuiverError STORE_UNAVAILABLE (cause attached).
 */
export interface KeyValueStore {
  /** get returns the value of `key`, or undefined when it is absent. */
  get(key: Uint8Array): Promise<Buffer | undefined>;

  /** getMany returns one value (or undefined) per key, in the order of `keys`. */
  getMany(keys: readonly Uint8Array[]): Promise<Array<Buffer | undefined>>;

  /** write applies `operations` atomically, in order (a later operation on the same key wins). */
  write(operations: readonly KeyValueOperation[], options: WriteOptions): Promise<void>;

  /**
   * iterate returns up to `limit` entries of a key range in key order (or reverse order).
   * Callers page by repeating with `gt` (or `lt` when reversed) set to the last key returned.
   */
  iterate(options: IterateOptions): Promise<KeyValueEntry[]>;

  /** close releases the store; pending calls settle first. Closing twice is allowed. */
  close(): Promise<void>;
}

export type KeyValueOperation = { type: 'put'; key: Uint8Array; value: Uint8Array } | { type: 'del'; key: Uint8Array };

export interface WriteOptions {
  /**
   * sync makes the write durable (fsync of the write-ahead log) before it resolves. Without it
   * a write survives a process crash but may be lost on power loss. No default: every call site
   * decides.
   */
  sync: boolean;
}

/** KeyRange bounds a scan; at most one lower bound (gt or gte) and one upper bound (lt or lte). */
export interface KeyRange {
  gt?: Uint8Array;
  gte?: Uint8Array;
  lt?: Uint8Array;
  lte?: Uint8Array;
}

export interface IterateOptions extends KeyRange {
  /** limit is the maximum number of entries returned: 1 to ITERATE_ENTRIES_MAX. */
  limit: number;
  /** reverse returns entries from the upper bound down. @default false */
  reverse?: boolean;
  /** keysOnly skips reading values; every returned entry's value is then empty. @default false */
  keysOnly?: boolean;
}

export interface KeyValueEntry {
  key: Buffer;
  value: Buffer;
}
