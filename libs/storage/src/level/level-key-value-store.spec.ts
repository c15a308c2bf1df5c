import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { keyValueStoreConformance } from '../testing';
import { LevelKeyValueStore, POOLED_BATCH_BYTES_MAX, POOLED_BATCHES_MAX } from './level-key-value-store';

keyValueStoreConformance('LevelKeyValueStore', async () => {
  const directory = await mkdtemp(path.join(tmpdir(), 'quiver-level-kv-'));
  const store = await LevelKeyValueStore.open(path.join(directory, 'db'));
  return { store, cleanup: () => rm(directory, { recursive: true, force: true }) };
});

describe('LevelKeyValueStore - durability', () => {
  it('open - data written before close is there after reopen', async () => {
    const directory = await mkdtemp(path.join(tmpdir(), 'quiver-level-kv-'));
    try {
      const first = await LevelKeyValueStore.open(path.join(directory, 'db'));
      await first.write([{ type: 'put', key: Buffer.from('k'), value: Buffer.from('v') }], { sync: true });
      await first.close();
      const second = await LevelKeyValueStore.open(path.join(directory, 'db'));
      expect((await second.get(Buffer.from('k')))?.toString()).toBe('v');
      await second.close();
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});

describe('LevelKeyValueStore - reused native batches', () => {
  let directory: string;
  let store: LevelKeyValueStore;
  const text = (value: string): Buffer => Buffer.from(value);

  beforeEach(async () => {
    directory = await mkdtemp(path.join(tmpdir(), 'quiver-level-kv-'));
    store = await LevelKeyValueStore.open(path.join(directory, 'db'));
  });

  afterEach(async () => {
    await store.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('write - a reused batch carries none of its earlier writes, across rounds of concurrent writes', async () => {
    // Concurrent writes take different pooled batches, so a batch that kept an earlier put would
    // replay it after another batch deleted the key.
    const rounds = 30;
    for (let round = 0; round < rounds; round++) {
      await Promise.all([
        store.write([{ type: 'put', key: text(`k${round}`), value: text(`v${round}`) }], { sync: false }),
        round > 0 ? store.write([{ type: 'del', key: text(`k${round - 1}`) }], { sync: false }) : Promise.resolve(),
        store.write([{ type: 'put', key: text(`f${round}`), value: text('x') }], { sync: false }),
      ]);
      const deleted = await store.getMany(Array.from({ length: round }, (_, earlier) => text(`k${earlier}`)));
      expect(deleted.filter((value) => value !== undefined)).toEqual([]);
      expect((await store.get(text(`k${round}`)))?.toString()).toBe(`v${round}`);
    }
  });

  it('write - more concurrent writes than pooled batches all land, each atomically', async () => {
    const writes = Array.from({ length: POOLED_BATCHES_MAX * 3 }, (_, index) =>
      store.write(
        [
          { type: 'put', key: text(`k${index}`), value: text(`v${index}`) },
          { type: 'put', key: text(`m${index}`), value: text(`w${index}`) },
        ],
        { sync: index % 2 === 0 },
      ),
    );
    await Promise.all(writes);
    const keys = Array.from({ length: POOLED_BATCHES_MAX * 3 }, (_, index) => [text(`k${index}`), text(`m${index}`)]).flat();
    const values = await store.getMany(keys);
    expect(values.map((value) => value?.toString())).toEqual(Array.from({ length: POOLED_BATCHES_MAX * 3 }, (_, index) => [`v${index}`, `w${index}`]).flat());
  });

  it('write - a batch larger than the pooled bound is written, and later writes still work', async () => {
    const large = Buffer.alloc(POOLED_BATCH_BYTES_MAX + 1, 0x61);
    await store.write([{ type: 'put', key: text('large'), value: large }], { sync: false });
    await store.write([{ type: 'put', key: text('after'), value: text('x') }], { sync: false });
    expect((await store.get(text('large')))?.equals(large)).toBe(true);
    expect((await store.get(text('after')))?.toString()).toBe('x');
  });

  it('write - Uint8Array keys and values that are not Buffers are written as their bytes', async () => {
    const backing = new Uint8Array([0, 1, 2, 3, 4, 5]);
    await store.write([{ type: 'put', key: backing.subarray(1, 3), value: backing.subarray(3, 6) }], { sync: false });
    expect([...((await store.get(Buffer.from([1, 2]))) ?? [])]).toEqual([3, 4, 5]);
  });

  it('close - writes in flight finish before the store closes, and later writes are rejected as closed', async () => {
    const inFlight = Array.from({ length: POOLED_BATCHES_MAX + 2 }, (_, index) => store.write([{ type: 'put', key: text(`f${index}`), value: text('v') }], { sync: true }));
    await Promise.all([...inFlight, store.close()]);
    await expect(store.write([{ type: 'put', key: text('late'), value: text('v') }], { sync: false })).rejects.toMatchObject({ code: 'CLOSED' });
    store = await LevelKeyValueStore.open(path.join(directory, 'db'));
    const values = await store.getMany(Array.from({ length: POOLED_BATCHES_MAX + 2 }, (_, index) => text(`f${index}`)));
    expect(values.every((value) => value?.toString() === 'v')).toBe(true);
  });
});
