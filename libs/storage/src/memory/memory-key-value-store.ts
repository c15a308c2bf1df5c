/**
 * MemoryKeyValueStore is the in-memory twin of LevelKeyValueStore: a sorted array searched by
 * binary search. It is for tests and simulation; it keeps nothing across processes. It passes
 * the same conformance suite, so code tested on it behaves the same on LevelDB.
 */
import { QuiverError, QuiverErrorCode } from '@quiver/core';

import type { IterateOptions, KeyValueEntry, KeyValueOperation, KeyValueStore, WriteOptions } from '../kv/key-value-store';
import { checkIterateOptions, checkOperations } from '../kv/range';

interface Entry {
  key: Buffer;
  value: Buffer;
}

export class MemoryKeyValueStore implements KeyValueStore {
  private entries: Entry[] = [];
  private closed = false;

  async get(key: Uint8Array): Promise<Buffer | undefined> {
    await this.turn();
    const index = this.indexOf(key);
    return index === undefined ? undefined : Buffer.from(this.entries[index]!.value);
  }

  async getMany(keys: readonly Uint8Array[]): Promise<Array<Buffer | undefined>> {
    await this.turn();
    return keys.map((key) => {
      const index = this.indexOf(key);
      return index === undefined ? undefined : Buffer.from(this.entries[index]!.value);
    });
  }

  async write(operations: readonly KeyValueOperation[], _options: WriteOptions): Promise<void> {
    checkOperations(operations);
    // Copy before the await so the batch is what the caller passed, even if it mutates its buffers later.
    const copies = operations.map((operation) =>
      operation.type === 'put' ? { type: 'put' as const, key: Buffer.from(operation.key), value: Buffer.from(operation.value) } : { type: 'del' as const, key: Buffer.from(operation.key) },
    );
    await this.turn();
    for (const operation of copies) {
      const position = this.lowerBound(operation.key);
      const found = position < this.entries.length && this.entries[position]!.key.equals(operation.key);
      if (operation.type === 'put') {
        if (found) this.entries[position] = { key: operation.key, value: operation.value };
        else this.entries.splice(position, 0, { key: operation.key, value: operation.value });
      } else if (found) {
        this.entries.splice(position, 1);
      }
    }
  }

  async iterate(options: IterateOptions): Promise<KeyValueEntry[]> {
    checkIterateOptions(options);
    await this.turn();
    let start = 0;
    if (options.gte !== undefined) start = this.lowerBound(options.gte);
    if (options.gt !== undefined) start = this.upperBound(options.gt);
    let end = this.entries.length;
    if (options.lt !== undefined) end = this.lowerBound(options.lt);
    if (options.lte !== undefined) end = this.upperBound(options.lte);
    const result: KeyValueEntry[] = [];
    const copy = (entry: Entry): KeyValueEntry => ({
      key: Buffer.from(entry.key),
      value: options.keysOnly === true ? Buffer.alloc(0) : Buffer.from(entry.value),
    });
    if (options.reverse === true) {
      for (let index = end - 1; index >= start && result.length < options.limit; index--) result.push(copy(this.entries[index]!));
    } else {
      for (let index = start; index < end && result.length < options.limit; index++) result.push(copy(this.entries[index]!));
    }
    return result;
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  /** turn yields once, as a real store would, and rejects once closed. */
  private async turn(): Promise<void> {
    await Promise.resolve();
    if (this.closed) throw new QuiverError(QuiverErrorCode.Closed, 'key-value store is closed');
  }

  private indexOf(key: Uint8Array): number | undefined {
    const position = this.lowerBound(key);
    return position < this.entries.length && this.entries[position]!.key.equals(key) ? position : undefined;
  }

  /** lowerBound is the first position whose key is >= `key`. */
  private lowerBound(key: Uint8Array): number {
    let low = 0;
    let high = this.entries.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (Buffer.compare(this.entries[middle]!.key, key) < 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** upperBound is the first position whose key is > `key`. */
  private upperBound(key: Uint8Array): number {
    let low = 0;
    let high = this.entries.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (Buffer.compare(this.entries[middle]!.key, key) <= 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}
