import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { AckOutcome } from '@quiver/client';
import type { PopRequest, PopResult } from '@quiver/client';
import { KeyValuePopState, POP_SCAN_MESSAGES_MAX } from '@quiver/consumption';
import { FilterType, isQuiverError, ManualClock, MessageKind, QuiverErrorCode } from '@quiver/core';
import type { MessageToStore, PoppedMessage } from '@quiver/core';
import { APPEND_MESSAGES_MAX, FileRecordLog, ITERATE_ENTRIES_MAX, KeyPrefix, KeyValueQueueLog, KeyValueRecordLog, LevelKeyValueStore, MemoryKeyValueStore, moveRecordLog, prefixUpperBound } from '@quiver/storage';
import type { KeyValueEntry, KeyValueStore } from '@quiver/storage';
import { HeldWrites } from '@quiver/storage/testing';
import fc from 'fast-check';

import { DeadLetterProperty } from './dead-letter';
import { CONSUMER_STATE_DIRECTORY, LEVELDB_DIRECTORY, LEVELDB_RECORD_LOG_DIRECTORY, openLocalStore, RECORD_LOG_DIRECTORY } from './local-store';
import { LocalStoreService } from './local-store.service';

const INVISIBLE_MS = 30_000;
const POLL_MS = 20_000;

let sequence = 0;
function message(overrides: Partial<MessageToStore> = {}): MessageToStore {
  sequence += 1;
  return {
    messageId: `msg-${sequence}`,
    keys: ['order-1'],
    userProperties: { color: 'red' },
    body: Buffer.from(`hello ${sequence}`),
    bodyGzipped: false,
    bornTimestampMs: 1_700_000_000_000,
    bornHost: 'producer-host',
    kind: MessageKind.Normal,
    tag: 'TagA',
    ...overrides,
  };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

/** settle lets pending promise chains run; bounded by turns of the event loop, never by time. */
async function settleUntil(condition: () => boolean, turnsMax = 100): Promise<void> {
  for (let turn = 0; turn < turnsMax && !condition(); turn++) await new Promise<void>((resolve) => setImmediate(resolve));
  expect(condition()).toBe(true);
}

interface Node {
  clock: ManualClock;
  service: LocalStoreService;
  popState: KeyValuePopState;
  pop(overrides?: Partial<PopRequest>, signal?: AbortSignal): Promise<PopResult>;
  handOut(popped: PoppedMessage): { queueId: number; offset: number; popGeneration: number };
}

/**
 * createNode builds a store node over memory stores. With `recordLog`, every append goes to a
 * record log and is acknowledged once durable, a write before the index makes it readable.
 */
async function createNode(options: { parkedPollsMax?: number; recordLog?: KeyValueStore } = {}): Promise<Node> {
  const { recordLog, ...serviceOptions } = options;
  const clock = new ManualClock();
  const store = new MemoryKeyValueStore();
  const queueLog = await KeyValueQueueLog.open({
    store,
    clock,
    storeHost: '127.0.0.1:10911',
    ...(recordLog !== undefined ? { recordLog: new KeyValueRecordLog(recordLog), recordLogBatchBytesMin: 0 } : {}),
  });
  const popState = await KeyValuePopState.open({ store, queueLog, clock });
  const service = new LocalStoreService({ queueLog, popState, store, clock, storeNodeName: 'store-a', ...serviceOptions });
  return {
    clock,
    service,
    popState,
    pop: (overrides = {}, signal) =>
      service.popMessages(
        {
          group: 'g',
          topic: 't',
          queueCount: 2,
          batchSize: 32,
          invisibleDurationMs: INVISIBLE_MS,
          filter: { type: FilterType.Tag, expression: '*' },
          pollTimeoutMs: 0,
          ...overrides,
        },
        signal,
      ),
    handOut: (popped) => ({ queueId: popped.message.queueId, offset: popped.message.queueOffset, popGeneration: popped.popGeneration }),
  };
}

describe('LocalStoreService - send, receive, ack', () => {
  it('append then pop then ack - the message is delivered once with its fields, and gone after the ack', async () => {
    const node = await createNode();
    const sent = message();
    const appended = await node.service.appendMessages({ topic: 't', queueId: 1, messages: [sent] });
    expect(appended).toEqual({ offsets: [0], storeTimestampMs: node.clock.nowMs() });

    const { messages } = await node.pop();
    expect(messages.length).toBe(1);
    const [popped] = messages;
    expect(popped!.message).toMatchObject({ ...sent, body: expect.anything(), topic: 't', queueId: 1, queueOffset: 0, storeHost: '127.0.0.1:10911' });
    expect(Buffer.from(popped!.message.body).toString()).toBe(Buffer.from(sent.body).toString());
    expect(popped!.deliveryAttempt).toBe(1);

    const acked = await node.service.ackMessages({ group: 'g', topic: 't', entries: [node.handOut(popped!)] });
    expect(acked.outcomes).toEqual([AckOutcome.Ok]);
    node.clock.advance(10 * INVISIBLE_MS);
    expect((await node.pop()).messages).toEqual([]);
  });

  it('invisibility - an unacked message is redelivered after its invisible duration with attempt + 1 and the same message ID', async () => {
    const node = await createNode();
    await node.service.appendMessages({ topic: 't', queueId: 0, messages: [message()] });
    const [first] = (await node.pop()).messages;
    expect((await node.pop()).messages).toEqual([]);
    node.clock.advance(INVISIBLE_MS);
    const [second] = (await node.pop()).messages;
    expect(second!.message.messageId).toBe(first!.message.messageId);
    expect(second!.deliveryAttempt).toBe(first!.deliveryAttempt + 1);
    expect(second!.popGeneration).not.toBe(first!.popGeneration);
  });

  it('changeInvisibleDuration - the old handle goes stale: acking it is INVALID_RECEIPT_HANDLE, the new one acks', async () => {
    const node = await createNode();
    await node.service.appendMessages({ topic: 't', queueId: 0, messages: [message()] });
    const [popped] = (await node.pop()).messages;
    const old = node.handOut(popped!);
    const changed = await node.service.changeInvisibleDuration({ group: 'g', topic: 't', ...old, invisibleDurationMs: 60_000 });
    expect(changed.invisibleUntilMs).toBe(node.clock.nowMs() + 60_000);
    expect((await node.service.ackMessages({ group: 'g', topic: 't', entries: [old] })).outcomes).toEqual([AckOutcome.InvalidReceiptHandle]);
    expect((await node.service.ackMessages({ group: 'g', topic: 't', entries: [{ ...old, popGeneration: changed.popGeneration }] })).outcomes).toEqual([AckOutcome.Ok]);
    const stale = await rejection(node.service.changeInvisibleDuration({ group: 'g', topic: 't', ...old, invisibleDurationMs: 1_000 }));
    expect(isQuiverError(stale, QuiverErrorCode.InvalidReceiptHandle)).toBe(true);
  });

  it('filter - tags and SQL92 are filtered on the store node; invalid SQL92 is BAD_REQUEST', async () => {
    const node = await createNode();
    await node.service.appendMessages({ topic: 't', queueId: 0, messages: [message({ tag: 'A' }), message({ tag: 'B' })] });
    const { messages } = await node.pop({ filter: { type: FilterType.Tag, expression: 'B' } });
    expect(messages.map((popped) => popped.message.tag)).toEqual(['B']);
    await node.service.appendMessages({
      topic: 't',
      queueId: 0,
      messages: [message({ userProperties: { a: '1' } }), message({ userProperties: { a: '2', color: 'red' } }), message({ userProperties: {} })],
    });
    const sql = await node.pop({ group: 'sql', filter: { type: FilterType.Sql, expression: "a >= 1 AND color = 'red'" } });
    expect(sql.messages.map((popped) => popped.message.userProperties)).toEqual([{ a: '2', color: 'red' }]);
    const error = await rejection(node.pop({ filter: { type: FilterType.Sql, expression: 'a = = 1' } }));
    expect(isQuiverError(error, QuiverErrorCode.BadRequest)).toBe(true);
  });

  it('validation - malformed requests are BAD_REQUEST, never a crash', async () => {
    const node = await createNode();
    const badAppends = [
      { topic: '', queueId: 0, messages: [message()] },
      { topic: 't', queueId: -1, messages: [message()] },
      { topic: 't', queueId: 0, messages: [] },
      { topic: 't', queueId: 0, messages: [message({ messageId: '' })] },
      { topic: 't', queueId: 0, messages: [message({ userProperties: { a: 1 as unknown as string } })] },
      { topic: 't', queueId: 0, messages: [message({ bornTimestampMs: -5 })] },
      { topic: 't', queueId: 0, messages: [message({ body: 'text' as unknown as Uint8Array })] },
      { topic: 't', queueId: 0, messages: [message({ kind: 'WEIRD' as MessageKind })] },
    ];
    for (const request of badAppends) {
      expect(isQuiverError(await rejection(node.service.appendMessages(request)), QuiverErrorCode.BadRequest)).toBe(true);
    }
    for (const overrides of [{ batchSize: 0 }, { queueCount: 0 }, { pollTimeoutMs: 3_600_000 }, { group: '' }, { invisibleDurationMs: -1 }]) {
      expect(isQuiverError(await rejection(node.pop(overrides)), QuiverErrorCode.BadRequest)).toBe(true);
    }
    expect(isQuiverError(await rejection(node.service.ackMessages({ group: 'g', topic: 't', entries: [] })), QuiverErrorCode.BadRequest)).toBe(true);
  });
});

describe('LocalStoreService - long polling', () => {
  it('long poll - an append to the topic during the poll wakes it with the message', async () => {
    const node = await createNode();
    const polling = node.pop({ pollTimeoutMs: POLL_MS });
    await settleUntil(() => node.service.parkedPollCount() === 1);
    await node.service.appendMessages({ topic: 't', queueId: 1, messages: [message({ messageId: 'late' })] });
    const { messages } = await polling;
    expect(messages.map((popped) => popped.message.messageId)).toEqual(['late']);
    expect(node.service.parkedPollCount()).toBe(0);
  });

  it('long poll - a batch in the record log is acknowledged once durable and wakes the poll once readable', async () => {
    const index = new HeldWrites(new MemoryKeyValueStore(), 'index', []);
    const clock = new ManualClock();
    const queueLog = await KeyValueQueueLog.open({ store: index, recordLog: new KeyValueRecordLog(new MemoryKeyValueStore()), clock, storeHost: '127.0.0.1:10911', recordLogBatchBytesMin: 0 });
    const popState = await KeyValuePopState.open({ store: new MemoryKeyValueStore(), queueLog, clock });
    const service = new LocalStoreService({ queueLog, popState, store: index, clock, storeNodeName: 'store-a' });
    const filter = { type: FilterType.Tag, expression: '*' };
    const polling = service.popMessages({ group: 'g', topic: 't', queueCount: 2, batchSize: 32, invisibleDurationMs: INVISIBLE_MS, filter, pollTimeoutMs: POLL_MS });
    await settleUntil(() => service.parkedPollCount() === 1);
    index.holding = true;
    const appended = await service.appendMessages({ topic: 't', queueId: 1, messages: [message({ messageId: 'durable' })] });
    expect(appended.offsets).toEqual([0]);
    await settleUntil(() => index.held === 1);
    // Acknowledged, not readable yet: the poll still waits.
    expect(service.parkedPollCount()).toBe(1);
    index.holding = false;
    index.release();
    const { messages } = await polling;
    expect(messages.map((popped) => popped.message.messageId)).toEqual(['durable']);
    await service.close();
  });

  it('long poll - in a FIFO group, acking a message group\'s head wakes a poll waiting for the next one', async () => {
    const node = await createNode();
    const fifo = (id: string) => message({ messageId: id, messageGroup: 'order-7', kind: MessageKind.Fifo });
    await node.service.appendMessages({ topic: 't', queueId: 0, messages: [fifo('first'), fifo('second')] });
    const [head] = (await node.pop({ fifo: true })).messages;
    expect(head?.message.messageId).toBe('first');
    const polling = node.pop({ fifo: true, pollTimeoutMs: POLL_MS });
    await settleUntil(() => node.service.parkedPollCount() === 1);
    expect((await node.service.ackMessages({ group: 'g', topic: 't', entries: [node.handOut(head!)] })).outcomes).toEqual([AckOutcome.Ok]);
    const { messages } = await polling;
    expect(messages.map((popped) => popped.message.messageId)).toEqual(['second']);
  });

  it('long poll - an append to another topic does not satisfy it; the deadline ends it empty', async () => {
    const node = await createNode();
    const polling = node.pop({ pollTimeoutMs: POLL_MS });
    await settleUntil(() => node.service.parkedPollCount() === 1);
    await node.service.appendMessages({ topic: 'other', queueId: 0, messages: [message()] });
    node.clock.advance(POLL_MS);
    expect((await polling).messages).toEqual([]);
  });

  it('long poll - wakes when the group\'s earliest in-flight message becomes visible again', async () => {
    const node = await createNode();
    await node.service.appendMessages({ topic: 't', queueId: 0, messages: [message()] });
    await node.pop({ invisibleDurationMs: 10_000 });
    const polling = node.pop({ pollTimeoutMs: POLL_MS });
    await settleUntil(() => node.service.parkedPollCount() === 1);
    node.clock.advance(10_000);
    const { messages } = await polling;
    expect(messages.map((popped) => popped.deliveryAttempt)).toEqual([2]);
  });

  it('long poll - a nack (change to 0) wakes a waiting poll of the group', async () => {
    const node = await createNode();
    await node.service.appendMessages({ topic: 't', queueId: 0, messages: [message()] });
    const [popped] = (await node.pop()).messages;
    const polling = node.pop({ pollTimeoutMs: POLL_MS });
    await settleUntil(() => node.service.parkedPollCount() === 1);
    await node.service.changeInvisibleDuration({ group: 'g', topic: 't', ...node.handOut(popped!), invisibleDurationMs: 0 });
    expect((await polling).messages.map((entry) => entry.deliveryAttempt)).toEqual([2]);
  });

  it('long poll - an abort ends the poll with an empty result', async () => {
    const node = await createNode();
    const controller = new AbortController();
    const polling = node.pop({ pollTimeoutMs: POLL_MS }, controller.signal);
    await settleUntil(() => node.service.parkedPollCount() === 1);
    controller.abort();
    expect((await polling).messages).toEqual([]);
    expect(node.service.parkedPollCount()).toBe(0);
  });

  it('long poll - an already aborted signal returns empty and hands nothing out', async () => {
    const node = await createNode();
    await node.service.appendMessages({ topic: 't', queueId: 0, messages: [message()] });
    const controller = new AbortController();
    controller.abort();
    expect((await node.pop({ pollTimeoutMs: POLL_MS }, controller.signal)).messages).toEqual([]);
    expect((await node.pop()).messages.length).toBe(1);
  });

  it('long poll - beyond the parked-poll bound a poll gets TOO_MANY_REQUESTS', async () => {
    const node = await createNode({ parkedPollsMax: 2 });
    const controller = new AbortController();
    const parked = [node.pop({ pollTimeoutMs: POLL_MS }, controller.signal), node.pop({ pollTimeoutMs: POLL_MS, group: 'h' }, controller.signal)];
    await settleUntil(() => node.service.parkedPollCount() === 2);
    const error = await rejection(node.pop({ pollTimeoutMs: POLL_MS, group: 'i' }));
    expect(isQuiverError(error, QuiverErrorCode.TooManyRequests)).toBe(true);
    controller.abort();
    expect((await Promise.all(parked)).map((result) => result.messages)).toEqual([[], []]);
  });

  it('close - waiting polls end empty and later calls are CLOSED', async () => {
    const node = await createNode();
    const polling = node.pop({ pollTimeoutMs: POLL_MS });
    await settleUntil(() => node.service.parkedPollCount() === 1);
    await node.service.close();
    expect((await polling).messages).toEqual([]);
    expect(isQuiverError(await rejection(node.pop()), QuiverErrorCode.Closed)).toBe(true);
  });
});

/** appendInChunks appends to queue 0 of topic t in requests of at most APPEND_MESSAGES_MAX. */
async function appendInChunks(node: Node, messages: MessageToStore[]): Promise<void> {
  for (let start = 0; start < messages.length; start += APPEND_MESSAGES_MAX) {
    await node.service.appendMessages({ topic: 't', queueId: 0, messages: messages.slice(start, start + APPEND_MESSAGES_MAX) });
  }
}

describe('LocalStoreService - long polls of one group share a wake', () => {
  const idsOf = (result: PopResult): string[] => result.messages.map((popped) => popped.message.messageId);

  it('one append wakes one of the group\'s waiting polls: one pop, the others stay parked', async () => {
    const node = await createNode();
    const controller = new AbortController();
    const polling = Array.from({ length: 4 }, () => node.pop({ pollTimeoutMs: POLL_MS }, controller.signal));
    await settleUntil(() => node.service.parkedPollCount() === 4);
    const pops = jest.spyOn(node.popState, 'pop');
    await node.service.appendMessages({ topic: 't', queueId: 0, messages: [message({ messageId: 'only' })] });
    const [delivered] = await Promise.race(polling.map((result) => result.then((value) => [value])));
    expect(idsOf(delivered!)).toEqual(['only']);
    await settleUntil(() => node.service.parkedPollCount() === 3);
    expect(pops).toHaveBeenCalledTimes(1);
    controller.abort();
    const results = await Promise.all(polling);
    expect(results.flatMap(idsOf)).toEqual(['only']);
  });

  it('an append larger than a batch reaches the other waiting polls: each full batch hands the wake on', async () => {
    const node = await createNode();
    const polling = Array.from({ length: 4 }, () => node.pop({ pollTimeoutMs: POLL_MS, batchSize: 32 }));
    await settleUntil(() => node.service.parkedPollCount() === 4);
    const sent = Array.from({ length: 100 }, (_, index) => message({ messageId: `bulk-${index}` }));
    await node.service.appendMessages({ topic: 't', queueId: 0, messages: sent });
    const results = await Promise.all(polling);
    expect(results.map((result) => result.messages.length).sort((a, b) => a - b)).toEqual([4, 32, 32, 32]);
    expect(results.flatMap(idsOf).sort()).toEqual(sent.map((entry) => entry.messageId).sort());
  });

  it('every group gets the event: one poll of each of two groups returns the message', async () => {
    const node = await createNode();
    const controller = new AbortController();
    const groupG = [node.pop({ pollTimeoutMs: POLL_MS }, controller.signal), node.pop({ pollTimeoutMs: POLL_MS }, controller.signal)];
    const groupH = [node.pop({ pollTimeoutMs: POLL_MS, group: 'h' }, controller.signal), node.pop({ pollTimeoutMs: POLL_MS, group: 'h' }, controller.signal)];
    await settleUntil(() => node.service.parkedPollCount() === 4);
    await node.service.appendMessages({ topic: 't', queueId: 1, messages: [message({ messageId: 'both' })] });
    await settleUntil(() => node.service.parkedPollCount() === 2);
    controller.abort();
    expect((await Promise.all(groupG)).flatMap(idsOf)).toEqual(['both']);
    expect((await Promise.all(groupH)).flatMap(idsOf)).toEqual(['both']);
  });

  it('a poll aborted after taking the event hands it on: the message still reaches a waiting poll', async () => {
    const node = await createNode();
    const first = new AbortController();
    const leaving = node.pop({ pollTimeoutMs: POLL_MS }, first.signal);
    await settleUntil(() => node.service.parkedPollCount() === 1);
    const staying = node.pop({ pollTimeoutMs: POLL_MS });
    await settleUntil(() => node.service.parkedPollCount() === 2);
    // The append's event goes to the longest-waiting poll; it is aborted before it can pop.
    const appending = node.service.appendMessages({ topic: 't', queueId: 0, messages: [message({ messageId: 'handed-on' })] });
    first.abort();
    await appending;
    const [left, stayed] = await Promise.all([leaving, staying]);
    expect([...idsOf(left), ...idsOf(stayed)]).toEqual(['handed-on']);
  });

  it('scan bound - a selective filter behind more non-matching messages than one pop scans is delivered at once, not after the poll times out', async () => {
    const node = await createNode();
    await appendInChunks(node, [...Array.from({ length: 3 * POP_SCAN_MESSAGES_MAX }, () => message({ tag: 'other' })), message({ messageId: 'wanted', tag: 'W' })]);
    // The manual clock never moves here: a poll that went to sleep would never return.
    const result = await node.pop({ pollTimeoutMs: POLL_MS, queueCount: 1, filter: { type: FilterType.Tag, expression: 'W' } });
    expect(idsOf(result)).toEqual(['wanted']);
  });

  it('scan bound - a pull past more non-matching messages than one read scans returns the match at once', async () => {
    const node = await createNode();
    await appendInChunks(node, [...Array.from({ length: 2 * POP_SCAN_MESSAGES_MAX + 10 }, () => message({ tag: 'other' })), message({ messageId: 'wanted', tag: 'W' })]);
    const result = await node.service.pullMessages({ topic: 't', queueId: 0, offset: 0, batchSize: 8, filter: { type: FilterType.Tag, expression: 'W' }, pollTimeoutMs: POLL_MS });
    expect(result.messages.map((stored) => stored.messageId)).toEqual(['wanted']);
  });

  it.each([
    ['inline', false],
    ['in a record log, acknowledged before readable', true],
  ])('no event is lost: with several polls per group, random appends and aborts, every message reaches every group without any timer firing (%s)', async (_, logged) => {
    const command = fc.oneof(
      fc.record({ kind: fc.constant('append' as const), count: fc.integer({ min: 1, max: 40 }), queueId: fc.integer({ min: 0, max: 1 }) }),
      fc.record({ kind: fc.constant('settle' as const), turns: fc.integer({ min: 0, max: 4 }) }),
      fc.record({ kind: fc.constant('abort' as const), receiver: fc.nat() }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 25 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 32 }), async (commands, perGroup, batchSize) => {
        const node = await createNode(logged ? { recordLog: new MemoryKeyValueStore() } : {});
        const groups = ['g', 'h'];
        const received = new Map(groups.map((group) => [group, [] as string[]]));
        const sent: string[] = [];
        const receivers = groups.flatMap((group) => Array.from({ length: perGroup }, () => ({ group, controller: new AbortController() })));
        let stopping = false;
        // Each receiver long-polls in a loop; the clock never moves, so only events can wake a poll.
        const loops = receivers.map(async (receiver) => {
          while (!stopping) {
            const result = await node.pop({ group: receiver.group, pollTimeoutMs: POLL_MS, batchSize }, receiver.controller.signal).catch((error: unknown) => {
              // A call that starts while the node closes at the end is CLOSED; nothing else may fail.
              if (stopping && isQuiverError(error, QuiverErrorCode.Closed)) return { messages: [] };
              throw error;
            });
            received.get(receiver.group)!.push(...idsOf(result));
            if (receiver.controller.signal.aborted) receiver.controller = new AbortController();
          }
        });
        for (const step of commands) {
          if (step.kind === 'append') {
            const messages = Array.from({ length: step.count }, () => message());
            sent.push(...messages.map((entry) => entry.messageId));
            await node.service.appendMessages({ topic: 't', queueId: step.queueId, messages });
          } else if (step.kind === 'settle') {
            for (let turn = 0; turn < step.turns; turn++) await new Promise<void>((resolve) => setImmediate(resolve));
          } else {
            receivers[step.receiver % receivers.length]!.controller.abort();
          }
        }
        await settleUntil(() => groups.every((group) => received.get(group)!.length >= sent.length), 2_000);
        stopping = true;
        await node.service.close();
        await Promise.all(loops);
        for (const group of groups) expect([...received.get(group)!].sort()).toEqual([...sent].sort());
      }),
      { numRuns: 60 },
    );
  });
});

describe('LocalStoreService - dead-letter queue', () => {
  it('forward - copies the message to the DLQ topic with its origin and acks the original', async () => {
    const node = await createNode();
    const sent = message();
    await node.service.appendMessages({ topic: 't', queueId: 1, messages: [sent] });
    const [popped] = (await node.pop()).messages;
    await node.service.forwardToDeadLetterQueue({ group: 'g', topic: 't', deadLetterTopic: '%DLQ%g', ...node.handOut(popped!) });

    node.clock.advance(10 * INVISIBLE_MS);
    expect((await node.pop()).messages).toEqual([]);
    const [dead] = (await node.pop({ topic: '%DLQ%g', group: 'admin', queueCount: 1 })).messages;
    expect(dead!.message.messageId).toBe(sent.messageId);
    expect(dead!.message.queueId).toBe(0);
    expect(Buffer.from(dead!.message.body).toString()).toBe(Buffer.from(sent.body).toString());
    expect(dead!.message.tag).toBe(sent.tag);
    expect(dead!.message.keys).toEqual(sent.keys);
    expect(dead!.message.userProperties).toEqual({
      color: 'red',
      [DeadLetterProperty.OriginTopic]: 't',
      [DeadLetterProperty.OriginMessageId]: sent.messageId,
      [DeadLetterProperty.OriginQueueId]: '1',
      [DeadLetterProperty.OriginQueueOffset]: '0',
      [DeadLetterProperty.OriginGroup]: 'g',
    });
  });

  it('max attempts - a message delivered the maximum number of times goes to %DLQ%<group> instead of a further delivery', async () => {
    const node = await createNode();
    const sent = message();
    await node.service.appendMessages({ topic: 't', queueId: 0, messages: [sent] });
    for (let attempt = 1; attempt <= 3; attempt++) {
      const { messages } = await node.pop({ maxDeliveryAttempts: 3 });
      expect(messages.map((popped) => popped.deliveryAttempt)).toEqual([attempt]);
      node.clock.advance(INVISIBLE_MS);
    }
    const exhausted = await node.pop({ maxDeliveryAttempts: 3 });
    expect(exhausted).toEqual({ messages: [], deadLettered: 1 });
    node.clock.advance(10 * INVISIBLE_MS);
    expect((await node.pop({ maxDeliveryAttempts: 3 })).messages).toEqual([]);

    const dead = await node.pop({ topic: '%DLQ%g', group: 'dlq-reader', queueCount: 1 });
    expect(dead.messages).toHaveLength(1);
    const copy = dead.messages[0]!.message;
    expect(copy.messageId).toBe(sent.messageId);
    expect(Buffer.from(copy.body).toString()).toBe(Buffer.from(sent.body).toString());
    expect(copy.userProperties).toMatchObject({ color: 'red', [DeadLetterProperty.OriginTopic]: 't', [DeadLetterProperty.OriginGroup]: 'g' });
  });

  it('forward - a stale handle is INVALID_RECEIPT_HANDLE and copies nothing', async () => {
    const node = await createNode();
    await node.service.appendMessages({ topic: 't', queueId: 0, messages: [message()] });
    const [popped] = (await node.pop()).messages;
    node.clock.advance(INVISIBLE_MS);
    const error = await rejection(node.service.forwardToDeadLetterQueue({ group: 'g', topic: 't', deadLetterTopic: '%DLQ%g', ...node.handOut(popped!) }));
    expect(isQuiverError(error, QuiverErrorCode.InvalidReceiptHandle)).toBe(true);
    expect((await node.pop({ topic: '%DLQ%g', group: 'admin', queueCount: 1 })).messages).toEqual([]);
  });
});

/**
 * restartScenario appends, pops and acks, closes, runs `betweenRuns` on the closed data
 * directory, reopens, and checks that appended messages stayed, the acked one stays acked and
 * the unacked ones return only after their invisibility; then runs `afterRuns` on the closed
 * directory.
 */
/** RESTART_POP_REQUEST pops up to 32 messages of queue t/0 for group g, without waiting. */
const RESTART_POP_REQUEST: PopRequest = {
  group: 'g',
  topic: 't',
  queueCount: 1,
  batchSize: 32,
  invisibleDurationMs: INVISIBLE_MS,
  filter: { type: FilterType.Tag, expression: '*' },
  pollTimeoutMs: 0,
};

async function restartScenario(betweenRuns: (dataDir: string) => Promise<void>, afterRuns: (dataDir: string) => Promise<void> = async () => {}): Promise<void> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'quiver-store-node-'));
  const clock = new ManualClock();
  const options = { dataDir, storeNodeName: 'store-a', storeHost: '127.0.0.1:10911', clock, flushMode: 'sync' as const };
  try {
    const first = await openLocalStore(options);
    await first.service.appendMessages({ topic: 't', queueId: 0, messages: [message({ messageId: 'a' }), message({ messageId: 'b' }), message({ messageId: 'c' })] });
    const popped = (await first.service.popMessages({ ...RESTART_POP_REQUEST, batchSize: 2 })).messages;
    const acked = popped.find((entry) => entry.message.messageId === 'a')!;
    const outcome = await first.service.ackMessages({
      group: 'g',
      topic: 't',
      entries: [{ queueId: 0, offset: acked.message.queueOffset, popGeneration: acked.popGeneration }],
    });
    expect(outcome.outcomes).toEqual([AckOutcome.Ok]);
    await first.close();

    await betweenRuns(dataDir);

    const second = await openLocalStore(options);
    expect(second.corruptedQueues()).toEqual([]);
    // Never handed out before the restart: delivered now, once.
    expect((await second.service.popMessages(RESTART_POP_REQUEST)).messages.map((entry) => entry.message.messageId)).toEqual(['c']);
    clock.advance(INVISIBLE_MS);
    const returned = (await second.service.popMessages(RESTART_POP_REQUEST)).messages;
    expect(returned.map((entry) => [entry.message.messageId, entry.deliveryAttempt])).toEqual([
      ['b', 2],
      ['c', 2],
    ]);
    // A fresh group still reads every appended message.
    expect((await second.service.popMessages({ ...RESTART_POP_REQUEST, group: 'fresh' })).messages.map((entry) => entry.message.messageId)).toEqual(['a', 'b', 'c']);
    await second.close();
    await afterRuns(dataDir);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** consumerStateEntries lists the entries under the consumer-state prefixes of a LevelDB. */
async function consumerStateEntries(store: LevelKeyValueStore): Promise<KeyValueEntry[]> {
  const entries: KeyValueEntry[] = [];
  for (const prefix of [KeyPrefix.PopCursor, KeyPrefix.PopInFlight, KeyPrefix.PopGeneration, KeyPrefix.ConsumerStateMove]) {
    entries.push(...(await store.iterate({ gte: Buffer.from([prefix]), lt: prefixUpperBound(Buffer.from([prefix])), limit: ITERATE_ENTRIES_MAX })));
  }
  return entries;
}

describe('openLocalStore - restart on LevelDB', () => {
  it('restart - appended messages stay, acked messages stay acked, unacked messages return after their invisibility', async () => {
    await restartScenario(async () => {});
  });

  it('record log - a batch of 32 KiB or more is stored in <data-dir>/commit-log and served after a restart', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'quiver-store-node-'));
    const options = { dataDir, storeNodeName: 'store-a', storeHost: '127.0.0.1:10911', clock: new ManualClock(), flushMode: 'sync' as const };
    try {
      const first = await openLocalStore(options);
      const sent = Array.from({ length: 40 }, (_, index) => message({ messageId: `m${index}`, body: Buffer.alloc(1_024, index) }));
      expect((await first.service.appendMessages({ topic: 't', queueId: 0, messages: sent })).offsets).toEqual(sent.map((_, index) => index));
      await first.close();

      expect(await readdir(path.join(dataDir, RECORD_LOG_DIRECTORY))).toEqual(['00000000000000000000.log']);
      const records = await FileRecordLog.open(path.join(dataDir, RECORD_LOG_DIRECTORY));
      const logged = await records.readFrom(0, 100);
      await records.close();
      expect(logged.map((entry) => entry.sequence)).toEqual(sent.map((_, index) => index));

      const second = await openLocalStore(options);
      expect(second.corruptedQueues()).toEqual([]);
      const popped = (await second.service.popMessages(RESTART_POP_REQUEST)).messages;
      expect(popped.map((entry) => entry.message.messageId)).toEqual(sent.slice(0, 32).map((sentMessage) => sentMessage.messageId));
      expect(popped.every((entry, index) => Buffer.from(entry.message.body).equals(Buffer.alloc(1_024, index)))).toBe(true);
      await second.close();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('upgrade - a LevelDB record log (<data-dir>/records) is moved into the commit log at open, also after a move cut short', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'quiver-store-node-'));
    const options = { dataDir, storeNodeName: 'store-a', storeHost: '127.0.0.1:10911', clock: new ManualClock(), flushMode: 'sync' as const };
    const body = (index: number): Buffer => Buffer.alloc(1_024, index);
    try {
      const first = await openLocalStore(options);
      // Two batches of 40 KiB, so both go to the record log.
      const sent = Array.from({ length: 80 }, (_, index) => message({ messageId: `m${index}`, body: body(index) }));
      await first.service.appendMessages({ topic: 't', queueId: 0, messages: sent.slice(0, 40) });
      await first.service.appendMessages({ topic: 't', queueId: 0, messages: sent.slice(40) });
      // A small batch stays inline in LevelDB, as before.
      await first.service.appendMessages({ topic: 't', queueId: 0, messages: [message({ messageId: 'small', body: Buffer.from('inline') })] });
      await first.close();

      // Make the directory look as the record log's LevelDB left it: the same records at the same sequences.
      const commitLog = await FileRecordLog.open(path.join(dataDir, RECORD_LOG_DIRECTORY));
      const legacy = new KeyValueRecordLog(await LevelKeyValueStore.open(path.join(dataDir, LEVELDB_RECORD_LOG_DIRECTORY)));
      expect(await moveRecordLog(commitLog, legacy)).toBe(80);
      await Promise.all([commitLog.close(), legacy.close()]);
      // And as a move cut short leaves it: a commit log holding part of the records.
      await rm(path.join(dataDir, RECORD_LOG_DIRECTORY), { recursive: true, force: true });
      await mkdir(path.join(dataDir, RECORD_LOG_DIRECTORY));
      await writeFile(path.join(dataDir, RECORD_LOG_DIRECTORY, '00000000000000000000.log'), Buffer.from('torn'));

      const second = await openLocalStore(options);
      expect(second.corruptedQueues()).toEqual([]);
      const popped: PoppedMessage[] = [];
      for (let pop = 0; pop < 3; pop++) popped.push(...(await second.service.popMessages(RESTART_POP_REQUEST)).messages);
      expect(popped.map((entry) => entry.message.messageId)).toEqual([...sent.map((sentMessage) => sentMessage.messageId), 'small']);
      expect(popped.slice(0, 80).every((entry, index) => Buffer.from(entry.message.body).equals(body(index)))).toBe(true);
      await second.close();
      const left = await readdir(dataDir);
      expect(left).not.toContain(LEVELDB_RECORD_LOG_DIRECTORY);
      const moved = await FileRecordLog.open(path.join(dataDir, RECORD_LOG_DIRECTORY));
      expect((await moved.readFrom(0, 100)).map((entry) => entry.sequence)).toEqual(sent.map((_, index) => index));
      await moved.close();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('upgrade - consumer state a data directory from before the split kept with the messages is moved at open, and serves as before', async () => {
    let movedEntries = 0;
    await restartScenario(async (dataDir) => {
      // Make the directory look as older versions left it: consumer state in the message LevelDB, no consumer-state LevelDB.
      const stateStore = await LevelKeyValueStore.open(path.join(dataDir, CONSUMER_STATE_DIRECTORY));
      const entries = await consumerStateEntries(stateStore);
      await stateStore.close();
      await rm(path.join(dataDir, CONSUMER_STATE_DIRECTORY), { recursive: true, force: true });
      const messageStore = await LevelKeyValueStore.open(path.join(dataDir, LEVELDB_DIRECTORY));
      await messageStore.write(
        entries.map(({ key, value }) => ({ type: 'put' as const, key, value })),
        { sync: true },
      );
      expect(await consumerStateEntries(messageStore)).toHaveLength(entries.length);
      await messageStore.close();
      movedEntries = entries.length;
    }, async (dataDir) => {
      const messageStore = await LevelKeyValueStore.open(path.join(dataDir, LEVELDB_DIRECTORY));
      const left = await consumerStateEntries(messageStore);
      await messageStore.close();
      expect(left).toEqual([]);
    });
    // The group's cursor, b's in-flight record and the generation record.
    expect(movedEntries).toBe(3);
  });
});
