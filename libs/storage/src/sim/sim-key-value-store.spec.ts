import { isQuiverError, QuiverErrorCode } from '@quiver/core';

import { MemoryKeyValueStore } from '../memory/memory-key-value-store';
import { keyValueStoreConformance } from '../testing';
import { SimKeyValueStore } from './sim-key-value-store';

keyValueStoreConformance('SimKeyValueStore (no faults, latency)', async () => ({
  store: new SimKeyValueStore(new MemoryKeyValueStore(), { seed: 7, latencyMsMax: 1 }),
}));

const put = (key: string) => [{ type: 'put' as const, key: Buffer.from(key), value: Buffer.from('v') }];

async function outcomes(seed: number): Promise<boolean[]> {
  const store = new SimKeyValueStore(new MemoryKeyValueStore(), { seed, writeErrorProbability: 0.5 });
  const results: boolean[] = [];
  for (let index = 0; index < 32; index++) {
    results.push(await store.write(put(`k${index}`), { sync: false }).then(
      () => true,
      () => false,
    ));
  }
  return results;
}

describe('SimKeyValueStore - faults', () => {
  it('faults - the same seed injects the same faults', async () => {
    const first = await outcomes(99);
    expect(await outcomes(99)).toEqual(first);
    expect(first).toContain(true);
    expect(first).toContain(false);
  });

  it('faults - a write failing before applying leaves nothing and reports STORE_UNAVAILABLE', async () => {
    const inner = new MemoryKeyValueStore();
    const store = new SimKeyValueStore(inner);
    store.failNextWrites(1, 'before-apply');
    const error = await store.write(put('a'), { sync: true }).catch((rejection: unknown) => rejection);
    expect(isQuiverError(error, QuiverErrorCode.StoreUnavailable)).toBe(true);
    expect(await inner.get(Buffer.from('a'))).toBeUndefined();
    expect(store.stats.injectedFaultCount).toBe(1);
  });

  it('faults - an indeterminate write failure applies the batch and still rejects', async () => {
    const inner = new MemoryKeyValueStore();
    const store = new SimKeyValueStore(inner);
    store.failNextWrites(1, 'after-apply');
    const error = await store.write(put('a'), { sync: true }).catch((rejection: unknown) => rejection);
    expect(isQuiverError(error, QuiverErrorCode.StoreUnavailable)).toBe(true);
    expect(await inner.get(Buffer.from('a'))).toBeDefined();
  });

  it('faults - read errors reject get, getMany and iterate', async () => {
    const store = new SimKeyValueStore(new MemoryKeyValueStore(), { readErrorProbability: 1 });
    for (const call of [() => store.get(Buffer.from('a')), () => store.getMany([Buffer.from('a')]), () => store.iterate({ limit: 1 })]) {
      const error = await call().catch((rejection: unknown) => rejection);
      expect(isQuiverError(error, QuiverErrorCode.StoreUnavailable)).toBe(true);
    }
  });

  it('stats - counts writes, sync writes and operations', async () => {
    const store = new SimKeyValueStore(new MemoryKeyValueStore());
    await store.write([...put('a'), ...put('b')], { sync: true });
    await store.write(put('c'), { sync: false });
    expect(store.stats).toMatchObject({ writeCount: 2, syncWriteCount: 1, operationCount: 3 });
  });
});
