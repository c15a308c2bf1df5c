import fc from 'fast-check';
import { QuiverError, QuiverErrorCode } from '@quiver/core';
import { ITERATE_ENTRIES_MAX, KeyPrefix, MemoryKeyValueStore } from '@quiver/storage';
import type { KeyValueOperation, KeyValueStore, WriteOptions } from '@quiver/storage';
import { ForwardingKeyValueStore } from '@quiver/storage/testing';

import {
  consumerStateMoveMarkerKey,
  encodeInFlightRecord,
  encodePopCursor,
  encodePopGeneration,
  popCursorKey,
  popGenerationKey,
  popInFlightKey,
} from './consumption-layout';
import { moveConsumerState } from './consumer-state-move';

/** Crash fails the n-th write across the stores sharing it, before or after that write applies, like a crash at that point. */
class Crash {
  constructor(
    public writesLeft: number,
    readonly applyFirst: boolean,
  ) {}
}

class CrashingStore extends ForwardingKeyValueStore {
  constructor(
    inner: KeyValueStore,
    private readonly crash: Crash,
  ) {
    super(inner);
  }

  override async write(operations: readonly KeyValueOperation[], options: WriteOptions): Promise<void> {
    this.crash.writesLeft -= 1;
    if (this.crash.writesLeft !== 0) return this.inner.write(operations, options);
    if (this.crash.applyFirst) await this.inner.write(operations, options);
    throw new QuiverError(QuiverErrorCode.StoreUnavailable, 'crashed here');
  }
}

async function contents(store: KeyValueStore): Promise<Array<[string, string]>> {
  const entries = await store.iterate({ limit: ITERATE_ENTRIES_MAX });
  return entries.map(({ key, value }) => [key.toString('hex'), value.toString('hex')]);
}

/** olderDataDirectory fills a message store as data directories from before the split look: consumer state next to messages. */
async function olderDataDirectory(groups: number, inFlightPerGroup: number): Promise<MemoryKeyValueStore> {
  const source = new MemoryKeyValueStore();
  const operations: KeyValueOperation[] = [
    { type: 'put', key: Buffer.from([KeyPrefix.Message, 1]), value: Buffer.from('a message') },
    { type: 'put', key: Buffer.from([KeyPrefix.TimerIndex, 2]), value: Buffer.from('a timer') },
    { type: 'put', key: popGenerationKey(), value: encodePopGeneration(4096) },
  ];
  for (let group = 0; group < groups; group++) {
    const address = { group: `g${group}`, topic: 't', queueId: 0 };
    operations.push({ type: 'put', key: popCursorKey(address), value: encodePopCursor({ cursor: inFlightPerGroup, resetGeneration: 0 }) });
    for (let offset = 0; offset < inFlightPerGroup; offset++) {
      const record = encodeInFlightRecord({ invisibleUntilMs: 1_000 + offset, deliveryAttempt: 1, popGeneration: offset + 1 });
      operations.push({ type: 'put', key: popInFlightKey(address, offset), value: record });
    }
  }
  await source.write(operations, { sync: true });
  return source;
}

const isConsumerKey = ([key]: [string, string]): boolean =>
  [KeyPrefix.PopCursor, KeyPrefix.PopInFlight, KeyPrefix.PopGeneration, KeyPrefix.ConsumerStateMove].includes(
    Number.parseInt(key.slice(0, 2), 16) as never,
  );

describe('moveConsumerState', () => {
  it('move - copies every cursor, in-flight record and the generation record, then leaves none in the source', async () => {
    const source = await olderDataDirectory(3, 5);
    const before = await contents(source);
    const target = new MemoryKeyValueStore();
    const move = await moveConsumerState(source, target);
    expect(move).toEqual({ copiedKeys: 1 + 3 * (1 + 5), deletedKeys: 1 + 3 * (1 + 5) });
    expect(await contents(target)).toEqual(before.filter(isConsumerKey));
    expect(await contents(source)).toEqual(before.filter((entry) => !isConsumerKey(entry)));
    expect(await target.get(consumerStateMoveMarkerKey())).toBeUndefined();
  });

  it('move - a second open has nothing to do, and an empty source leaves the target as it is', async () => {
    const source = await olderDataDirectory(1, 2);
    const target = new MemoryKeyValueStore();
    await moveConsumerState(source, target);
    const moved = await contents(target);
    expect(await moveConsumerState(source, target)).toEqual({ copiedKeys: 0, deletedKeys: 0 });
    expect(await contents(target)).toEqual(moved);
  });

  it('move - pages through more keys than one scan returns', async () => {
    const source = await olderDataDirectory(1, ITERATE_ENTRIES_MAX + 5);
    const target = new MemoryKeyValueStore();
    const move = await moveConsumerState(source, target);
    expect(move.copiedKeys).toBe(ITERATE_ENTRIES_MAX + 7);
    expect(move.deletedKeys).toBe(ITERATE_ENTRIES_MAX + 7);
    expect((await target.iterate({ limit: ITERATE_ENTRIES_MAX })).length).toBe(ITERATE_ENTRIES_MAX);
    expect((await contents(source)).filter(isConsumerKey)).toEqual([]);
  });

  it('move - while the source still holds state, stale state in the target is replaced, not merged', async () => {
    const source = await olderDataDirectory(1, 2);
    const expected = (await contents(source)).filter(isConsumerKey);
    const target = new MemoryKeyValueStore();
    const stale = popInFlightKey({ group: 'gone', topic: 't', queueId: 0 }, 7);
    await target.write([{ type: 'put', key: stale, value: encodeInFlightRecord({ invisibleUntilMs: 1, deliveryAttempt: 1, popGeneration: 1 }) }], { sync: true });
    await moveConsumerState(source, target);
    expect(await contents(target)).toEqual(expected);
  });

  it('move - a crash at any write, before or after it applies, is finished by the next open (property)', async () => {
    let crashes = 0;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 12 }), fc.boolean(), fc.integer({ min: 1, max: 3 }), async (crashAt, applyFirst, groups) => {
        const sourceInner = await olderDataDirectory(groups, 3);
        const before = await contents(sourceInner);
        const targetInner = new MemoryKeyValueStore();
        const crash = new Crash(crashAt, applyFirst);
        await moveConsumerState(new CrashingStore(sourceInner, crash), new CrashingStore(targetInner, crash)).catch((error: unknown) => {
          if (!(error instanceof QuiverError && error.message === 'crashed here')) throw error;
          crashes += 1;
        });
        await moveConsumerState(sourceInner, targetInner);
        expect(await contents(targetInner)).toEqual(before.filter(isConsumerKey));
        expect(await contents(sourceInner)).toEqual(before.filter((entry) => !isConsumerKey(entry)));
      }),
      { numRuns: 60, seed: 7 },
    );
    expect(crashes).toBeGreaterThan(20);
  });
});
