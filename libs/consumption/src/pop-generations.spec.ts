import { MemoryKeyValueStore } from '@quiver/storage';

import { popGenerationKey } from './consumption-layout';
import { POP_GENERATION_RESERVATION_BLOCK } from './limits';
import { PopGenerations } from './pop-generations';

describe('PopGenerations', () => {
  it('generations - unique and increasing, starting above 0', async () => {
    const generations = await PopGenerations.open(new MemoryKeyValueStore(), 0);
    const first = await generations.take(3);
    const second = await generations.take(1);
    expect(first).toBeGreaterThan(0);
    expect(second).toBe(first + 3);
  });

  it('generations - a restart resumes above every generation that may have been used', async () => {
    const store = new MemoryKeyValueStore();
    const before = await PopGenerations.open(store, 0);
    let last = 0;
    for (let index = 0; index < 10; index++) last = await before.take(1);
    const after = await PopGenerations.open(store, 0);
    expect(await after.take(1)).toBeGreaterThan(last);
  });

  it('generations - crossing a reservation block extends it durably', async () => {
    const store = new MemoryKeyValueStore();
    const generations = await PopGenerations.open(store, 0);
    const first = await generations.take(1);
    const concurrent = await Promise.all([generations.take(POP_GENERATION_RESERVATION_BLOCK), generations.take(5)]);
    expect(new Set([first, ...concurrent]).size).toBe(3);
    const reopened = await PopGenerations.open(store, 0);
    expect(await reopened.take(1)).toBeGreaterThan(Math.max(...concurrent) + 4);
  });

  it('generations - a lost or corrupt reservation resumes a block above the highest known generation', async () => {
    const store = new MemoryKeyValueStore();
    await store.write([{ type: 'put', key: popGenerationKey(), value: Buffer.from([1, 2, 3]) }], { sync: true });
    const generations = await PopGenerations.open(store, 500);
    expect(await generations.take(1)).toBeGreaterThan(500 + POP_GENERATION_RESERVATION_BLOCK);
  });
});
