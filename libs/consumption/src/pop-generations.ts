/**
 * PopGenerations hands out pop generations: numbers unique for the life of the store, across
 * restarts and power loss, increasing, so a receipt handle from an earlier hand-out never
 * matches a later one. Numbers are reserved in blocks with one synced write per block: after a
 * restart counting resumes above everything that may have been used (the hi/lo scheme).
 */
import { assert } from '@quiver/core';
import { RecordDecodeError } from '@quiver/storage';
import type { KeyValueStore } from '@quiver/storage';

import { decodePopGeneration, encodePopGeneration, popGenerationKey } from './consumption-layout';
import { POP_GENERATION_RESERVATION_BLOCK } from './limits';

export class PopGenerations {
  private extending: Promise<void> | undefined;

  private constructor(
    private readonly store: KeyValueStore,
    private next: number,
    private reservedUntil: number,
  ) {}

  /**
   * open resumes above the stored reservation. `highestKnown` is the highest generation found in
   * the in-flight records: if the reservation record is lost or corrupt, counting resumes a
   * full extra block above that, the best remaining evidence.
   */
  static async open(store: KeyValueStore, highestKnown: number): Promise<PopGenerations> {
    const record = await store.get(popGenerationKey());
    // Generations start at 1 so that 0 never matches a real hand-out.
    let reservedUntil = highestKnown + 1;
    try {
      if (record !== undefined) reservedUntil = Math.max(reservedUntil, decodePopGeneration(record));
      else if (highestKnown > 0) reservedUntil += POP_GENERATION_RESERVATION_BLOCK;
    } catch (error) {
      if (!(error instanceof RecordDecodeError)) throw error;
      reservedUntil += POP_GENERATION_RESERVATION_BLOCK;
    }
    const generations = new PopGenerations(store, reservedUntil, reservedUntil);
    await generations.extend();
    return generations;
  }

  /** take returns the first of `count` consecutive fresh generations. */
  async take(count: number): Promise<number> {
    assert(Number.isInteger(count) && count >= 1 && count <= POP_GENERATION_RESERVATION_BLOCK, `bad generation count ${count}`);
    while (this.next + count > this.reservedUntil) {
      this.extending ??= this.extend().finally(() => {
        this.extending = undefined;
      });
      await this.extending;
    }
    const first = this.next;
    this.next += count;
    return first;
  }

  private async extend(): Promise<void> {
    const target = Math.max(this.reservedUntil, this.next) + POP_GENERATION_RESERVATION_BLOCK;
    assert(Number.isSafeInteger(target), 'pop generations exhausted');
    await this.store.write([{ type: 'put', key: popGenerationKey(), value: encodePopGeneration(target) }], { sync: true });
    this.reservedUntil = target;
  }
}
