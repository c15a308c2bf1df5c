import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { isQuiverError, ManualClock, MessageKind, QuiverErrorCode } from '@quiver/core';

import type { KeyValueOperation, KeyValueStore, WriteOptions } from '../kv/key-value-store';
import { KeyPrefix, messageKey, queueMetaKey } from '../layout';
import { LevelKeyValueStore } from '../level/level-key-value-store';
import { APPEND_PENDING_REQUESTS_MAX } from '../limits';
import { MemoryKeyValueStore } from '../memory/memory-key-value-store';
import { SimKeyValueStore } from '../sim/sim-key-value-store';
import { ForwardingKeyValueStore } from '../testing';
import { flipByteInLevelDbLog, message, readWholeQueue, rejection } from './spec-support';
import { KeyValueQueueLog } from './key-value-queue-log';
import type { FlushMode } from './queue-log';

const STORE_HOST = '127.0.0.1:10911';


/** A store environment: a key-value store that survives `reopen`, like a node's data directory. */
interface Environment {
  store: KeyValueStore;
  reopen(): Promise<KeyValueStore>;
  cleanup(): Promise<void>;
}

const environments: Array<[string, () => Promise<Environment>]> = [
  [
    'memory',
    async () => {
      const store = new MemoryKeyValueStore();
      // The in-memory store outlives the log, as a data directory outlives the process.
      return { store, reopen: async () => store, cleanup: () => store.close() };
    },
  ],
  [
    'LevelDB',
    async () => {
      const directory = await mkdtemp(path.join(tmpdir(), 'quiver-queue-log-'));
      const location = path.join(directory, 'db');
      const environment: Environment = {
        store: await LevelKeyValueStore.open(location),
        reopen: async () => {
          await environment.store.close();
          environment.store = await LevelKeyValueStore.open(location);
          return environment.store;
        },
        cleanup: async () => {
          await environment.store.close();
          await rm(directory, { recursive: true, force: true });
        },
      };
      return environment;
    },
  ],
];

describe.each(environments)('KeyValueQueueLog on %s', (_name, createEnvironment) => {
  let environment: Environment;
  let clock: ManualClock;
  let log: KeyValueQueueLog;

  const openLog = async (store: KeyValueStore, flushMode: FlushMode = 'sync'): Promise<KeyValueQueueLog> =>
    KeyValueQueueLog.open({ store, clock, storeHost: STORE_HOST, flushMode });

  const restart = async (): Promise<KeyValueQueueLog> => {
    await log.close();
    log = await openLog(await environment.reopen());
    return log;
  };

  beforeEach(async () => {
    environment = await createEnvironment();
    clock = new ManualClock();
    log = await openLog(environment.store);
  });

  afterEach(async () => {
    await log.close();
    await environment.cleanup();
  });

  describe('append and read', () => {
    it('append - offsets are dense per queue, starting at 0', async () => {
      expect((await log.append('t', 0, [message(0), message(1)])).offsets).toEqual([0, 1]);
      expect((await log.append('t', 0, [message(2)])).offsets).toEqual([2]);
      expect((await log.append('t', 1, [message(3)])).offsets).toEqual([0]);
      expect((await log.append('other', 0, [message(4)])).offsets).toEqual([0]);
      expect(log.nextOffset('t', 0)).toBe(3);
      expect(log.nextOffset('t', 1)).toBe(1);
      expect(log.minOffset('t', 0)).toBe(0);
    });

    it('read - returns every field of the stored messages, in offset order', async () => {
      const sent = [message(0, { messageGroup: 'g', traceContext: 'tc', deliveryTimestampMs: 5, kind: MessageKind.Fifo }), message(1)];
      const { storeTimestampMs } = await log.append('t', 2, sent);
      expect(storeTimestampMs).toBe(clock.nowMs());
      const read = await log.read('t', 2, 0, 10);
      expect(read.map((stored) => ({ ...stored, body: Buffer.from(stored.body) }))).toEqual(
        sent.map((original, offset) => ({ ...original, topic: 't', queueId: 2, queueOffset: offset, storeTimestampMs, storeHost: STORE_HOST })),
      );
    });

    it('read - honours fromOffset and maxCount and stops at the next offset', async () => {
      await log.append('t', 0, [0, 1, 2, 3, 4].map((index) => message(index)));
      expect((await log.read('t', 0, 1, 2)).map((stored) => stored.queueOffset)).toEqual([1, 2]);
      expect((await log.read('t', 0, 3, 100)).map((stored) => stored.queueOffset)).toEqual([3, 4]);
      expect(await log.read('t', 0, 5, 10)).toEqual([]);
      expect(await log.read('t', 0, 500, 10)).toEqual([]);
    });

    it('read - an unknown queue reads empty and does not exist', async () => {
      expect(await log.read('nothing', 0, 0, 10)).toEqual([]);
      expect(log.queueExists('nothing', 0)).toBe(false);
      expect(log.nextOffset('nothing', 0)).toBe(0);
      await log.append('something', 0, [message(0)]);
      expect(log.queueExists('something', 0)).toBe(true);
    });

    it('append - rejects an empty request and bad read arguments with BAD_REQUEST', async () => {
      expect(isQuiverError(await rejection(log.append('t', 0, [])), QuiverErrorCode.BadRequest)).toBe(true);
      expect(isQuiverError(await rejection(log.read('t', 0, -1, 1)), QuiverErrorCode.BadRequest)).toBe(true);
      expect(isQuiverError(await rejection(log.read('t', 0, 0, 0)), QuiverErrorCode.BadRequest)).toBe(true);
    });

    it('append - concurrent appends to several queues each get dense, distinct offsets', async () => {
      const results = await Promise.all(Array.from({ length: 60 }, (_, index) => log.append('t', index % 3, [message(index), message(index + 100)])));
      for (let queueId = 0; queueId < 3; queueId++) {
        const offsets = results.filter((_, index) => index % 3 === queueId).flatMap((result) => result.offsets);
        expect([...offsets].sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, offset) => offset));
        const read = await log.read('t', queueId, 0, 100);
        expect(read.map((stored) => stored.queueOffset)).toEqual(Array.from({ length: 40 }, (_, offset) => offset));
      }
    });
  });

  describe('lookups', () => {
    it('findByMessageId - finds every stored copy of an ID', async () => {
      await log.append('t', 0, [message(1), message(2)]);
      await log.append('t', 1, [message(1)]);
      const found = await log.findByMessageId('id-1', 10);
      expect(found.map((stored) => [stored.queueId, stored.queueOffset])).toEqual([
        [0, 0],
        [1, 0],
      ]);
      expect(await log.findByMessageId('id-404', 10)).toEqual([]);
      expect(await log.findByMessageId('id-', 10)).toEqual([]);
    });

    it('findByKey - finds a topic\'s messages by key within the store-time range', async () => {
      await log.append('t', 0, [message(0, { keys: ['a', 'b'] })]);
      clock.advance(1_000);
      await log.append('t', 1, [message(1, { keys: ['a'] })]);
      await log.append('u', 0, [message(2, { keys: ['a'] })]);
      const all = await log.findByKey('t', 'a', { beginTimestampMs: 0, endTimestampMs: Number.MAX_SAFE_INTEGER, maxCount: 10 });
      expect(all.map((stored) => stored.messageId)).toEqual(['id-0', 'id-1']);
      const late = await log.findByKey('t', 'a', { beginTimestampMs: clock.nowMs(), endTimestampMs: clock.nowMs() + 1, maxCount: 10 });
      expect(late.map((stored) => stored.messageId)).toEqual(['id-1']);
      expect((await log.findByKey('t', 'b', { beginTimestampMs: 0, endTimestampMs: Number.MAX_SAFE_INTEGER, maxCount: 10 })).length).toBe(1);
    });
  });

  describe('restart', () => {
    it('restart - next offsets and messages survive close and reopen', async () => {
      await log.append('t', 0, [message(0), message(1), message(2)]);
      await log.append('t', 5, [message(3)]);
      await restart();
      expect(log.nextOffset('t', 0)).toBe(3);
      expect(log.nextOffset('t', 5)).toBe(1);
      expect(log.corruptedQueues()).toEqual([]);
      expect((await log.read('t', 0, 0, 10)).map((stored) => stored.messageId)).toEqual(['id-0', 'id-1', 'id-2']);
      expect((await log.append('t', 0, [message(4)])).offsets).toEqual([3]);
      expect((await log.append('new', 0, [message(5)])).offsets).toEqual([0]);
      await restart();
      expect(log.nextOffset('new', 0)).toBe(1);
      expect((await log.read('t', 5, 0, 10))[0]?.messageId).toBe('id-3');
    });
  });

  describe('corruption', () => {
    const expectCorrupted = async (promise: Promise<unknown>): Promise<void> => {
      expect(isQuiverError(await rejection(promise), QuiverErrorCode.QueueCorrupted)).toBe(true);
    };

    beforeEach(async () => {
      await log.append('t', 0, [0, 1, 2, 3, 4].map((index) => message(index)));
      await log.append('t', 1, [message(10)]);
      // A reopened log remembers no records, so the reads below reach the damaged store.
      await restart();
    });

    it('corruption - a flipped byte in a stored record marks the queue CORRUPTED; it stops serving, other queues serve', async () => {
      const key = messageKey(0, 2);
      const record = (await environment.store.get(key))!;
      record[record.length - 3] ^= 0x10;
      await environment.store.write([{ type: 'put', key, value: record }], { sync: true });

      await expectCorrupted(log.read('t', 0, 0, 10));
      expect(log.corruptedQueues()).toEqual([expect.objectContaining({ topic: 't', queueId: 0, offset: 2 })]);
      expect(log.isQueueCorrupted('t', 0)).toBe(true);
      // A corrupted queue serves nothing, not even its healthy offsets, and takes no appends.
      await expectCorrupted(log.read('t', 0, 0, 1));
      await expectCorrupted(log.append('t', 0, [message(5)]));
      expect((await log.read('t', 1, 0, 10)).length).toBe(1);
      expect((await log.append('t', 1, [message(11)])).offsets).toEqual([1]);
    });

    it('corruption - a missing record in the middle of a queue is never skipped', async () => {
      await environment.store.write([{ type: 'del', key: messageKey(0, 2) }], { sync: true });
      await expectCorrupted(log.read('t', 0, 1, 10));
      expect(log.corruptedQueues()).toEqual([expect.objectContaining({ topic: 't', queueId: 0, offset: 2 })]);
    });

    it('corruption - a record holding another offset is detected', async () => {
      const other = (await environment.store.get(messageKey(0, 1)))!;
      await environment.store.write([{ type: 'put', key: messageKey(0, 3), value: other }], { sync: true });
      await expectCorrupted(log.read('t', 0, 3, 1));
    });

    it('corruption - a lookup reaching a corrupt record reports it', async () => {
      await environment.store.write([{ type: 'del', key: messageKey(0, 1) }], { sync: true });
      await expectCorrupted(log.findByMessageId('id-1', 10));
    });

    it('open - a missing tail record marks the queue CORRUPTED at restart', async () => {
      await environment.store.write([{ type: 'del', key: messageKey(0, 4) }], { sync: true });
      await restart();
      expect(log.corruptedQueues()).toEqual([expect.objectContaining({ topic: 't', queueId: 0, offset: 4 })]);
      await expectCorrupted(log.read('t', 0, 0, 1));
      expect((await log.read('t', 1, 0, 1)).length).toBe(1);
    });

    it('open - a record beyond the committed next offset marks the queue CORRUPTED at restart', async () => {
      const record = (await environment.store.get(messageKey(0, 4)))!;
      await environment.store.write([{ type: 'put', key: messageKey(0, 9), value: record }], { sync: true });
      await restart();
      expect(log.corruptedQueues()).toEqual([expect.objectContaining({ topic: 't', queueId: 0, offset: 9 })]);
    });

    it('open - a lost queue meta marks the queue CORRUPTED instead of restarting it at offset 0', async () => {
      await environment.store.write([{ type: 'del', key: queueMetaKey(0) }], { sync: true });
      await restart();
      expect(log.corruptedQueues()).toEqual([expect.objectContaining({ topic: 't', queueId: 0, reason: 'queue meta is missing' })]);
      await expectCorrupted(log.append('t', 0, [message(5)]));
    });

    it('open - a lost registry entry and meta are named from the queue\'s records and fenced', async () => {
      const registryKeys = await environment.store.iterate({ gte: Buffer.from([KeyPrefix.QueueRegistry]), lt: Buffer.from([KeyPrefix.QueueRegistry + 1]), limit: 10 });
      await environment.store.write(
        [...registryKeys.filter((entry) => entry.key.includes(Buffer.from('t'))).map((entry) => ({ type: 'del' as const, key: entry.key })), { type: 'del', key: queueMetaKey(0) }],
        { sync: true },
      );
      await restart();
      expect(log.corruptedQueues()).toEqual(expect.arrayContaining([expect.objectContaining({ topic: 't', queueId: 0 })]));
      await expectCorrupted(log.append('t', 0, [message(5)]));
    });
  });
});

/** RecordingStore records the batches written through it, for group-commit specs. */
class RecordingStore extends ForwardingKeyValueStore {
  readonly batches: Array<{ messageCount: number; sync: boolean }> = [];
  override write(operations: readonly KeyValueOperation[], options: WriteOptions): Promise<void> {
    const messageCount = operations.filter((operation) => operation.type === 'put' && operation.key[0] === KeyPrefix.Message).length;
    this.batches.push({ messageCount, sync: options.sync });
    return this.inner.write(operations, options);
  }
}

describe('KeyValueQueueLog - group commit', () => {
  const clock = new ManualClock();

  it('group commit - concurrent appends share write batches, each with one sync', async () => {
    const store = new RecordingStore(new MemoryKeyValueStore());
    const log = await KeyValueQueueLog.open({ store, clock, storeHost: STORE_HOST, flushMode: 'sync' });
    store.batches.length = 0;
    const results = await Promise.all(Array.from({ length: 100 }, (_, index) => log.append('t', index % 4, [message(index)])));
    expect(store.batches.length).toBeLessThan(100);
    expect(store.batches.length).toBe(2);
    expect(store.batches.every((batch) => batch.sync)).toBe(true);
    expect(store.batches.reduce((sum, batch) => sum + batch.messageCount, 0)).toBe(100);
    expect(new Set(results.map((result, index) => `${index % 4}:${result.offsets[0]}`)).size).toBe(100);
  });

  it('group commit - an append to an idle log is written at once, without waiting', async () => {
    const store = new RecordingStore(new MemoryKeyValueStore());
    const log = await KeyValueQueueLog.open({ store, clock, storeHost: STORE_HOST });
    store.batches.length = 0;
    const appending = log.append('t', 0, [message(0)]);
    expect(store.batches.length).toBe(1);
    await appending;
  });

  it('group commit - a batch never exceeds its message bound, and never splits one append', async () => {
    const store = new RecordingStore(new MemoryKeyValueStore());
    const log = await KeyValueQueueLog.open({ store, clock, storeHost: STORE_HOST, groupCommitMessagesMax: 10 });
    store.batches.length = 0;
    await Promise.all(Array.from({ length: 40 }, (_, index) => log.append('t', 0, [message(index), message(index + 1000), message(index + 2000)])));
    expect(store.batches.every((batch) => batch.messageCount <= 10 && batch.messageCount % 3 === 0)).toBe(true);
    expect(store.batches.reduce((sum, batch) => sum + batch.messageCount, 0)).toBe(120);
    const read = await log.read('t', 0, 0, 1000);
    expect(read.map((stored) => stored.queueOffset)).toEqual(Array.from({ length: 120 }, (_, offset) => offset));
  });

  it('flush mode - async writes without sync', async () => {
    const store = new SimKeyValueStore(new MemoryKeyValueStore());
    const log = await KeyValueQueueLog.open({ store, clock, storeHost: STORE_HOST, flushMode: 'async' });
    const before = store.stats.syncWriteCount;
    await Promise.all([log.append('t', 0, [message(0)]), log.append('t', 0, [message(1)])]);
    expect(store.stats.syncWriteCount).toBe(before);
    expect(log.nextOffset('t', 0)).toBe(2);
  });

  it('backpressure - appends beyond the pending bound fail fast with TOO_MANY_REQUESTS', async () => {
    const log = await KeyValueQueueLog.open({ store: new MemoryKeyValueStore(), clock, storeHost: STORE_HOST });
    const accepted = Array.from({ length: APPEND_PENDING_REQUESTS_MAX + 1 }, (_, index) => log.append('t', 0, [message(index)]));
    const error = await rejection(log.append('t', 0, [message(-1)]));
    expect(isQuiverError(error, QuiverErrorCode.TooManyRequests)).toBe(true);
    expect((await Promise.all(accepted)).length).toBe(APPEND_PENDING_REQUESTS_MAX + 1);
    expect(log.nextOffset('t', 0)).toBe(APPEND_PENDING_REQUESTS_MAX + 1);
  });

  it('write failure - a failed write fails its appends and reuses nothing it may have stored', async () => {
    const store = new SimKeyValueStore(new MemoryKeyValueStore());
    const log = await KeyValueQueueLog.open({ store, clock, storeHost: STORE_HOST });
    store.failNextWrites(1, 'before-apply');
    expect(isQuiverError(await rejection(log.append('t', 0, [message(0)])), QuiverErrorCode.StoreUnavailable)).toBe(true);
    expect((await log.append('t', 0, [message(1)])).offsets).toEqual([0]);

    store.failNextWrites(1, 'after-apply');
    expect(isQuiverError(await rejection(log.append('t', 0, [message(2)])), QuiverErrorCode.StoreUnavailable)).toBe(true);
    // The failed write did land: its offset is taken and its message readable, never overwritten.
    expect((await log.append('t', 0, [message(3)])).offsets).toEqual([2]);
    expect((await log.read('t', 0, 0, 10)).map((stored) => stored.messageId)).toEqual(['id-1', 'id-2', 'id-3']);
  });

  it('write failure - a failed write that created a queue does not lose its internal id', async () => {
    const store = new SimKeyValueStore(new MemoryKeyValueStore());
    const log = await KeyValueQueueLog.open({ store, clock, storeHost: STORE_HOST });
    store.failNextWrites(1, 'after-apply');
    await rejection(log.append('a', 0, [message(0)]));
    await log.append('b', 0, [message(1)]);
    expect(log.nextOffset('a', 0)).toBe(1);
    const reopened = await KeyValueQueueLog.open({ store, clock, storeHost: STORE_HOST });
    expect(reopened.corruptedQueues()).toEqual([]);
    expect((await reopened.read('a', 0, 0, 1))[0]?.messageId).toBe('id-0');
    expect((await reopened.read('b', 0, 0, 1))[0]?.messageId).toBe('id-1');
  });

  it('close - appends accepted before close complete; later calls are CLOSED', async () => {
    const log = await KeyValueQueueLog.open({ store: new MemoryKeyValueStore(), clock, storeHost: STORE_HOST });
    const accepted = [log.append('t', 0, [message(0)]), log.append('t', 0, [message(1)])];
    await log.close();
    expect((await Promise.all(accepted)).map((result) => result.offsets[0])).toEqual([0, 1]);
    expect(isQuiverError(await rejection(log.append('t', 0, [message(2)])), QuiverErrorCode.Closed)).toBe(true);
    expect(isQuiverError(await rejection(log.read('t', 0, 0, 1)), QuiverErrorCode.Closed)).toBe(true);
  });
});

describe('KeyValueQueueLog - LevelDB write-ahead-log damage (RELIABILITY.md 1.2)', () => {
  it('wal damage - a flipped byte in the middle of LevelDB\'s log is reported as a corrupted queue, never served around', async () => {
    const directory = await mkdtemp(path.join(tmpdir(), 'quiver-wal-'));
    const location = path.join(directory, 'db');
    const clock = new ManualClock();
    try {
      let store = await LevelKeyValueStore.open(location);
      let log = await KeyValueQueueLog.open({ store, clock, storeHost: STORE_HOST, flushMode: 'async' });
      const messageCount = 2_000;
      for (let first = 0; first < messageCount; first += 10) {
        await log.append('t', 0, Array.from({ length: 10 }, (_, index) => message(first + index, { body: Buffer.alloc(100, first + index) })));
      }
      await log.close();
      await store.close();

      expect(await flipByteInLevelDbLog(location)).toBeGreaterThan(100_000);

      store = await LevelKeyValueStore.open(location);
      log = await KeyValueQueueLog.open({ store, clock, storeHost: STORE_HOST });
      // Either open already sees the damage, or reading the whole queue does; it never returns a queue with a hole.
      const { served, error } = await readWholeQueue(log, 't', 0);
      expect(isQuiverError(error, QuiverErrorCode.QueueCorrupted)).toBe(true);
      expect(log.isQueueCorrupted('t', 0)).toBe(true);
      expect(served).toEqual(served.map((_, index) => index));
      await log.close();
      await store.close();
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
