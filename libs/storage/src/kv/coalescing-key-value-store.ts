/**
 * CoalescingKeyValueStore wraps a KeyValueStore so that at most one write is in flight at a
 * time: writes issued meanwhile queue, and when the one in flight lands they all go out as the
 * next single write (synced when any of them asked for sync), in the order they were issued.
 *
 * Why: every LevelDB write is a round trip through libuv's thread pool, and on the project's
 * machine a thread wake-up costs more CPU than the write itself (docs/performance.md,
 * "Session 4"). LevelDB already serializes writers behind one another (a pop's state write
 * waits for an append's fsync), so merging them here saves the round trips without adding a
 * wait LevelDB would not impose anyway, except that a non-synced write merged with a synced
 * one lands after that fsync. An idle store writes at once.
 *
 * Contract differences from the wrapped store: a merged write is atomic as a whole, so a
 * failure of the underlying write rejects every caller merged into it (each with the same
 * error); and operations are held until issued, so a caller must not mutate the buffers it
 * passed until its write settles (the stores copy them at the moment of writing).
 */
import { QuiverError, QuiverErrorCode } from '@quiver/core';

import { COALESCED_WRITE_BYTES_MAX } from '../limits';
import type { IterateOptions, KeyValueEntry, KeyValueOperation, KeyValueStore, WriteOptions } from './key-value-store';
import { checkOperations } from './range';

interface QueuedWrite {
  operations: readonly KeyValueOperation[];
  sync: boolean;
  bytes: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export interface CoalescingKeyValueStoreOptions {
  /** maxBatchBytes stops merging once a write's keys and values reach this size; one write larger than it goes alone. */
  maxBatchBytes?: number;
}

export class CoalescingKeyValueStore implements KeyValueStore {
  private readonly queued: QueuedWrite[] = [];
  private draining: Promise<void> | undefined;
  private closed = false;
  private readonly maxBatchBytes: number;

  constructor(
    private readonly inner: KeyValueStore,
    options: CoalescingKeyValueStoreOptions = {},
  ) {
    this.maxBatchBytes = options.maxBatchBytes ?? COALESCED_WRITE_BYTES_MAX;
  }

  get(key: Uint8Array): Promise<Buffer | undefined> {
    return this.inner.get(key);
  }

  getMany(keys: readonly Uint8Array[]): Promise<Array<Buffer | undefined>> {
    return this.inner.getMany(keys);
  }

  iterate(options: IterateOptions): Promise<KeyValueEntry[]> {
    return this.inner.iterate(options);
  }

  write(operations: readonly KeyValueOperation[], options: WriteOptions): Promise<void> {
    if (this.closed) return Promise.reject(new QuiverError(QuiverErrorCode.Closed, 'key-value store is closed'));
    // Checked here so that one caller's misuse fails that caller alone, not the writes merged with it.
    checkOperations(operations);
    if (operations.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.queued.push({ operations, sync: options.sync, bytes: operationBytes(operations), resolve, reject });
      if (this.draining === undefined) this.draining = this.drain();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.draining;
    await this.inner.close();
  }

  /** drain writes queued writes, merged, until none is left; only one runs at a time. Never throws. */
  private async drain(): Promise<void> {
    while (this.queued.length > 0) {
      const batch = this.takeBatch();
      const operations = batch.length === 1 ? batch[0]!.operations : batch.flatMap((write) => write.operations);
      const sync = batch.some((write) => write.sync);
      try {
        await this.inner.write(operations, { sync });
        for (const write of batch) write.resolve();
      } catch (error) {
        for (const write of batch) write.reject(error);
      }
    }
    this.draining = undefined;
  }

  /** takeBatch removes the longest prefix of queued writes within maxBatchBytes (always at least one). */
  private takeBatch(): QueuedWrite[] {
    let bytes = this.queued[0]!.bytes;
    let count = 1;
    while (count < this.queued.length && bytes + this.queued[count]!.bytes <= this.maxBatchBytes) {
      bytes += this.queued[count]!.bytes;
      count += 1;
    }
    return this.queued.splice(0, count);
  }
}

function operationBytes(operations: readonly KeyValueOperation[]): number {
  let bytes = 0;
  for (const operation of operations) bytes += operation.key.byteLength + (operation.type === 'put' ? operation.value.byteLength : 0);
  return bytes;
}
