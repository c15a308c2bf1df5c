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

/** RawBatch is classic-level's private batch entry point (classic-level 3.x, pinned in package-lock). */
interface RawBatch {
  _batch(operations: readonly KeyValueOperation[], options: { sync: boolean }): Promise<void>;
}

export class LevelKeyValueStore implements KeyValueStore {
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
    if (typeof (database as unknown as Partial<RawBatch>)._batch !== 'function') {
      await database.close();
      throw new QuiverError(QuiverErrorCode.StoreUnavailable, 'this classic-level has no _batch: update LevelKeyValueStore.write');
    }
    return new LevelKeyValueStore(database, location);
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
    // The batch goes straight to classic-level's `_batch` (its native batch_do): abstract-level's
    // public batch() clones every operation, resolves encodings and checks each key again, which
    // cost more CPU than LevelDB's own work on the send path. What it adds we do not use (hooks,
    // write events, sublevels, encodings other than buffer), and its open check is done here.
    // The native call copies every key and value into the LevelDB batch before it returns, so
    // later mutation of the caller's buffers is harmless, and a close waits for the batch.
    this.checkOpen();
    const batch = allBuffers(operations)
      ? operations
      : operations.map((operation) =>
          operation.type === 'put'
            ? { type: 'put' as const, key: toBuffer(operation.key), value: toBuffer(operation.value) }
            : { type: 'del' as const, key: toBuffer(operation.key) },
        );
    try {
      await (this.database as unknown as RawBatch)._batch(batch, { sync: options.sync });
    } catch (error) {
      throw translate(error, 'write');
    }
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
    try {
      await this.database.close();
    } catch (error) {
      throw translate(error, 'close');
    }
  }
}

/** allBuffers tells whether every key and value is already a Buffer, as the native batch reads them. */
function allBuffers(operations: readonly KeyValueOperation[]): boolean {
  for (const operation of operations) {
    if (!Buffer.isBuffer(operation.key)) return false;
    if (operation.type === 'put' && !Buffer.isBuffer(operation.value)) return false;
  }
  return true;
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
