import { MemoryKeyValueStore } from '@quiver/storage';
import type { KeyValueOperation, WriteOptions } from '@quiver/storage';

import { StateWriteChain } from './state-write-chain';

/** HeldStore is a memory store whose writes wait until released, one by one, and can be made to fail. */
class HeldStore extends MemoryKeyValueStore {
  readonly writes: string[][] = [];
  private readonly held: Array<{ release: (failure?: Error) => void }> = [];

  override write(operations: readonly KeyValueOperation[], options: WriteOptions): Promise<void> {
    this.writes.push(operations.map((operation) => operation.key.toString()));
    return new Promise<void>((resolve, reject) => {
      this.held.push({ release: (failure) => (failure ? reject(failure) : resolve(super.write(operations, options))) });
    });
  }

  get heldCount(): number {
    return this.held.length;
  }

  release(failure?: Error): void {
    this.held.shift()!.release(failure);
  }
}

const put = (key: string): KeyValueOperation => ({ type: 'put', key: Buffer.from(key), value: Buffer.from('v') });
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('StateWriteChain', () => {
  it('write - one write at a time; changes made meanwhile go together in the next, in order', async () => {
    const store = new HeldStore();
    const chain = new StateWriteChain(store, async () => undefined);
    const settled: string[] = [];
    const first = chain.write([put('a')]).then(() => settled.push('a'));
    const second = chain.write([put('b')]).then(() => settled.push('b'));
    const third = chain.write([put('c'), put('d')]).then(() => settled.push('c'));
    await settle();
    expect(store.writes).toEqual([['a']]);
    store.release();
    await first;
    await settle();
    expect(settled).toEqual(['a']);
    expect(store.writes).toEqual([['a'], ['b', 'c', 'd']]);
    store.release();
    await Promise.all([second, third]);
    expect(settled).toEqual(['a', 'b', 'c']);
    expect((await store.get(Buffer.from('d')))?.toString()).toBe('v');
  });

  it('write - a failure fails the changes queued behind it, answered after onBroken; later writes wait for repair', async () => {
    const store = new HeldStore();
    const events: string[] = [];
    let finishRecovery!: () => void;
    const chain = new StateWriteChain(store, () => {
      events.push('onBroken');
      return new Promise<void>((resolve) => (finishRecovery = resolve));
    });
    const failed = chain.write([put('a')]).catch((error: Error) => events.push(`a: ${error.message}`));
    const behind = chain.write([put('b')]).catch((error: Error) => events.push(`b: ${error.message}`));
    await settle();
    store.release(new Error('disk gone'));
    await settle();
    expect(events).toEqual(['onBroken']);
    expect(chain.broken).toBeDefined();
    // A change made on top of the failure is refused as well, also only once memory is restored.
    const during = chain.write([put('c')]).catch((error: Error) => events.push(`c: ${error.message}`));
    await settle();
    expect(events).toEqual(['onBroken']);
    finishRecovery();
    await Promise.all([failed, behind, during]);
    expect(events).toEqual(['onBroken', 'a: disk gone', 'b: disk gone', 'c: disk gone']);
    expect(store.writes).toEqual([['a']]);
    chain.repair();
    const after = chain.write([put('d')]);
    await settle();
    store.release();
    await after;
    expect((await store.get(Buffer.from('d')))?.toString()).toBe('v');
    expect(await store.get(Buffer.from('b'))).toBeUndefined();
  });

  it('idle - resolves once the last queued change is written', async () => {
    const store = new HeldStore();
    const chain = new StateWriteChain(store, async () => undefined);
    void chain.write([put('a')]);
    void chain.write([put('b')]);
    let idle = false;
    const waiting = chain.idle().then(() => (idle = true));
    await settle();
    store.release();
    await settle();
    expect(idle).toBe(false);
    store.release();
    await waiting;
    expect(store.heldCount).toBe(0);
  });
});
