/**
 * LevelKeyValueStore is the production KeyValueStore: one LevelDB (classic-level) with binary
 * keys and values. This file and its spec are the only places in the codebase that touch
 * classic-level; everything else sees the KeyValueStore interface.
 *
 * LevelDB's own recovery silently skips corrupt blocks of its write-ahead log
 * (RELIABILITY.md 1.2); the layout's per-record checksums and dense offsets are what detect
 * that, not this class.
 */
import { QuiverError, QuiverErrorCode } from '@quiver/core';
import { ClassicLevel } from 'classic-level';

import type { IterateOptions, KeyValueEntry, KeyValueOperation, KeyValueStore, WriteOptions } from '../kv/key-value-store';
import { checkIterateOptions, checkOperations } from '../kv/range';

export interface LevelKeyValueStoreOptions {
  /** createIfMissing creates the database directory when absent. @default true */
  createIfMissing?: boolean;
  /** cacheSizeBytes is LevelDB's block cache. @default 8 MiB (LevelDB's default) */
  cacheSizeBytes?: number;
  /** writeBufferSizeBytes is the memtable size before a flush to a table file. @default 4 MiB (LevelDB's default) */
  writeBufferSizeBytes?: number;
}

type Database = ClassicLevel<Buffer, Buffer>;

/**
 * NativeBatch is the private side of classic-level's chained batch (classic-level 3.x, pinned in
 * package-lock): each method is one call into its native LevelDB WriteBatch, with none of
 * abstract-level's per-operation checks. `close` is abstract-level's public one.
 */
interface NativeBatch {
  _put(key: Buffer, value: Buffer): void;
  _del(key: Buffer): void;
  _write(options: { sync: boolean }): Promise<void>;
  _clear(): void;
  close(): Promise<void>;
}

interface NativeBatchSource {
  _chainedBatch(): NativeBatch;
}

/**
 * Native batches kept for reuse once written. Concurrent writes each take one (group commit,
 * consumer state and replication can overlap), so a few cover the usual overlap; more are made
 * on demand and closed after use.
 */
export const POOLED_BATCHES_MAX = 4;
/**
 * A cleared LevelDB WriteBatch keeps its buffer's capacity; one that carried more than this is
 * closed instead of kept, so the pool holds at most POOLED_BATCHES_MAX x this much memory.
 */
export const POOLED_BATCH_BYTES_MAX = 1024 * 1024;

function isNativeBatch(batch: unknown): batch is NativeBatch {
  const candidate = batch as Partial<NativeBatch> | undefined;
  return (
    typeof candidate?._put === 'function' &&
    typeof candidate._del === 'function' &&
    typeof candidate._write === 'function' &&
    typeof candidate._clear === 'function' &&
    typeof candidate.close === 'function'
  );
}

export class LevelKeyValueStore implements KeyValueStore {
  /** Written and cleared native batches, ready for the next write. */
  private readonly pooledBatches: NativeBatch[] = [];

  private constructor(
    private readonly database: Database,
    readonly location: string,
  ) {}

  /** open opens (or creates) the LevelDB at `location`. */
  static async open(location: string, options: LevelKeyValueStoreOptions = {}): Promise<LevelKeyValueStore> {
    const database: Database = new ClassicLevel<Buffer, Buffer>(location, {
      keyEncoding: 'buffer',
      valueEncoding: 'buffer',
      createIfMissing: options.createIfMissing ?? true,
      cacheSize: options.cacheSizeBytes ?? 8 * 1024 * 1024,
      writeBufferSize: options.writeBufferSizeBytes ?? 4 * 1024 * 1024,
    });
    try {
      await database.open();
    } catch (error) {
      throw translate(error, `open ${location}`);
    }
    const probe = typeof (database as unknown as Partial<NativeBatchSource>)._chainedBatch === 'function' ? (database as unknown as NativeBatchSource)._chainedBatch() : undefined;
    if (!isNativeBatch(probe)) {
      await database.close();
      throw new QuiverError(QuiverErrorCode.StoreUnavailable, 'this classic-level has no native chained batch: update LevelKeyValueStore.write');
    }
    const store = new LevelKeyValueStore(database, location);
    store.pooledBatches.push(probe);
    return store;
  }

  async get(key: Uint8Array): Promise<Buffer | undefined> {
    try {
      return await this.database.get(toBuffer(key));
    } catch (error) {
      throw translate(error, 'get');
    }
  }

  async getMany(keys: readonly Uint8Array[]): Promise<Array<Buffer | undefined>> {
    try {
      if (keys.length === 0) {
        this.checkOpen();
        return [];
      }
      return await this.database.getMany(keys.map(toBuffer));
    } catch (error) {
      throw translate(error, 'getMany');
    }
  }

  async write(operations: readonly KeyValueOperation[], options: WriteOptions): Promise<void> {
    checkOperations(operations);
    if (operations.length === 0) {
      this.checkOpen();
      return;
    }
    // The operations go straight into a native LevelDB WriteBatch through classic-level's
    // chained-batch internals: abstract-level's public batch() clones every operation, resolves
    // encodings and checks each key again, and classic-level's array batch looks up three
    // properties per operation in native code; both cost more than LevelDB's own work on the send
    // path. What they add we do not use (hooks, write events, sublevels, non-buffer encodings).
    // Each _put/_del copies the key and value into the WriteBatch before it returns, so later
    // mutation of the caller's buffers is harmless, and a close waits for the write.
    this.checkOpen();
    const batch = this.pooledBatches.pop() ?? (this.database as unknown as NativeBatchSource)._chainedBatch();
    let bytes = 0;
    try {
      for (const operation of operations) {
        const key = toBuffer(operation.key);
        if (operation.type === 'put') {
          const value = toBuffer(operation.value);
          batch._put(key, value);
          bytes += key.length + value.length;
        } else {
          batch._del(key);
          bytes += key.length;
        }
      }
      await batch._write({ sync: options.sync });
    } catch (error) {
      throw translate(error, 'write');
    } finally {
      this.release(batch, bytes);
    }
  }

  /** release clears a written batch and keeps it for reuse, or closes it when the pool is full or it grew large. */
  private release(batch: NativeBatch, bytes: number): void {
    batch._clear();
    if (this.pooledBatches.length < POOLED_BATCHES_MAX && bytes <= POOLED_BATCH_BYTES_MAX && this.database.status === 'open') {
      this.pooledBatches.push(batch);
      return;
    }
    // Closing detaches it from the database, which otherwise keeps it (and its buffer) until close.
    void batch.close().catch(() => undefined);
  }

  async iterate(options: IterateOptions): Promise<KeyValueEntry[]> {
    checkIterateOptions(options);
    const range: { gt?: Buffer; gte?: Buffer; lt?: Buffer; lte?: Buffer } = {};
    if (options.gt !== undefined) range.gt = toBuffer(options.gt);
    if (options.gte !== undefined) range.gte = toBuffer(options.gte);
    if (options.lt !== undefined) range.lt = toBuffer(options.lt);
    if (options.lte !== undefined) range.lte = toBuffer(options.lte);
    try {
      if (options.keysOnly === true) {
        const keys = await this.database.keys({ ...range, reverse: options.reverse ?? false, limit: options.limit }).all();
        return keys.map((key) => ({ key, value: Buffer.alloc(0) }));
      }
      const entries = await this.database.iterator({ ...range, reverse: options.reverse ?? false, limit: options.limit }).all();
      return entries.map(([key, value]) => ({ key, value }));
    } catch (error) {
      throw translate(error, 'iterate');
    }
  }

  /** checkOpen covers the calls that skip abstract-level (writes, empty batches), so they reject after close too. */
  private checkOpen(): void {
    if (this.database.status !== 'open') throw new QuiverError(QuiverErrorCode.Closed, 'key-value store is closed');
  }

  async close(): Promise<void> {
    // The database closes its batches itself (abstract-level closes attached resources).
    this.pooledBatches.length = 0;
    try {
      await this.database.close();
    } catch (error) {
      throw translate(error, 'close');
    }
  }
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** translate turns a level error into the store's error contract: CLOSED or STORE_UNAVAILABLE. */
function translate(error: unknown, operation: string): QuiverError {
  if (error instanceof QuiverError) return error;
  const code = typeof error === 'object' && error !== null && 'code' in error ? (error as { code: unknown }).code : undefined;
  if (code === 'LEVEL_DATABASE_NOT_OPEN') {
    return new QuiverError(QuiverErrorCode.Closed, `key-value store is closed (${operation})`, { cause: error });
  }
  return new QuiverError(QuiverErrorCode.StoreUnavailable, `key-value store ${operation} failed`, { cause: error, retriable: false });
}
