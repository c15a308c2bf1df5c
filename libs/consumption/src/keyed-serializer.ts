/**
 * KeyedSerializer runs async tasks one at a time per key, in arrival order, so a task can check
 * state, await I/O and then act without another task of the same key interleaving (STYLE.md:
 * no await between checking an invariant and acting on it, unless the serializer is held).
 * Tasks of different keys run concurrently. The waiters per key are bounded.
 */
import { QuiverError, QuiverErrorCode } from '@quiver/core';

interface Lane {
  tail: Promise<void>;
  waiting: number;
}

export class KeyedSerializer {
  private readonly lanes = new Map<string, Lane>();
  private readonly running = new Set<Promise<unknown>>();

  /** @param waitersMax is the most tasks one key may have queued or running; more get TOO_MANY_REQUESTS. */
  constructor(private readonly waitersMax: number) {}

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    let lane = this.lanes.get(key);
    if (lane === undefined) {
      lane = { tail: Promise.resolve(), waiting: 0 };
      this.lanes.set(key, lane);
    }
    if (lane.waiting >= this.waitersMax) {
      return Promise.reject(new QuiverError(QuiverErrorCode.TooManyRequests, 'too many calls waiting for this consumer group and topic', { retriable: true }));
    }
    const current = lane;
    current.waiting += 1;
    const result = current.tail.then(task);
    const settled = result.then(
      () => undefined,
      () => undefined,
    );
    current.tail = settled;
    this.running.add(settled);
    void settled.then(() => {
      this.running.delete(settled);
      current.waiting -= 1;
      if (current.waiting === 0 && this.lanes.get(key) === current) this.lanes.delete(key);
    });
    return result;
  }

  /** drain resolves once every task started so far has settled. */
  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }
}
