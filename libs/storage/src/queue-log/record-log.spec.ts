import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import fc from 'fast-check';

import { isQuiverError, ManualClock, QuiverErrorCode } from '@quiver/core';

import type { KeyValueStore } from '../kv/key-value-store';
import {
  decodeRecordLogKey,
  encodeLayoutMarker,
  encodeOperationsRecord,
  frameRecord,
  isMessagePointer,
  KeyPrefix,
  layoutMarkerKey,
  messageKey,
  recordLogKey,
  recordLogPositionKey,
  timerIndexKey,
} from '../layout';
import { ByteWriter } from '../bytes';
import { LevelKeyValueStore } from '../level/level-key-value-store';
import { RECORD_LOG_BATCH_BYTES_MIN } from '../limits';
import { MemoryKeyValueStore } from '../memory/memory-key-value-store';
import { SimKeyValueStore } from '../sim/sim-key-value-store';
import { flipByteInLevelDbLog, message, readWholeQueue, rejection, settle } from './spec-support';
import { encodePlacedMessageRecord } from '../message-record';
import { KeyValueQueueLog, SequenceRuns } from './key-value-queue-log';
import { KeyValueRecordLog } from '../record-log/key-value-record-log';
import { ForwardingKeyValueStore, HeldWrites } from '../testing';
import type { FlushMode } from './queue-log';

const STORE_HOST = '127.0.0.1:10911';


async function allEntries(store: KeyValueStore): Promise<Array<{ key: Buffer; value: Buffer }>> {
  return store.iterate({ limit: 10_000 });
}

async function bodies(log: KeyValueQueueLog, topic: string, queueId: number): Promise<string[]> {
  return (await log.read(topic, queueId, 0, 1_000)).map((stored) => Buffer.from(stored.body).toString());
}

describe('KeyValueQueueLog with a record log (layout 2)', () => {
  let clock: ManualClock;
  let index: SimKeyValueStore;
  let records: SimKeyValueStore;
  let log: KeyValueQueueLog;

  const open = (flushMode: FlushMode = 'sync'): Promise<KeyValueQueueLog> =>
    KeyValueQueueLog.open({ store: index, recordLog: new KeyValueRecordLog(records), clock, storeHost: STORE_HOST, flushMode, recordLogBatchBytesMin: 0 });

  /** reopen is a restart: a new log over the same stores, as after a crash that kept what the stores hold. */
  const reopen = async (): Promise<KeyValueQueueLog> => {
    await log.close();
    log = await open();
    return log;
  };

  beforeEach(async () => {
    clock = new ManualClock();
    index = new SimKeyValueStore(new MemoryKeyValueStore());
    records = new SimKeyValueStore(new MemoryKeyValueStore());
    log = await open();
  });

  afterEach(async () => {
    await log.close();
  });

  it('records go to the record log in append order; the index holds pointers to them', async () => {
    await log.append('a', 0, [message(0), message(1)]);
    await log.append('b', 3, [message(2)]);
    await log.append('a', 0, [message(3)]);

    const logged = await allEntries(records.inner);
    expect(logged.map((entry) => entry.key[0])).toEqual([KeyPrefix.RecordLog, KeyPrefix.RecordLog, KeyPrefix.RecordLog, KeyPrefix.RecordLog]);
    expect(logged.map((entry) => decodeRecordLogKey(entry.key))).toEqual([0, 1, 2, 3]);
    const pointers = await index.inner.getMany([messageKey(0, 0), messageKey(0, 1), messageKey(1, 0), messageKey(0, 2)]);
    expect(pointers.every((value) => value !== undefined && isMessagePointer(value))).toBe(true);

    expect(await bodies(log, 'a', 0)).toEqual(['body-0', 'body-1', 'body-3']);
    expect(await bodies(await reopen(), 'b', 3)).toEqual(['body-2']);
    expect((await log.findByMessageId('id-3', 10)).map((stored) => stored.queueOffset)).toEqual([2]);
    expect((await log.findByKey('a', 'key-0', { beginTimestampMs: 0, endTimestampMs: clock.nowMs() + 1, maxCount: 10 })).map((stored) => stored.messageId)).toEqual([
      'id-0',
      'id-3',
    ]);
  });

  it('one append is one fsynced record-log write and one index write that is not fsynced', async () => {
    await log.append('a', 0, [message(0)]);
    expect(records.stats).toMatchObject({ writeCount: 1, syncWriteCount: 1 });
    expect(index.stats.syncWriteCount).toBe(1); // the layout marker written at open
    expect(index.stats.writeCount).toBe(2);
  });

  it('a lost index write is replayed at open: offsets, lookups and the next append continue from it', async () => {
    await log.append('a', 0, [message(0)]);
    index.failNextWrites(1, 'before-apply');
    expect(isQuiverError(await rejection(log.append('a', 0, [message(1), message(2)])), QuiverErrorCode.StoreUnavailable)).toBe(true);

    await reopen();
    expect(await bodies(log, 'a', 0)).toEqual(['body-0', 'body-1', 'body-2']);
    expect(log.nextOffset('a', 0)).toBe(3);
    expect((await log.findByMessageId('id-2', 10)).map((stored) => stored.queueOffset)).toEqual([2]);
    expect((await log.append('a', 0, [message(4)])).offsets).toEqual([3]);
  });

  it('a queue whose first append lost its index write is created by the replay', async () => {
    await log.append('a', 0, [message(0)]);
    index.failNextWrites(1, 'before-apply');
    await rejection(log.append('fresh', 2, [message(1)]));
    await reopen();
    expect(log.queueExists('fresh', 2)).toBe(true);
    expect(await bodies(log, 'fresh', 2)).toEqual(['body-1']);
    expect((await log.append('fresh', 2, [message(2)])).offsets).toEqual([1]);
    expect((await log.append('other', 0, [message(3)])).offsets).toEqual([0]);
    expect(await bodies(await reopen(), 'other', 0)).toEqual(['body-3']);
  });

  it('a failed index write is replayed before the next append, without a restart', async () => {
    index.failNextWrites(1, 'before-apply');
    expect(isQuiverError(await rejection(log.append('a', 0, [message(0), message(1)])), QuiverErrorCode.StoreUnavailable)).toBe(true);
    // The records were durable: the next batch indexes them first, so its offsets follow theirs.
    expect((await log.append('a', 0, [message(2)])).offsets).toEqual([2]);
    expect(await bodies(log, 'a', 0)).toEqual(['body-0', 'body-1', 'body-2']);
  });

  it('a record-log write that fails before applying leaves no trace and no gap', async () => {
    await log.append('a', 0, [message(0)]);
    records.failNextWrites(1, 'before-apply');
    expect(isQuiverError(await rejection(log.append('a', 0, [message(1)])), QuiverErrorCode.StoreUnavailable)).toBe(true);
    expect((await log.append('a', 0, [message(2)])).offsets).toEqual([1]);
    expect(await bodies(await reopen(), 'a', 0)).toEqual(['body-0', 'body-2']);
  });

  it('a record-log write that applied and then failed may show up, but never twice and never with a hole', async () => {
    await log.append('a', 0, [message(0)]);
    records.failNextWrites(1, 'after-apply');
    expect(isQuiverError(await rejection(log.append('a', 0, [message(1)])), QuiverErrorCode.StoreUnavailable)).toBe(true);
    const next = (await log.append('a', 0, [message(2)])).offsets[0]!;
    const read = await bodies(await reopen(), 'a', 0);
    expect(read).toEqual(next === 2 ? ['body-0', 'body-1', 'body-2'] : ['body-0', 'body-2']);
    expect(log.nextOffset('a', 0)).toBe(read.length);
  });

  it('operations written alongside messages are replayed with them', async () => {
    const timerKey = timerIndexKey({ dueMs: 5_000, timerOffset: 0 });
    index.failNextWrites(1, 'before-apply');
    await rejection(log.append('a', 0, [message(0)], { alongside: () => [{ type: 'put', key: timerKey, value: Buffer.from('target') }] }));
    expect(await index.inner.get(timerKey)).toBeUndefined();
    await reopen();
    expect((await index.inner.get(timerKey))?.toString()).toBe('target');

    index.failNextWrites(1, 'before-apply');
    await rejection(log.append('a', 0, [message(1)], { alongside: () => [{ type: 'del', key: timerKey }] }));
    await reopen();
    expect(await index.inner.get(timerKey)).toBeUndefined();
    expect(await bodies(log, 'a', 0)).toEqual(['body-0', 'body-1']);
  });

  it('operations logged after a superseded record are not replayed; after a replayed one they are', async () => {
    await log.append('a', 0, [message(0)]);
    await log.close();
    const placement = (queueOffset: number) => ({ topic: 'a', queueId: 0, queueOffset, storeTimestampMs: clock.nowMs(), storeHost: STORE_HOST });
    const stale = timerIndexKey({ dueMs: 1, timerOffset: 1 });
    const fresh = timerIndexKey({ dueMs: 2, timerOffset: 2 });
    // Offset 0 again (a failed write's record whose offset was handed out again), then offset 1, each with its operations.
    await records.inner.write(
      [
        { type: 'put', key: recordLogKey(10), value: encodePlacedMessageRecord(message(7), placement(0)) },
        { type: 'put', key: recordLogKey(11), value: encodeOperationsRecord([{ type: 'put', key: stale, value: Buffer.from('x') }]) },
        { type: 'put', key: recordLogKey(12), value: encodePlacedMessageRecord(message(8), placement(1)) },
        { type: 'put', key: recordLogKey(13), value: encodeOperationsRecord([{ type: 'put', key: fresh, value: Buffer.from('y') }]) },
      ],
      { sync: true },
    );
    log = await open();
    expect(await bodies(log, 'a', 0)).toEqual(['body-0', 'body-8']);
    expect(await index.inner.get(stale)).toBeUndefined();
    expect((await index.inner.get(fresh))?.toString()).toBe('y');
    expect((await log.append('a', 0, [message(9)])).offsets).toEqual([2]);
  });

  it('a record missing from the record log is a corrupted queue, never a hole', async () => {
    await log.append('a', 0, [message(0), message(1), message(2)]);
    await records.inner.write([{ type: 'del', key: recordLogKey(1) }], { sync: true });
    const reopened = await reopen();
    const error = await rejection(reopened.read('a', 0, 0, 10));
    expect(isQuiverError(error, QuiverErrorCode.QueueCorrupted)).toBe(true);
    expect(reopened.corruptedQueues()[0]).toMatchObject({ topic: 'a', queueId: 0, offset: 1 });
  });

  it('a replay that finds a queue\'s offsets skipping ahead marks the queue corrupted', async () => {
    await log.append('a', 0, [message(0)]);
    index.failNextWrites(1, 'before-apply');
    await rejection(log.append('a', 0, [message(1), message(2)]));
    // Offset 1 is lost from the record log before the replay indexes it; offset 2 is still there.
    await records.inner.write([{ type: 'del', key: recordLogKey(1) }], { sync: true });
    await reopen();
    expect(log.isQueueCorrupted('a', 0)).toBe(true);
    expect(log.corruptedQueues()[0]?.reason).toMatch(/missing/);
  });

  it('a read of recent appends past the ring takes one LevelDB call; older offsets go through the pointers', async () => {
    await log.close();
    const indexReads: number[] = [];
    const counting = new (class extends ForwardingKeyValueStore {
      override getMany(keys: readonly Uint8Array[]): Promise<Array<Buffer | undefined>> {
        indexReads.push(keys.length);
        return super.getMany(keys);
      }
    })(index);
    log = await KeyValueQueueLog.open({ store: counting, recordLog: new KeyValueRecordLog(records), clock, storeHost: STORE_HOST, recentRecordsBytesMax: 0, recordLogBatchBytesMin: 0 });
    for (let append = 0; append < 600; append++) await log.append('a', 0, [message(append)]);
    await log.append('b', 0, [message(600)]);
    await log.append('a', 0, [message(601)]);
    indexReads.length = 0;
    // Offsets 0..599 were one run at consecutive sequences; 600 sits after b's record.
    expect((await log.read('a', 0, 580, 21)).map((stored) => stored.messageId)).toEqual([...Array.from({ length: 20 }, (_, i) => `id-${580 + i}`), 'id-601']);
    expect(indexReads).toEqual([]);

    await log.close();
    log = await KeyValueQueueLog.open({ store: counting, recordLog: new KeyValueRecordLog(records), clock, storeHost: STORE_HOST, recentRecordsBytesMax: 0, recordLogBatchBytesMin: 0 });
    indexReads.length = 0;
    expect((await log.read('a', 0, 0, 3)).map((stored) => stored.messageId)).toEqual(['id-0', 'id-1', 'id-2']);
    expect(indexReads).toEqual([3]);
  });

  it('with the default bound, a small batch stays inline in one fsynced write and a large one goes to the record log', async () => {
    await log.close();
    log = await KeyValueQueueLog.open({ store: index, recordLog: new KeyValueRecordLog(records), clock, storeHost: STORE_HOST });
    const writesBefore = { index: index.stats.syncWriteCount, records: records.stats.writeCount };
    await log.append('a', 0, [message(0)]);
    expect(index.stats.syncWriteCount).toBe(writesBefore.index + 1);
    expect(records.stats.writeCount).toBe(writesBefore.records);
    const large = Array.from({ length: 40 }, (_, offset) => message(1 + offset, { body: Buffer.alloc(1_024, offset) }));
    expect(RECORD_LOG_BATCH_BYTES_MIN).toBeLessThan(40 * 1_024);
    await log.append('a', 0, large);
    expect(records.stats.writeCount).toBe(writesBefore.records + 1);
    expect((await allEntries(records.inner)).length).toBe(40);
    const read = await (await reopen()).read('a', 0, 0, 100);
    expect(read.map((stored) => stored.queueOffset)).toEqual(Array.from({ length: 41 }, (_, offset) => offset));
    expect(Buffer.from(read[40]!.body).equals(Buffer.alloc(1_024, 39))).toBe(true);
  });

  it("an inline batch acknowledged 'durable' is readable when it resolves: one fsynced write does both", async () => {
    await log.close();
    log = await KeyValueQueueLog.open({ store: index, recordLog: new KeyValueRecordLog(records), clock, storeHost: STORE_HOST });
    const { offsets, visible } = await log.append('a', 0, [message(0)], { acknowledge: 'durable' });
    expect(offsets).toEqual([0]);
    expect(log.nextOffset('a', 0)).toBe(1);
    await visible;
    expect(await bodies(log, 'a', 0)).toEqual(['body-0']);
  });

  it('an index that points into a record log it was not opened with is refused', async () => {
    await log.append('a', 0, [message(0)]);
    await log.close();
    const error = await rejection(KeyValueQueueLog.open({ store: index, clock, storeHost: STORE_HOST }));
    expect(isQuiverError(error, QuiverErrorCode.StoreUnavailable)).toBe(true);
    log = await open();
  });
});

describe('KeyValueQueueLog - pipelined group commit over a record log', () => {
  let events: string[];
  let index: HeldWrites;
  let records: HeldWrites;
  let log: KeyValueQueueLog;

  beforeEach(async () => {
    events = [];
    index = new HeldWrites(new MemoryKeyValueStore(), 'index', events);
    records = new HeldWrites(new MemoryKeyValueStore(), 'records', events);
    log = await KeyValueQueueLog.open({ store: index, recordLog: new KeyValueRecordLog(records), clock: new ManualClock(), storeHost: STORE_HOST, recordLogBatchBytesMin: 0 });
    index.holding = true;
    records.holding = true;
  });

  afterEach(async () => {
    index.holding = false;
    records.holding = false;
    while (index.held + records.held > 0) {
      if (index.held > 0) index.release();
      if (records.held > 0) records.release();
      await settle();
    }
    await log.close();
  });

  /** track records the order in which appends settle. */
  const track = (settled: string[], name: string, append: Promise<{ offsets: number[] }>): Promise<number[] | unknown> =>
    append.then(
      (result) => (settled.push(name), result.offsets),
      (error: unknown) => (settled.push(name), error),
    );

  it('acknowledged appends stay where they were acknowledged, once, over concurrent appends and failing writes of both stores (property)', async () => {
    const QUEUES = 4;
    const burst = fc.array(
      fc.record({ queueId: fc.integer({ min: 0, max: QUEUES - 1 }), count: fc.integer({ min: 1, max: 5 }), acknowledge: fc.constantFrom('visible' as const, 'durable' as const) }),
      { minLength: 1, maxLength: 6 },
    );
    const step = fc.oneof({ weight: 8, arbitrary: burst }, { weight: 1, arbitrary: fc.constant('reopen' as const) });
    let failedAppends = 0;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 1_000_000 }), fc.array(step, { minLength: 1, maxLength: 25 }), async (seed, steps) => {
        // Latency on every call (real timers, up to 2 ms) lets an index write outlast the next batch's record write.
        const faults = { writeErrorProbability: 0.06, indeterminateWriteErrorProbability: 0.06, latencyMsMax: 2 };
        const indexStore = new SimKeyValueStore(new MemoryKeyValueStore(), { seed, ...faults });
        const recordStore = new SimKeyValueStore(new MemoryKeyValueStore(), { seed: seed + 1, ...faults });
        /** openOver opens the log, as often as a restart would take while the open's own writes fail. */
        const openOver = async (store: KeyValueStore, records: KeyValueStore): Promise<KeyValueQueueLog> => {
          for (;;) {
            try {
              return await KeyValueQueueLog.open({ store, recordLog: new KeyValueRecordLog(records), clock: new ManualClock(), storeHost: STORE_HOST, recordLogBatchBytesMin: 0 });
            } catch (error) {
              if (!isQuiverError(error, QuiverErrorCode.StoreUnavailable)) throw error;
            }
          }
        };
        /** Per queue, the message ID acknowledged at each offset. */
        const acknowledged = Array.from({ length: QUEUES }, () => new Map<number, string>());
        let next = 0;
        let current = await openOver(indexStore, recordStore);
        try {
          for (const entry of steps) {
            if (entry === 'reopen') {
              await current.close();
              current = await openOver(indexStore, recordStore);
              continue;
            }
            const appends = entry.map(({ queueId, count, acknowledge }) => ({ queueId, acknowledge, messages: Array.from({ length: count }, () => message(next++)) }));
            const outcomes = await Promise.all(
              appends.map(({ queueId, messages, acknowledge }) =>
                current.append('t', queueId, messages, { acknowledge }).then(
                  (result) => result.offsets,
                  (error: unknown) => error,
                ),
              ),
            );
            outcomes.forEach((outcome, index) => {
              const { queueId, messages } = appends[index]!;
              if (!Array.isArray(outcome)) {
                expect(isQuiverError(outcome, QuiverErrorCode.StoreUnavailable)).toBe(true);
                failedAppends += 1;
                return;
              }
              outcome.forEach((offset, position) => {
                expect(acknowledged[queueId]!.has(offset)).toBe(false);
                acknowledged[queueId]!.set(offset, messages[position]!.messageId);
              });
            });
          }
        } finally {
          await current.close();
        }
        // Without faults now: what was acknowledged is there, at its offset, and no message is there twice.
        const final = await openOver(indexStore.inner, recordStore.inner);
        try {
          const seen = new Set<string>();
          for (let queueId = 0; queueId < QUEUES; queueId++) {
            expect(final.isQueueCorrupted('t', queueId)).toBe(false);
            const stored = final.queueExists('t', queueId) ? await final.read('t', queueId, 0, 1_000) : [];
            expect(stored.map((item) => item.queueOffset)).toEqual(stored.map((_, index) => index));
            for (const item of stored) {
              expect(seen.has(item.messageId)).toBe(false);
              seen.add(item.messageId);
            }
            for (const [offset, messageId] of acknowledged[queueId]!) expect(stored[offset]?.messageId).toBe(messageId);
          }
        } finally {
          await final.close();
        }
      }),
      { numRuns: 150, seed: 8 },
    );
    // The faults must have hit appends, or the property proves little.
    expect(failedAppends).toBeGreaterThan(100);
  });

  it('writes the next batch\'s records during the previous index write, lags at most one index write, and acknowledges in order', async () => {
    const settled: string[] = [];
    const first = track(settled, 'first', log.append('a', 0, [message(0)]));
    const second = track(settled, 'second', log.append('a', 0, [message(1)]));
    await settle();
    expect(events).toEqual(['records start']);

    records.release();
    await settle();
    // The first batch's index write and the second batch's record write run together.
    expect(events.slice(1).sort()).toEqual(['index start', 'records land', 'records start']);
    const third = track(settled, 'third', log.append('a', 0, [message(2)]));
    records.release();
    await settle();
    // Two index writes would lag now: the third batch waits for the first one.
    expect(records.held).toBe(0);
    expect(index.held).toBe(1);
    expect(settled).toEqual([]);

    index.release();
    await settle();
    expect(settled).toEqual(['first']);
    expect(await first).toEqual([0]);
    expect(records.held).toBe(1);
    expect(index.held).toBe(1);
    while (index.held + records.held > 0) {
      if (index.held > 0) index.release();
      if (records.held > 0) records.release();
      await settle();
    }
    expect(await second).toEqual([1]);
    expect(await third).toEqual([2]);
    expect(settled).toEqual(['first', 'second', 'third']);
    expect(await bodies(log, 'a', 0)).toEqual(['body-0', 'body-1', 'body-2']);
  });

  it('a failed index write fails its batch and the one written behind it; the next append indexes both first', async () => {
    const first = rejection(log.append('a', 0, [message(0)]));
    const second = rejection(log.append('fresh', 1, [message(1)]));
    await settle();
    records.release();
    await settle();
    records.release();
    await settle();
    expect(index.held).toBe(1);
    index.fail(new Error('disk gone'));
    expect(isQuiverError(await first, QuiverErrorCode.StoreUnavailable)).toBe(true);
    expect(isQuiverError(await second, QuiverErrorCode.StoreUnavailable)).toBe(true);

    index.holding = false;
    records.holding = false;
    // Both batches' records are durable: the resync replays them, so nothing is reused and nothing is lost.
    expect((await log.append('a', 0, [message(2)])).offsets).toEqual([1]);
    expect((await log.append('fresh', 1, [message(3)])).offsets).toEqual([1]);
    expect(await bodies(log, 'a', 0)).toEqual(['body-0', 'body-2']);
    expect(await bodies(log, 'fresh', 1)).toEqual(['body-1', 'body-3']);
  });

  /** isSettled reports whether a promise has settled, after letting pending callbacks run. */
  const isSettled = async (promise: Promise<unknown>): Promise<boolean> => {
    let settled = false;
    void promise.then(
      () => (settled = true),
      () => (settled = true),
    );
    await settle();
    return settled;
  };

  it("acknowledge 'durable' resolves once the records are durable; the messages become readable, and visible resolves, when the index write lands", async () => {
    const appended = log.append('a', 0, [message(0), message(1)], { acknowledge: 'durable' });
    await settle();
    expect(await isSettled(appended)).toBe(false);
    records.release();
    const { offsets, visible } = await appended;
    expect(offsets).toEqual([0, 1]);
    await settle();
    expect(index.held).toBe(1);
    expect(await isSettled(visible)).toBe(false);
    expect(log.nextOffset('a', 0)).toBe(0);
    expect(await log.read('a', 0, 0, 10)).toEqual([]);
    // A lookup waits for the index write rather than missing an acknowledged message.
    const found = log.findByMessageId('id-1', 10);
    expect(await isSettled(found)).toBe(false);

    index.release();
    await visible;
    expect(log.nextOffset('a', 0)).toBe(2);
    expect(await bodies(log, 'a', 0)).toEqual(['body-0', 'body-1']);
    expect((await found).map((stored) => stored.queueOffset)).toEqual([1]);
  });

  it("appends acknowledged 'durable' and 'visible' share a batch; each resolves at its own stage", async () => {
    const settled: string[] = [];
    const before = track(settled, 'before', log.append('x', 0, [message(0)]));
    await settle();
    // Both wait behind the first batch's record write, so they form the next batch together.
    const early = track(settled, 'durable', log.append('a', 0, [message(1)], { acknowledge: 'durable' }));
    const late = track(settled, 'visible', log.append('b', 0, [message(2)]));
    records.release();
    await settle();
    records.release();
    await settle();
    expect(settled).toEqual(['durable']);
    index.release();
    await settle();
    expect(settled).toEqual(['durable', 'before']);
    index.release();
    await settle();
    expect(settled).toEqual(['durable', 'before', 'visible']);
    expect(await before).toEqual([0]);
    expect(await early).toEqual([0]);
    expect(await late).toEqual([0]);
  });

  it("a failed index write after a 'durable' acknowledgement is re-indexed at once, without another append, and nothing is reused", async () => {
    const first = log.append('a', 0, [message(0)], { acknowledge: 'durable' });
    const second = log.append('fresh', 1, [message(1)], { acknowledge: 'durable' });
    await settle();
    records.release();
    await settle();
    records.release();
    const [firstResult, secondResult] = await Promise.all([first, second]);
    expect(firstResult.offsets).toEqual([0]);
    expect(secondResult.offsets).toEqual([0]);
    expect(index.held).toBe(1);
    index.fail(new Error('disk gone'));
    await settle();
    // The resync's replay write is the next index write; the second batch's own index write never runs.
    expect(index.held).toBe(1);
    index.holding = false;
    records.holding = false;
    index.release();
    await Promise.all([firstResult.visible, secondResult.visible]);
    expect(await bodies(log, 'a', 0)).toEqual(['body-0']);
    expect(await bodies(log, 'fresh', 1)).toEqual(['body-1']);
    expect((await log.append('a', 0, [message(2)])).offsets).toEqual([1]);
    expect(await bodies(log, 'a', 0)).toEqual(['body-0', 'body-2']);
  });

  it('when the re-indexing fails too, the acknowledged messages wait for the next append, which re-indexes them first', async () => {
    const first = log.append('a', 0, [message(0)], { acknowledge: 'durable' });
    await settle();
    records.release();
    const { visible } = await first;
    await settle();
    index.fail(new Error('disk gone'));
    await settle();
    expect(index.held).toBe(1);
    index.fail(new Error('still gone'));
    await settle();
    expect(await isSettled(visible)).toBe(false);
    expect(index.held + records.held).toBe(0);

    index.holding = false;
    records.holding = false;
    expect((await log.append('a', 0, [message(1)])).offsets).toEqual([1]);
    await visible;
    expect(await bodies(log, 'a', 0)).toEqual(['body-0', 'body-1']);
  });

  it("an append with operations alongside cannot be acknowledged 'durable'", async () => {
    const error = await rejection(log.append('a', 0, [message(0)], { acknowledge: 'durable', alongside: () => [] }));
    expect(isQuiverError(error, QuiverErrorCode.BadRequest)).toBe(true);
    expect(index.held + records.held).toBe(0);
  });

  it('a failed record write fails only its own batch; the batch before it is indexed and acknowledged', async () => {
    const first = log.append('a', 0, [message(0)]);
    const second = rejection(log.append('a', 0, [message(1)]));
    await settle();
    records.release();
    await settle();
    records.fail(new Error('disk gone'));
    expect(isQuiverError(await second, QuiverErrorCode.StoreUnavailable)).toBe(true);
    index.release();
    expect((await first).offsets).toEqual([0]);

    index.holding = false;
    records.holding = false;
    expect((await log.append('a', 0, [message(2)])).offsets).toEqual([1]);
    expect(await bodies(log, 'a', 0)).toEqual(['body-0', 'body-2']);
  });
});

describe('KeyValueQueueLog - a layout 1 store opened with a record log', () => {
  it('keeps serving its inline records, appends to the record log, and reads across both', async () => {
    const clock = new ManualClock();
    const index = new MemoryKeyValueStore();
    const records = new MemoryKeyValueStore();
    const legacy = await KeyValueQueueLog.open({ store: index, clock, storeHost: STORE_HOST });
    await legacy.append('a', 0, [message(0), message(1)]);
    await legacy.close();
    // What a layout 1 node left: records inline under 'M' and a version 1 marker.
    await index.write([{ type: 'put', key: layoutMarkerKey(), value: frameRecord(1, new ByteWriter(1).u8(1).finish()) }], { sync: true });
    expect(await index.get(recordLogPositionKey())).toBeUndefined();

    const log = await KeyValueQueueLog.open({ store: index, recordLog: new KeyValueRecordLog(records), clock, storeHost: STORE_HOST, recordLogBatchBytesMin: 0 });
    expect((await index.get(layoutMarkerKey()))?.equals(encodeLayoutMarker())).toBe(true);
    expect((await log.append('a', 0, [message(2)])).offsets).toEqual([2]);
    expect((await log.read('a', 0, 0, 10)).map((stored) => Buffer.from(stored.body).toString())).toEqual(['body-0', 'body-1', 'body-2']);
    expect((await allEntries(records)).length).toBe(1);
    await log.close();
  });
});

describe('KeyValueQueueLog - record-log damage in LevelDB (RELIABILITY.md 1.2)', () => {
  it('a flipped byte in the record log\'s write-ahead log is reported as a corrupted queue, never served around', async () => {
    const directory = await mkdtemp(path.join(tmpdir(), 'quiver-record-log-'));
    const clock = new ManualClock();
    try {
      const indexLocation = path.join(directory, 'index');
      const recordLocation = path.join(directory, 'records');
      let index = await LevelKeyValueStore.open(indexLocation);
      let records = await LevelKeyValueStore.open(recordLocation);
      let log = await KeyValueQueueLog.open({ store: index, recordLog: new KeyValueRecordLog(records), clock, storeHost: STORE_HOST, flushMode: 'async', recordLogBatchBytesMin: 0 });
      for (let first = 0; first < 2_000; first += 10) {
        await log.append('t', 0, Array.from({ length: 10 }, (_, offset) => message(first + offset, { body: Buffer.alloc(100, first + offset) })));
      }
      await log.close();
      await Promise.all([index.close(), records.close()]);

      expect(await flipByteInLevelDbLog(recordLocation)).toBeGreaterThan(100_000);

      index = await LevelKeyValueStore.open(indexLocation);
      records = await LevelKeyValueStore.open(recordLocation);
      log = await KeyValueQueueLog.open({ store: index, recordLog: new KeyValueRecordLog(records), clock, storeHost: STORE_HOST });
      const { served, error } = await readWholeQueue(log, 't', 0);
      expect(isQuiverError(error, QuiverErrorCode.QueueCorrupted)).toBe(true);
      expect(served).toEqual(served.map((_, position) => position));
      await log.close();
      await Promise.all([index.close(), records.close()]);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});

describe('SequenceRuns', () => {
  it('finds the sequence of an offset in a remembered run, extending runs that continue', () => {
    const runs = new SequenceRuns(4);
    runs.add(7, 0, 100, 10);
    runs.add(7, 10, 110, 5); // continues offsets and sequences: one run 0..14 -> 100..114
    runs.add(7, 15, 200, 2);
    runs.add(8, 0, 117, 1);
    expect(runs.sequenceOf(7, 0)).toBe(100);
    expect(runs.sequenceOf(7, 14)).toBe(114);
    expect(runs.sequenceOf(7, 16)).toBe(201);
    expect(runs.sequenceOf(7, 17)).toBeUndefined();
    expect(runs.sequenceOf(8, 0)).toBe(117);
    expect(runs.sequenceOf(9, 0)).toBeUndefined();
  });

  it('keeps at most the bound of runs in all, each queue dropping its older half past it', () => {
    const runs = new SequenceRuns(8);
    // Queues 1 and 2 alternate, so no run continues another: 6 runs each, 12 in all.
    for (let append = 0; append < 12; append++) runs.add(1 + (append % 2), append >> 1, append * 10, 1);
    expect(runs.size).toBeLessThanOrEqual(8);
    expect(runs.sequenceOf(1, 5)).toBe(100);
    expect(runs.sequenceOf(2, 5)).toBe(110);
    expect(runs.sequenceOf(1, 0)).toBeUndefined();
    expect(runs.sequenceOf(2, 0)).toBeUndefined();
    for (let append = 0; append < 1_000; append++) runs.add(3 + (append % 50), append, append * 7, 1);
    expect(runs.size).toBeLessThanOrEqual(8);
    expect(runs.sequenceOf(3 + (999 % 50), 999)).toBe(999 * 7);
    runs.clear();
    expect(runs.size).toBe(0);
    expect(runs.sequenceOf(3 + (999 % 50), 999)).toBeUndefined();
  });
});
