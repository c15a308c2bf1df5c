/**
 * Tail reads: KeyValueQueueLog copies recently committed records into one fixed ring and serves
 * reads of them without the store. These specs count the store's getMany calls and the offsets
 * they ask for, compare every read with a log that remembers nothing, and check that the ring,
 * not the appended records, is what is held.
 */
import { isQuiverError, ManualClock, MessageKind, QuiverErrorCode } from '@quiver/core';
import type { MessageToStore, StoredMessage } from '@quiver/core';
import fc from 'fast-check';

import type { KeyValueStore } from '../kv/key-value-store';
import { decodeMessageKey, KeyPrefix, messageKey } from '../layout';
import { MemoryKeyValueStore } from '../memory/memory-key-value-store';
import { ForwardingKeyValueStore, SimKeyValueStore } from '../testing';
import { KeyValueQueueLog, RECENT_COMPACT_MIN, RecentRecords } from './key-value-queue-log';

const STORE_HOST = '127.0.0.1:10911';
/** LARGE_BODY_BYTES makes a record large next to its metadata. */
const LARGE_BODY_BYTES = 5_000;

function message(id: string, bodyBytes = 16, fill = id.length): MessageToStore {
  return {
    messageId: id,
    keys: [`key-${id}`],
    userProperties: { id },
    body: Buffer.alloc(bodyBytes, fill),
    bodyGzipped: false,
    bornTimestampMs: 1_000,
    bornHost: 'producer',
    kind: MessageKind.Normal,
  };
}

/** CountingStore records, for every getMany, the message offsets it asked for. */
class CountingStore extends ForwardingKeyValueStore {
  readonly getManyOffsets: number[][] = [];
  override getMany(keys: readonly Uint8Array[]): Promise<Array<Buffer | undefined>> {
    if (keys.length === 0 || keys[0]![0] === KeyPrefix.Message) this.getManyOffsets.push(keys.map((key) => decodeMessageKey(key).offset));
    return this.inner.getMany(keys);
  }
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

const idsOf = (messages: StoredMessage[]): string[] => messages.map((stored) => stored.messageId);

/** comparable turns bodies into hex, which jest compares far faster than byte arrays. */
const comparable = (messages: StoredMessage[]): Array<Omit<StoredMessage, 'body'> & { body: string }> =>
  messages.map((stored) => ({ ...stored, body: Buffer.from(stored.body.buffer, stored.body.byteOffset, stored.body.byteLength).toString('hex') }));

describe('KeyValueQueueLog - tail reads from memory', () => {
  const clock = new ManualClock();

  const openLog = (store: KeyValueStore, recentRecordsBytesMax?: number): Promise<KeyValueQueueLog> =>
    KeyValueQueueLog.open({ store, clock, storeHost: STORE_HOST, ...(recentRecordsBytesMax === undefined ? {} : { recentRecordsBytesMax }) });

  /**
   * probeLength is the ring bytes a message with this topic, id and body size takes: its record's
   * length, measured on a throwaway store (ids of equal length give records of equal size).
   */
  const probeLength = async (topic: string, id: string, bodyBytes = LARGE_BODY_BYTES): Promise<number> => {
    const store = new MemoryKeyValueStore();
    const probe = await openLog(store, 0);
    await probe.append(topic, 0, [message(id, bodyBytes)]);
    await probe.close();
    return (await store.get(messageKey(0, 0)))!.length;
  };

  it('tail reads - a read of just-appended messages makes no getMany call', async () => {
    const store = new CountingStore(new MemoryKeyValueStore());
    const log = await openLog(store);
    const sent = Array.from({ length: 32 }, (_, index) => message(`m${index}`, 1024));
    await log.append('t', 0, sent.slice(0, 16));
    await Promise.all([log.append('t', 0, sent.slice(16, 24)), log.append('t', 1, [message('other')]), log.append('t', 0, sent.slice(24))]);
    const read = await log.read('t', 0, 0, 32);
    expect(store.getManyOffsets).toEqual([]);
    expect(idsOf(read)).toEqual(sent.map((sentMessage) => sentMessage.messageId));
    expect(read.map((stored) => stored.queueOffset)).toEqual(sent.map((_, offset) => offset));
    expect(read.every((stored, index) => Buffer.from(stored.body).equals(Buffer.from(sent[index]!.body)))).toBe(true);
    expect(idsOf(await log.read('t', 1, 0, 10))).toEqual(['other']);
    expect(store.getManyOffsets).toEqual([]);
    await log.close();
  });

  it('tail reads - the same reads without the memory each make one getMany call', async () => {
    const store = new CountingStore(new MemoryKeyValueStore());
    const log = await openLog(store, 0);
    await log.append('t', 0, [message('a'), message('b')]);
    expect(idsOf(await log.read('t', 0, 0, 10))).toEqual(['a', 'b']);
    expect(store.getManyOffsets).toEqual([[0, 1]]);
    await log.close();
  });

  it('tail reads - a read spanning evicted and remembered offsets fetches only the evicted ones and returns what the store holds', async () => {
    const length = await probeLength('t', 'm0');
    const inner = new MemoryKeyValueStore();
    const store = new CountingStore(inner);
    const log = await openLog(store, 3 * length);
    for (let index = 0; index <= 6; index++) await log.append('t', 0, [message(`m${index}`, LARGE_BODY_BYTES)]);

    const read = await log.read('t', 0, 0, 100);
    // m4..m6 are the three that fit; m0..m3 were evicted.
    expect(store.getManyOffsets).toEqual([[0, 1, 2, 3]]);
    expect(idsOf(read)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6']);
    const plain = await openLog(inner, 0);
    expect(comparable(read)).toEqual(comparable(await plain.read('t', 0, 0, 100)));

    store.getManyOffsets.length = 0;
    expect(idsOf(await log.read('t', 0, 4, 100))).toEqual(['m4', 'm5', 'm6']);
    expect(idsOf(await log.read('t', 0, 2, 3))).toEqual(['m2', 'm3', 'm4']);
    expect(store.getManyOffsets).toEqual([[2, 3]]);
    await log.close();
    await plain.close();
  });

  it('tail reads - the ring holds what fits, a record never straddling its end: the oldest committed records are evicted first, across queues', async () => {
    const length = await probeLength('probe', 'q0');
    for (const [ringBytes, remembered] of [
      [3 * length, 3],
      [3 * length - 1, 2],
    ] as const) {
      const store = new CountingStore(new MemoryKeyValueStore());
      const log = await openLog(store, ringBytes);
      // Commit order: a@0, b@0, a@1, b@1, a@2 (the same ids as the probe, so the same record sizes).
      for (const queueId of [0, 1, 0, 1, 0]) await log.append('probe', queueId, [message('q0', LARGE_BODY_BYTES)]);
      const order = [
        [0, 0],
        [1, 0],
        [0, 1],
        [1, 1],
        [0, 2],
      ] as const;
      const evicted = order.slice(0, order.length - remembered);
      for (const queueId of [0, 1]) {
        store.getManyOffsets.length = 0;
        const read = await log.read('probe', queueId, 0, 10);
        expect(read.map((stored) => stored.queueOffset)).toEqual(queueId === 0 ? [0, 1, 2] : [0, 1]);
        const expectedFetched = evicted.filter(([evictedQueue]) => evictedQueue === queueId).map(([, offset]) => offset);
        expect(store.getManyOffsets).toEqual(expectedFetched.length === 0 ? [] : [expectedFetched]);
      }
      await log.close();
    }
  });

  it('tail reads - the ring still holds exactly what fits after thousands of evictions', async () => {
    const length = await probeLength('t', 'm00000');
    const store = new CountingStore(new MemoryKeyValueStore());
    const log = await openLog(store, 3 * length);
    let sequence = 0;
    for (let round = 0; round < 30; round++) {
      const messages = Array.from({ length: 100 }, () => message(`m${String(sequence++).padStart(5, '0')}`, LARGE_BODY_BYTES));
      await log.append('t', round % 2, messages);
    }
    // The last append went to queue 1: its last three records are all that is remembered.
    expect((await log.read('t', 1, 1_495, 5)).map((stored) => stored.queueOffset)).toEqual([1_495, 1_496, 1_497, 1_498, 1_499]);
    expect((await log.read('t', 0, 1_495, 5)).map((stored) => stored.queueOffset)).toEqual([1_495, 1_496, 1_497, 1_498, 1_499]);
    expect(store.getManyOffsets).toEqual([
      [1_495, 1_496],
      [1_495, 1_496, 1_497, 1_498, 1_499],
    ]);
    await log.close();
  });

  it('tail reads - a record larger than the whole ring is not remembered and evicts everything older', async () => {
    const length = await probeLength('t', 'a');
    const store = new CountingStore(new MemoryKeyValueStore());
    const log = await openLog(store, 2 * length);
    await log.append('t', 0, [message('a', LARGE_BODY_BYTES)]);
    await log.append('t', 1, [message('big', 3 * LARGE_BODY_BYTES)]);
    await log.append('t', 0, [message('b', LARGE_BODY_BYTES)]);
    expect(idsOf(await log.read('t', 1, 0, 10))).toEqual(['big']);
    expect(idsOf(await log.read('t', 0, 0, 10))).toEqual(['a', 'b']);
    expect(store.getManyOffsets).toEqual([[0], [0]]);
    await log.close();
  });

  it('tail reads - a small record takes just its length of the ring', async () => {
    const length = await probeLength('t', 's0', 16);
    for (const [ringBytes, remembered] of [
      [length - 1, 0],
      [length, 1],
      [10 * length, 10],
      [10 * length + length - 1, 10],
    ] as const) {
      const store = new CountingStore(new MemoryKeyValueStore());
      const log = await openLog(store, ringBytes);
      const sent = Array.from({ length: 12 }, (_, index) => message(`s${index % 10}`, 16));
      for (const sentMessage of sent) await log.append('t', 0, [sentMessage]);
      expect(idsOf(await log.read('t', 0, 0, 12))).toEqual(sent.map((sentMessage) => sentMessage.messageId));
      const fetched = Array.from({ length: 12 - remembered }, (_, offset) => offset);
      expect(store.getManyOffsets).toEqual(fetched.length === 0 ? [] : [fetched]);
      await log.close();
    }
  });

  it('tail reads - bodies a read returned stay intact while later appends overwrite the ring', async () => {
    const length = await probeLength('t', 'm0', 100);
    const store = new CountingStore(new MemoryKeyValueStore());
    const log = await openLog(store, 4 * length);
    await log.append('t', 0, [message('m0', 100, 0xaa), message('m1', 100, 0xbb)]);
    const read = await log.read('t', 0, 0, 2);
    expect(store.getManyOffsets).toEqual([]);
    const before = comparable(read);
    expect(before.map((stored) => stored.body)).toEqual(['aa'.repeat(100), 'bb'.repeat(100)]);
    // Ten laps of the ring, with other bytes, over the two records the read copied out.
    for (let index = 0; index < 40; index++) await log.append('t', index % 2, [message('mX', 100, index)]);
    expect(comparable(read)).toEqual(before);
    expect(idsOf(await log.read('t', 0, 0, 2))).toEqual(['m0', 'm1']);
    expect(store.getManyOffsets).toEqual([[0, 1]]);
    await log.close();
  });

  it('tail reads - the ring holds copies: writing into an appended record after it was remembered changes nothing read', () => {
    const recent = new RecentRecords(64);
    const records = [Buffer.from('first'), Buffer.from('second')];
    recent.add(7, 0, records);
    for (const record of records) record.fill(0);
    const into = new Array<Buffer | undefined>(2);
    expect(recent.copyOut(7, 0, into)).toBe(2);
    expect(into.map((record) => record!.toString())).toEqual(['first', 'second']);
    // A read's copies are its own too.
    into[0]!.fill(0);
    const again = new Array<Buffer | undefined>(2);
    recent.copyOut(7, 0, again);
    expect(again.map((record) => record!.toString())).toEqual(['first', 'second']);
  });

  it('tail reads - the memory is the ring: its arrays stay bounded by the records remembered, over many queues and laps', () => {
    const ringBytes = 4_096;
    const recent = new RecentRecords(ringBytes);
    expect(recent.footprint().ringBytes).toBe(0);
    const nextOffsets = new Map<number, number>();
    let maxRemembered = 0;
    let maxSlots = 0;
    // outOfBound collects every round whose arrays outgrew the bound (one expect per round per queue would take seconds).
    const outOfBound: string[] = [];
    let rngState = 12_345;
    const random = (bound: number): number => {
      rngState = (rngState * 1_103_515_245 + 12_345) % 2 ** 31;
      return rngState % bound;
    };
    for (let round = 0; round < 20_000; round++) {
      // Most records land on two busy queues, the rest on many quiet ones; sizes from 1 byte to a quarter ring.
      const queueId = random(10) < 8 ? random(2) : 2 + random(50);
      const records = Array.from({ length: 1 + random(4) }, () => Buffer.alloc(1 + (random(8) === 0 ? random(ringBytes / 4) : random(40)), round));
      const offset = nextOffsets.get(queueId) ?? 0;
      recent.add(queueId, offset, records);
      nextOffsets.set(queueId, offset + records.length);
      const footprint = recent.footprint();
      if (footprint.ringBytes !== ringBytes) outOfBound.push(`round ${round}: ring of ${footprint.ringBytes} bytes`);
      let remembered = 0;
      for (const [id, queue] of footprint.queues) {
        remembered += queue.remembered;
        maxSlots = Math.max(maxSlots, queue.slots);
        if (queue.slots > queue.remembered + Math.max(queue.remembered, RECENT_COMPACT_MIN - 1)) {
          outOfBound.push(`round ${round}: queue ${id} holds ${queue.slots} slots for ${queue.remembered} records`);
        }
      }
      // Every remembered record is named once in the commit order, and takes at least one byte of the ring.
      if (remembered !== footprint.remembered || remembered > ringBytes) outOfBound.push(`round ${round}: ${remembered} records remembered`);
      if (footprint.orderSlots > remembered + Math.max(remembered, RECENT_COMPACT_MIN - 1)) {
        outOfBound.push(`round ${round}: the commit order holds ${footprint.orderSlots} slots for ${remembered} records`);
      }
      maxRemembered = Math.max(maxRemembered, remembered);
      // The newest records of the queue just added to are remembered, and read back as appended.
      const into = new Array<Buffer | undefined>(records.length);
      const copied = recent.copyOut(queueId, offset, into);
      if (copied !== records.length || records.some((record, index) => !into[index]!.equals(record))) {
        outOfBound.push(`round ${round}: the records just added read back wrong`);
      }
    }
    // Spent slots reached the compaction point, and the bound above held every round after it.
    expect(maxSlots).toBeGreaterThanOrEqual(RECENT_COMPACT_MIN);
    expect(maxRemembered).toBeGreaterThan(10);
    expect(outOfBound).toEqual([]);
    recent.release();
    expect(recent.footprint()).toEqual({ ringBytes: 0, remembered: 0, queues: new Map(), orderSlots: 0 });
  });

  it('tail reads - a failed write remembers nothing: a write that did not apply is never served from memory', async () => {
    const sim = new SimKeyValueStore(new MemoryKeyValueStore());
    const store = new CountingStore(sim);
    const log = await openLog(store);
    await log.append('t', 0, [message('a')]);
    sim.failNextWrites(1, 'before-apply');
    expect(isQuiverError(await rejection(log.append('t', 0, [message('lost')])), QuiverErrorCode.StoreUnavailable)).toBe(true);
    // The next append takes the offset the failed one would have had.
    expect((await log.append('t', 0, [message('b')])).offsets).toEqual([1]);
    expect(idsOf(await log.read('t', 0, 0, 10))).toEqual(['a', 'b']);
    // The failure dropped what was remembered (a), and the failed batch was never remembered.
    expect(store.getManyOffsets).toEqual([[0]]);
    await log.close();
  });

  it('tail reads - a failed write that applied is read from the store, the appends after it from memory', async () => {
    const sim = new SimKeyValueStore(new MemoryKeyValueStore());
    const store = new CountingStore(sim);
    const log = await openLog(store);
    await log.append('t', 0, [message('a')]);
    sim.failNextWrites(1, 'after-apply');
    expect(isQuiverError(await rejection(log.append('t', 0, [message('applied')])), QuiverErrorCode.StoreUnavailable)).toBe(true);
    expect((await log.append('t', 0, [message('b'), message('c')])).offsets).toEqual([2, 3]);
    expect(idsOf(await log.read('t', 0, 0, 10))).toEqual(['a', 'applied', 'b', 'c']);
    expect(store.getManyOffsets).toEqual([[0, 1]]);
    await log.close();
  });

  it('tail reads - a queue found corrupted drops what the log remembers, for every queue', async () => {
    const inner = new MemoryKeyValueStore();
    const store = new CountingStore(inner);
    const log = await openLog(store);
    await log.append('damaged', 0, [message('d0'), message('d1'), message('d2')]);
    await log.append('healthy', 0, [message('h0'), message('h1')]);
    await log.close();
    // Remove a middle record (open checks only a queue's ends), then reopen: nothing is remembered yet.
    await inner.write([{ type: 'del', key: messageKey(0, 1) }], { sync: true });
    const reopened = await openLog(store);
    await reopened.append('damaged', 0, [message('d3')]);
    await reopened.append('healthy', 0, [message('h2')]);
    store.getManyOffsets.length = 0;
    expect(idsOf(await reopened.read('healthy', 0, 2, 10))).toEqual(['h2']);
    expect(store.getManyOffsets).toEqual([]);

    expect(isQuiverError(await rejection(reopened.read('damaged', 0, 0, 10)), QuiverErrorCode.QueueCorrupted)).toBe(true);
    expect(store.getManyOffsets).toEqual([[0, 1, 2]]);
    // The damaged queue's remembered tail (d3) serves nothing now, and the healthy queue reads from the store again.
    expect(isQuiverError(await rejection(reopened.read('damaged', 0, 3, 10)), QuiverErrorCode.QueueCorrupted)).toBe(true);
    expect(idsOf(await reopened.read('healthy', 0, 2, 10))).toEqual(['h2']);
    expect(store.getManyOffsets).toEqual([[0, 1, 2], [2]]);
    await reopened.close();
  });

  it('tail reads - a record damaged in the store while remembered is served as committed; a reopened log finds the damage', async () => {
    const inner = new MemoryKeyValueStore();
    const log = await openLog(inner);
    await log.append('t', 0, [message('a'), message('b'), message('c')]);
    const key = messageKey(0, 1);
    const record = (await inner.get(key))!;
    record[record.length - 3] ^= 0x10;
    await inner.write([{ type: 'put', key, value: record }], { sync: true });
    expect(idsOf(await log.read('t', 0, 0, 10))).toEqual(['a', 'b', 'c']);
    await log.close();
    const reopened = await openLog(inner);
    expect(isQuiverError(await rejection(reopened.read('t', 0, 0, 10)), QuiverErrorCode.QueueCorrupted)).toBe(true);
    expect(reopened.corruptedQueues()).toEqual([expect.objectContaining({ topic: 't', queueId: 0, offset: 1 })]);
    await reopened.close();
  });

  it('tail reads - the option is a byte count: negative or fractional budgets are refused', async () => {
    await expect(openLog(new MemoryKeyValueStore(), -1)).rejects.toThrow(/recentRecordsBytesMax/);
    await expect(openLog(new MemoryKeyValueStore(), 1.5)).rejects.toThrow(/recentRecordsBytesMax/);
  });

  it('tail reads - long runs through eviction and compaction serve the right records, tail reads from memory', async () => {
    const stores = [new CountingStore(new MemoryKeyValueStore()), new CountingStore(new MemoryKeyValueStore())] as const;
    const logs = [await openLog(stores[0], 64 * 1024), await openLog(stores[1], 0)] as const;
    let sequence = 0;
    for (let round = 0; round < 80; round++) {
      const queueId = round % 2;
      const messages = Array.from({ length: 50 }, () => message(`m${sequence++}`, 100));
      for (const log of logs) await log.append('t', queueId, messages);
      const from = logs[1].nextOffset('t', queueId) - 40;
      const reads = await Promise.all(logs.map((log) => log.read('t', queueId, from, 40)));
      expect(comparable(reads[0])).toEqual(comparable(reads[1]));
    }
    // Every tail read above was served from memory.
    expect(stores[0].getManyOffsets).toEqual([]);
    for (const queueId of [0, 1]) {
      for (const from of [0, 1_000]) {
        const reads = await Promise.all(logs.map((log) => log.read('t', queueId, from, 1_000)));
        expect(reads[0].length).toBe(1_000);
        expect(comparable(reads[0])).toEqual(comparable(reads[1]));
      }
    }
    for (const log of logs) await log.close();
  });

  type Step =
    | { kind: 'append'; queueIds: number[]; bodyBytes: number[] }
    | { kind: 'fail'; queueId: number; applied: boolean }
    | { kind: 'read'; queueId: number; fromBack: number; maxCount: number };

  const QUEUE_COUNT = 8;
  const step: fc.Arbitrary<Step> = fc.oneof(
    {
      weight: 5,
      arbitrary: fc.record({
        kind: fc.constant('append' as const),
        // Several appends in one step are issued together, so they may share a write batch.
        queueIds: fc.array(fc.integer({ min: 0, max: QUEUE_COUNT - 1 }), { minLength: 1, maxLength: 4 }),
        // Bodies from empty to larger than the smallest rings, so records wrap, evict and overflow the ring.
        bodyBytes: fc.array(fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 3_000, max: 6_000 })), { minLength: 1, maxLength: 6 }),
      }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('fail' as const), queueId: fc.integer({ min: 0, max: QUEUE_COUNT - 1 }), applied: fc.boolean() }) },
    {
      weight: 5,
      arbitrary: fc.record({
        kind: fc.constant('read' as const),
        queueId: fc.integer({ min: 0, max: QUEUE_COUNT - 1 }),
        // fromBack counts back from the next offset; negative reads past it.
        fromBack: fc.integer({ min: -2, max: 40 }),
        maxCount: fc.integer({ min: 1, max: 40 }),
      }),
    },
  );

  it('tail reads - reads equal those of a log that remembers nothing, over random appends, failed writes and reads (property)', async () => {
    // Across all runs, reads must have been served wholly from memory and partly from memory, or the property proves little.
    let wholly = 0;
    let partly = 0;
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.integer({ min: 1, max: 40_000 }), fc.integer({ min: 40_000, max: 400_000 })), fc.array(step, { minLength: 1, maxLength: 40 }), async (ringBytes, steps) => {
        const sims = [new SimKeyValueStore(new MemoryKeyValueStore()), new SimKeyValueStore(new MemoryKeyValueStore())] as const;
        const stores = [new CountingStore(sims[0]), new CountingStore(sims[1])] as const;
        const logs = [await openLog(stores[0], ringBytes), await openLog(stores[1], 0)] as const;
        let sequence = 0;
        try {
          for (const current of steps) {
            if (current.kind === 'append') {
              const appends = current.queueIds.map((queueId, index) => ({
                queueId,
                messages: current.bodyBytes.slice(0, 1 + (index % current.bodyBytes.length)).map((bodyBytes) => message(`m${sequence++}`, bodyBytes)),
              }));
              const results = await Promise.all(logs.map((log) => Promise.all(appends.map((append) => log.append('t', append.queueId, append.messages)))));
              expect(results[0]).toEqual(results[1]);
            } else if (current.kind === 'fail') {
              for (const sim of sims) sim.failNextWrites(1, current.applied ? 'after-apply' : 'before-apply');
              const failed = await Promise.all(logs.map((log) => rejection(log.append('t', current.queueId, [message(`m${sequence}`)]))));
              sequence += 1;
              expect(failed.every((error) => isQuiverError(error, QuiverErrorCode.StoreUnavailable))).toBe(true);
            } else {
              const from = Math.max(0, logs[1].nextOffset('t', current.queueId) - current.fromBack);
              const before = stores.map((store) => store.getManyOffsets.length);
              const reads = await Promise.all(logs.map((log) => log.read('t', current.queueId, from, current.maxCount)));
              expect(comparable(reads[0])).toEqual(comparable(reads[1]));
              // The remembering log never asks the store for more than the plain one.
              const fetched = stores.map((store, index) => store.getManyOffsets.slice(before[index]).flat().length);
              expect(fetched[0]).toBeLessThanOrEqual(fetched[1]!);
              if (reads[0].length > 0 && fetched[0] === 0) wholly += 1;
              if (fetched[0]! > 0 && fetched[0]! < fetched[1]!) partly += 1;
            }
          }
          for (let queueId = 0; queueId < QUEUE_COUNT; queueId++) {
            expect(logs[0].nextOffset('t', queueId)).toBe(logs[1].nextOffset('t', queueId));
            expect(comparable(await logs[0].read('t', queueId, 0, 1024))).toEqual(comparable(await logs[1].read('t', queueId, 0, 1024)));
          }
        } finally {
          for (const log of logs) await log.close();
        }
      }),
      { numRuns: 200, seed: 11 },
    );
    expect(wholly).toBeGreaterThan(50);
    expect(partly).toBeGreaterThan(10);
  });
});
