import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { PopRequest } from '@quiver/client';
import { KeyValuePopState } from '@quiver/consumption';
import { FilterType, isQuiverError, ManualClock, MessageKind, QuiverErrorCode } from '@quiver/core';
import type { MessageToStore } from '@quiver/core';
import { KeyPrefix, KeyValueQueueLog, MemoryKeyValueStore, TIMER_LOG_TOPIC } from '@quiver/storage';
import type { IterateOptions } from '@quiver/storage';

import { openLocalStore } from './local-store';
import { LocalStoreService } from './local-store.service';
import { TIMER_FIRE_PAGE_ENTRIES } from './limits';

const START_MS = 1_700_000_000_000;

let sequence = 0;
function delayed(deliveryTimestampMs: number | undefined, overrides: Partial<MessageToStore> = {}): MessageToStore {
  sequence += 1;
  return {
    messageId: `delay-${sequence}`,
    keys: [],
    userProperties: { color: 'blue' },
    body: Buffer.from(`later ${sequence}`),
    bodyGzipped: false,
    bornTimestampMs: START_MS,
    bornHost: 'producer-host',
    kind: MessageKind.Delay,
    ...(deliveryTimestampMs !== undefined ? { deliveryTimestampMs } : {}),
    ...overrides,
  };
}

const popRequest: PopRequest = {
  group: 'g',
  topic: 't',
  queueCount: 4,
  batchSize: 32,
  invisibleDurationMs: 30_000,
  filter: { type: FilterType.Tag, expression: '*' },
  pollTimeoutMs: 0,
};

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

/** settleUntil lets pending promise chains (a fire pass) run; bounded by turns of the event loop, never by time. */
async function settleUntil(condition: () => boolean, turnsMax = 1_000): Promise<void> {
  for (let turn = 0; turn < turnsMax && !condition(); turn++) await new Promise<void>((resolve) => setImmediate(resolve));
  expect(condition()).toBe(true);
}

async function settle(turns = 50): Promise<void> {
  for (let turn = 0; turn < turns; turn++) await new Promise<void>((resolve) => setImmediate(resolve));
}

async function createNode() {
  const clock = new ManualClock(START_MS);
  const store = new MemoryKeyValueStore();
  const widestScans: number[] = [];
  const iterate = store.iterate.bind(store);
  store.iterate = (options: IterateOptions) => {
    if (options.gte?.[0] === KeyPrefix.TimerIndex) widestScans.push(options.limit);
    return iterate(options);
  };
  const queueLog = await KeyValueQueueLog.open({ store, clock, storeHost: '127.0.0.1:10911' });
  const popState = await KeyValuePopState.open({ store, queueLog, clock });
  const service = new LocalStoreService({ queueLog, popState, store, clock, storeNodeName: 'store-a' });
  return { clock, service, queueLog, widestScans };
}

describe('TimerWheel - delay messages', () => {
  it('due time - a delay message is not delivered before its due time and is delivered at it, keeping ID, properties and delivery timestamp', async () => {
    const node = await createNode();
    const sent = delayed(START_MS + 1_000);
    const scheduled = await node.service.scheduleMessages({ topic: 't', queueId: 2, messages: [sent] });
    expect(scheduled.timers).toEqual([{ dueMs: START_MS + 1_000, timerOffset: 0 }]);
    node.clock.advance(999);
    await settle();
    expect((await node.service.popMessages(popRequest)).messages).toEqual([]);
    expect(node.queueLog.nextOffset('t', 2)).toBe(0);

    node.clock.advance(1);
    await settleUntil(() => node.queueLog.nextOffset('t', 2) === 1);
    const [popped] = (await node.service.popMessages(popRequest)).messages;
    expect(popped!.message).toMatchObject({ messageId: sent.messageId, userProperties: { color: 'blue' }, deliveryTimestampMs: START_MS + 1_000, topic: 't', queueId: 2 });
    expect(popped!.message.storeTimestampMs).toBeGreaterThanOrEqual(START_MS + 1_000);
  });

  it('order - messages are delivered in due-time order, whatever their send order', async () => {
    const node = await createNode();
    const late = delayed(START_MS + 3_000);
    const early = delayed(START_MS + 1_000);
    const middle = delayed(START_MS + 2_000);
    await node.service.scheduleMessages({ topic: 't', queueId: 0, messages: [late, early, middle] });
    node.clock.advance(3_000);
    await settleUntil(() => node.queueLog.nextOffset('t', 0) === 3);
    const delivered = await node.queueLog.read('t', 0, 0, 3);
    expect(delivered.map((message) => message.messageId)).toEqual([early.messageId, middle.messageId, late.messageId]);
  });

  it('past due - a delivery timestamp in the past, or none, is delivered at once', async () => {
    const node = await createNode();
    await node.service.scheduleMessages({ topic: 't', queueId: 0, messages: [delayed(START_MS - 60_000), delayed(undefined)] });
    await settleUntil(() => node.queueLog.nextOffset('t', 0) === 2);
    expect((await node.service.popMessages(popRequest)).messages.length).toBe(2);
  });

  it('recall - before its due time cancels the message for good; a second recall is MESSAGE_NOT_FOUND', async () => {
    const node = await createNode();
    const sent = delayed(START_MS + 5_000);
    const kept = delayed(START_MS + 5_000);
    const { timers } = await node.service.scheduleMessages({ topic: 't', queueId: 0, messages: [sent, kept] });
    expect(await node.service.recallMessage({ topic: 't', ...timers[0]! })).toEqual({ messageId: sent.messageId });
    const again = await rejection(node.service.recallMessage({ topic: 't', ...timers[0]! }));
    expect(isQuiverError(again, QuiverErrorCode.MessageNotFound)).toBe(true);

    node.clock.advance(10_000);
    await settleUntil(() => node.queueLog.nextOffset('t', 0) === 1);
    await settle();
    const delivered = await node.queueLog.read('t', 0, 0, 10);
    expect(delivered.map((message) => message.messageId)).toEqual([kept.messageId]);
  });

  it('recall - after delivery is MESSAGE_NOT_FOUND; for another topic BAD_REQUEST', async () => {
    const node = await createNode();
    const { timers } = await node.service.scheduleMessages({ topic: 't', queueId: 0, messages: [delayed(START_MS + 1_000)] });
    const wrongTopic = await rejection(node.service.recallMessage({ topic: 'other', ...timers[0]! }));
    expect(isQuiverError(wrongTopic, QuiverErrorCode.BadRequest)).toBe(true);
    node.clock.advance(1_000);
    await settleUntil(() => node.queueLog.nextOffset('t', 0) === 1);
    const late = await rejection(node.service.recallMessage({ topic: 't', ...timers[0]! }));
    expect(isQuiverError(late, QuiverErrorCode.MessageNotFound)).toBe(true);
  });

  it('many timers - 20k pending timers are fired in pages, never read all at once', async () => {
    const node = await createNode();
    const count = 20_000;
    const batch = 1_000;
    for (let first = 0; first < count; first += batch) {
      const messages = Array.from({ length: batch }, (_, index) => delayed(START_MS + 1_000 + ((first + index) % 997), { body: Buffer.from('x') }));
      await node.service.scheduleMessages({ topic: 't', queueId: 0, messages });
    }
    expect(node.queueLog.nextOffset(TIMER_LOG_TOPIC, 0)).toBe(count);
    node.clock.advance(2_000);
    await settleUntil(() => node.queueLog.nextOffset('t', 0) === count, 100_000);
    expect(node.widestScans.length).toBeGreaterThan(count / TIMER_FIRE_PAGE_ENTRIES);
    expect(Math.max(...node.widestScans)).toBeLessThanOrEqual(TIMER_FIRE_PAGE_ENTRIES);
    const delivered = await node.queueLog.read('t', 0, count - 5, 5);
    expect(delivered.every((message) => message.deliveryTimestampMs! <= START_MS + 2_000)).toBe(true);
  }, 120_000);
});

describe('TimerWheel - restart on LevelDB', () => {
  it('restart - pending timers survive a reopen and fire at their due time', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'quiver-timers-'));
    const clock = new ManualClock(START_MS);
    const options = { dataDir, storeNodeName: 'store-a', storeHost: '127.0.0.1:10911', clock, flushMode: 'sync' as const };
    try {
      const first = await openLocalStore(options);
      const sent = delayed(START_MS + 10_000);
      await first.service.scheduleMessages({ topic: 't', queueId: 1, messages: [sent] });
      await first.close();

      const second = await openLocalStore(options);
      try {
        clock.advance(9_999);
        await settle();
        expect((await second.service.popMessages(popRequest)).messages).toEqual([]);
        clock.advance(1);
        let delivered: string[] = [];
        for (let attempt = 0; attempt < 200 && delivered.length === 0; attempt++) {
          await new Promise<void>((resolve) => setTimeout(resolve, 5));
          delivered = (await second.service.popMessages(popRequest)).messages.map((popped) => popped.message.messageId);
        }
        expect(delivered).toEqual([sent.messageId]);
      } finally {
        await second.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
