/**
 * SimKeyValueStore wraps any KeyValueStore with simulated faults and latency, drawn from a
 * seeded Random so a failing run replays from its seed. It injects:
 * - write errors before anything applies (a clean failure: STORE_UNAVAILABLE, nothing written);
 * - indeterminate write errors: the batch applies, then the call fails (an fsync that reported
 *   an error after the log was written), so callers must not assume a failed write left no trace;
 * - read errors (get, getMany, iterate);
 * - latency on every call, up to `latencyMsMax`, through the injected Clock.
 * It also counts writes, which is how specs observe group commit.
 * Faults can be forced one at a time with `failNextWrites`.
 */
import { QuiverError, QuiverErrorCode, systemClock } from '@quiver/core';
import type { Clock } from '@quiver/core';

import type { IterateOptions, KeyValueEntry, KeyValueOperation, KeyValueStore, WriteOptions } from '../kv/key-value-store';
import { SeededRandom } from './seeded-random';
import type { Random } from './seeded-random';

export interface SimKeyValueStoreOptions {
  /** random draws every fault decision. @default new SeededRandom(seed) */
  random?: Random;
  /** seed seeds the default Random. @default 1 */
  seed?: number;
  /** writeErrorProbability is the chance a write fails before applying. @default 0 */
  writeErrorProbability?: number;
  /** indeterminateWriteErrorProbability is the chance a write applies and then fails. @default 0 */
  indeterminateWriteErrorProbability?: number;
  /** readErrorProbability is the chance a get, getMany or iterate fails. @default 0 */
  readErrorProbability?: number;
  /** latencyMsMax is the largest delay added to a call, in ms, drawn uniformly; 0 adds none. @default 0 */
  latencyMsMax?: number;
  /** clock schedules latency. @default systemClock */
  clock?: Clock;
}

export interface SimKeyValueStoreStats {
  /** writeCount counts write calls that reached the inner store. */
  writeCount: number;
  /** syncWriteCount counts those with `sync: true`. */
  syncWriteCount: number;
  /** operationCount counts operations inside those writes. */
  operationCount: number;
  /** injectedFaultCount counts every error this wrapper raised. */
  injectedFaultCount: number;
}

export type ForcedWriteFault = 'before-apply' | 'after-apply';

export class SimKeyValueStore implements KeyValueStore {
  readonly stats: SimKeyValueStoreStats = { writeCount: 0, syncWriteCount: 0, operationCount: 0, injectedFaultCount: 0 };
  private readonly random: Random;
  private readonly clock: Clock;
  private readonly forcedWriteFaults: ForcedWriteFault[] = [];

  constructor(
    readonly inner: KeyValueStore,
    private readonly options: SimKeyValueStoreOptions = {},
  ) {
    this.random = options.random ?? new SeededRandom(options.seed ?? 1);
    this.clock = options.clock ?? systemClock;
  }

  /** failNextWrites makes the next `count` writes fail, in the given way, regardless of probabilities. */
  failNextWrites(count: number, fault: ForcedWriteFault = 'before-apply'): void {
    for (let index = 0; index < count; index++) this.forcedWriteFaults.push(fault);
  }

  async get(key: Uint8Array): Promise<Buffer | undefined> {
    await this.beforeRead('get');
    return this.inner.get(key);
  }

  async getMany(keys: readonly Uint8Array[]): Promise<Array<Buffer | undefined>> {
    await this.beforeRead('getMany');
    return this.inner.getMany(keys);
  }

  async iterate(options: IterateOptions): Promise<KeyValueEntry[]> {
    await this.beforeRead('iterate');
    return this.inner.iterate(options);
  }

  async write(operations: readonly KeyValueOperation[], options: WriteOptions): Promise<void> {
    // Decide the fault before any await so the decision sequence depends only on call order.
    const fault = this.forcedWriteFaults.shift() ?? this.drawWriteFault();
    const latencyMs = this.drawLatencyMs();
    // Snapshot the batch now: the caller may reuse its buffers while the latency elapses.
    const snapshot = operations.map((operation) =>
      operation.type === 'put'
        ? { type: 'put' as const, key: Buffer.from(operation.key), value: Buffer.from(operation.value) }
        : { type: 'del' as const, key: Buffer.from(operation.key) },
    );
    await this.sleep(latencyMs);
    if (fault === 'before-apply') throw this.fault('write failed before applying');
    this.stats.writeCount += 1;
    if (options.sync) this.stats.syncWriteCount += 1;
    this.stats.operationCount += snapshot.length;
    await this.inner.write(snapshot, options);
    if (fault === 'after-apply') throw this.fault('write applied, then failed');
  }

  async close(): Promise<void> {
    await this.inner.close();
  }

  private drawWriteFault(): ForcedWriteFault | undefined {
    if (this.random.float() < (this.options.writeErrorProbability ?? 0)) return 'before-apply';
    if (this.random.float() < (this.options.indeterminateWriteErrorProbability ?? 0)) return 'after-apply';
    return undefined;
  }

  private drawLatencyMs(): number {
    const latencyMsMax = this.options.latencyMsMax ?? 0;
    return latencyMsMax > 0 ? this.random.integer(latencyMsMax + 1) : 0;
  }

  private async beforeRead(operation: string): Promise<void> {
    const failed = this.random.float() < (this.options.readErrorProbability ?? 0);
    await this.sleep(this.drawLatencyMs());
    if (failed) throw this.fault(`${operation} failed`);
  }

  private async sleep(delayMs: number): Promise<void> {
    if (delayMs <= 0) return;
    await new Promise<void>((resolve) => this.clock.setTimeout(resolve, delayMs));
  }

  private fault(message: string): QuiverError {
    this.stats.injectedFaultCount += 1;
    return new QuiverError(QuiverErrorCode.StoreUnavailable, `simulated fault: ${message}`, { retriable: true });
  }
}
