/**
 * StateWriteChain writes the consumer-state changes of one (group, topic) in the order they were
 * made, one store write at a time: changes made while a write is in flight wait and go together
 * in the next one.
 *
 * KeyValuePopState applies a change to memory first and answers the call once the chain wrote it,
 * so the pair's next call runs at once instead of waiting a store round trip behind the previous
 * one (under load that round trip is a thread-pool hop that waits for a core). A reply therefore
 * always follows the write of its own change and of every change made before it.
 *
 * A failed write fails every change queued behind it too (they were made on top of it), and the
 * chain refuses new changes until `onBroken` has put memory back in line with the store (the
 * owner reloads the pair) and `repair` is called. The failed calls are answered only after that,
 * so a caller that sees the failure sees the state from before it.
 */
import type { KeyValueOperation, KeyValueStore } from '@quiver/storage';

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
}

interface PendingWrite {
  operations: KeyValueOperation[];
  waiters: Waiter[];
}

export class StateWriteChain {
  private queued: PendingWrite | undefined;
  private writing: Promise<void> | undefined;
  private brokenBy: { error: unknown } | undefined;
  /** recovery settles once onBroken finished for the current failure. */
  private recovery: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: KeyValueStore,
    /** onBroken restores memory from the store after a failed write; the chain stays broken if it rejects. */
    private readonly onBroken: (error: unknown) => Promise<void>,
  ) {}

  /** broken is the failure the chain stopped at, until it is repaired. */
  get broken(): { error: unknown } | undefined {
    return this.brokenBy;
  }

  /** write queues `operations` behind every earlier change and resolves once they are in the store. */
  write(operations: readonly KeyValueOperation[]): Promise<void> {
    const broken = this.brokenBy;
    // A change made on top of the failure is refused too, and answered once memory is restored.
    if (broken !== undefined) return this.recovery.then(() => Promise.reject(broken.error));
    return new Promise<void>((resolve, reject) => {
      this.queued ??= { operations: [], waiters: [] };
      for (const operation of operations) this.queued.operations.push(operation);
      this.queued.waiters.push({ resolve, reject });
      this.writing ??= this.drain();
    });
  }

  /** repair lets changes in again once the owner reloaded the pair's state from the store. */
  repair(): void {
    this.brokenBy = undefined;
  }

  /** idle resolves once nothing is being written or waiting to be. */
  async idle(): Promise<void> {
    while (this.writing !== undefined) await this.writing;
  }

  private async drain(): Promise<void> {
    try {
      while (this.queued !== undefined) {
        const batch = this.queued;
        this.queued = undefined;
        try {
          await this.store.write(batch.operations, { sync: false });
        } catch (error) {
          this.brokenBy = { error };
          // Changes queued while this write was in flight were made on top of it.
          const behind = this.queued as PendingWrite | undefined;
          const failed = [...batch.waiters, ...(behind?.waiters ?? [])];
          this.queued = undefined;
          this.recovery = this.onBroken(error).catch(() => undefined);
          await this.recovery;
          for (const waiter of failed) waiter.reject(error);
          return;
        }
        for (const waiter of batch.waiters) waiter.resolve();
      }
    } finally {
      this.writing = undefined;
    }
  }
}
