import { isQuiverError, QuiverErrorCode } from '@quiver/core';

import { MemoryKeyValueStore } from '../memory/memory-key-value-store';
import { SimKeyValueStore } from '../sim/sim-key-value-store';
import { keyValueStoreConformance } from '../testing';
import { CoalescingKeyValueStore } from './coalescing-key-value-store';

keyValueStoreConformance('CoalescingKeyValueStore', async () => ({ store: new CoalescingKeyValueStore(new MemoryKeyValueStore()) }));

const text = (value: string): Buffer => Buffer.from(value);
const put = (key: string, value: string) => ({ type: 'put' as const, key: text(key), value: text(value) });

function setup(options: { maxBatchBytes?: number } = {}) {
  const sim = new SimKeyValueStore(new MemoryKeyValueStore());
  return { sim, store: new CoalescingKeyValueStore(sim, options) };
}

async function valueOf(store: CoalescingKeyValueStore, key: string): Promise<string | undefined> {
  return (await store.get(text(key)))?.toString();
}

describe('CoalescingKeyValueStore', () => {
  it('write - an idle store writes at once, before the caller yields', async () => {
    const { sim, store } = setup();
    const innerWrite = jest.spyOn(sim, 'write');
    const written = store.write([put('a', '1')], { sync: false });
    expect(innerWrite).toHaveBeenCalledTimes(1);
    await written;
    expect(await valueOf(store, 'a')).toBe('1');
  });

  it('write - writes issued while one is in flight go out as one write, in issue order, synced if any asked', async () => {
    const { sim, store } = setup();
    const first = store.write([put('a', '1')], { sync: false });
    const queued = [
      store.write([put('b', '1'), put('a', '2')], { sync: false }),
      store.write([put('c', '1')], { sync: true }),
      store.write([put('a', '3'), { type: 'del', key: text('b') }], { sync: false }),
    ];
    await Promise.all([first, ...queued]);
    expect(sim.stats).toMatchObject({ writeCount: 2, syncWriteCount: 1, operationCount: 6 });
    expect(await valueOf(store, 'a')).toBe('3');
    expect(await valueOf(store, 'b')).toBeUndefined();
    expect(await valueOf(store, 'c')).toBe('1');
  });

  it('write - merging stops at maxBatchBytes, and a write larger than it still goes alone', async () => {
    const { sim, store } = setup({ maxBatchBytes: 10 });
    const writes = [
      store.write([put('a', '1')], { sync: false }),
      store.write([put('b', '1234')], { sync: false }), // 5 bytes
      store.write([put('c', '1234')], { sync: false }), // 5 bytes: merges with b (10)
      store.write([put('d', '1234567890')], { sync: false }), // 11 bytes: alone
      store.write([put('e', '1')], { sync: false }),
    ];
    await Promise.all(writes);
    expect(sim.stats.writeCount).toBe(4);
    expect(await valueOf(store, 'd')).toBe('1234567890');
  });

  it('write - a malformed write fails alone; the writes queued with it land', async () => {
    const { store } = setup();
    const first = store.write([put('a', '1')], { sync: false });
    const good = store.write([put('b', '1')], { sync: false });
    expect(() => store.write([{ type: 'put', key: Buffer.alloc(0), value: text('x') }], { sync: false })).toThrow(/keys are non-empty/);
    await Promise.all([first, good]);
    expect(await valueOf(store, 'b')).toBe('1');
  });

  it('write - a failed underlying write rejects every write merged into it; later writes still land', async () => {
    const { sim, store } = setup();
    const first = store.write([put('a', '1')], { sync: false });
    sim.failNextWrites(1, 'before-apply');
    const merged = [store.write([put('b', '1')], { sync: false }), store.write([put('c', '1')], { sync: true })];
    await first;
    const outcomes = await Promise.allSettled(merged);
    for (const outcome of outcomes) {
      expect(outcome.status).toBe('rejected');
      expect(isQuiverError((outcome as PromiseRejectedResult).reason, QuiverErrorCode.StoreUnavailable)).toBe(true);
    }
    await store.write([put('d', '1')], { sync: false });
    expect(await valueOf(store, 'b')).toBeUndefined();
    expect(await valueOf(store, 'd')).toBe('1');
  });

  it('close - queued writes land before the store closes; writes after close reject with CLOSED', async () => {
    const { store } = setup();
    const writes = [store.write([put('a', '1')], { sync: false }), store.write([put('b', '1')], { sync: true })];
    const closed = store.close();
    const late = await store.write([put('c', '1')], { sync: false }).then(
      () => undefined,
      (error: unknown) => error,
    );
    await Promise.all([...writes, closed]);
    expect(isQuiverError(late, QuiverErrorCode.Closed)).toBe(true);
  });
});
