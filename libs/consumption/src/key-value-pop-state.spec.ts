import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { AckOutcome as AckOutcomeType } from '@quiver/client';
import { FilterType, isQuiverError, ManualClock, MessageKind, QuiverErrorCode, StartPolicy } from '@quiver/core';
import type { FilterExpression, MessageToStore, PoppedMessage, StartPosition } from '@quiver/core';
import { KeyValueQueueLog, LevelKeyValueStore, MemoryKeyValueStore } from '@quiver/storage';
import type { KeyValueStore } from '@quiver/storage';

import { KeyValuePopState } from './key-value-pop-state';
import type { PopStateRequest } from './key-value-pop-state';
import { POP_SCAN_MESSAGES_MAX, YOUNG_QUEUE_MESSAGES_MAX } from './limits';
import { queueOffsetAt } from './start-offsets';

/** The ack outcomes, spelled out: this lib keeps @quiver/client (and its gRPC runtime) out, specs included. */
const AckOutcome = { Ok: 'OK', InvalidReceiptHandle: 'INVALID_RECEIPT_HANDLE' } as const satisfies Record<string, AckOutcomeType>;
type AckOutcome = AckOutcomeType;

const ALL: FilterExpression = { type: FilterType.Tag, expression: '*' };
const INVISIBLE_MS = 30_000;

let sequence = 0;
function message(overrides: Partial<MessageToStore> = {}): MessageToStore {
  sequence += 1;
  return {
    messageId: `id-${sequence}`,
    keys: [],
    userProperties: {},
    body: Buffer.from(`body-${sequence}`),
    bodyGzipped: false,
    bornTimestampMs: 1,
    bornHost: 'producer',
    kind: MessageKind.Normal,
    ...overrides,
  };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

interface Fixture {
  clock: ManualClock;
  store: KeyValueStore;
  log: KeyValueQueueLog;
  state: KeyValuePopState;
  append(queueId: number, count: number, overrides?: Partial<MessageToStore>, topic?: string): Promise<number[]>;
  pop(overrides?: Partial<PopStateRequest>): Promise<PoppedMessage[]>;
  ack(popped: PoppedMessage | { queueId: number; offset: number; popGeneration: number }, group?: string): Promise<AckOutcome>;
  restart(): Promise<void>;
}

async function createFixture(
  options: { startPosition?: StartPosition; inFlightPerQueueMax?: number; store?: KeyValueStore; recentRecordsBytesMax?: number } = {},
): Promise<Fixture> {
  const clock = new ManualClock();
  const { recentRecordsBytesMax, ...stateOptions } = options;
  const openAll = async (store: KeyValueStore) => {
    const log = await KeyValueQueueLog.open({ store, clock, storeHost: 'store:1', ...(recentRecordsBytesMax !== undefined ? { recentRecordsBytesMax } : {}) });
    const state = await KeyValuePopState.open({ store, queueLog: log, clock, ...stateOptions });
    return { log, state };
  };
  const store = options.store ?? new MemoryKeyValueStore();
  const fixture: Fixture = {
    clock,
    store,
    ...(await openAll(store)),
    append: async (queueId, count, overrides = {}, topic = 't') =>
      (await fixture.log.append(topic, queueId, Array.from({ length: count }, () => message(overrides)))).offsets,
    pop: async (overrides = {}) =>
      (await fixture.state.pop({ group: 'g', topic: 't', queueCount: 1, batchSize: 32, invisibleDurationMs: INVISIBLE_MS, filter: ALL, ...overrides })).messages,
    ack: async (popped, group = 'g') => {
      const handOut = 'message' in popped ? { queueId: popped.message.queueId, offset: popped.message.queueOffset, popGeneration: popped.popGeneration } : popped;
      const [outcome] = await fixture.state.ack(group, 't', [handOut]);
      return outcome!;
    },
    restart: async () => {
      await fixture.state.close();
      await fixture.log.close();
      Object.assign(fixture, await openAll(fixture.store));
    },
  };
  return fixture;
}

const offsetsOf = (popped: PoppedMessage[]): number[] => popped.map((entry) => entry.message.queueOffset);

describe('KeyValuePopState - pop', () => {
  it('pop - hands out new messages in offset order, attempt 1, invisible for the duration, with unique generations', async () => {
    const fixture = await createFixture();
    await fixture.append(0, 3);
    const popped = await fixture.pop();
    expect(offsetsOf(popped)).toEqual([0, 1, 2]);
    expect(popped.every((entry) => entry.deliveryAttempt === 1)).toBe(true);
    expect(popped.every((entry) => entry.invisibleUntilMs === fixture.clock.nowMs() + INVISIBLE_MS)).toBe(true);
    expect(new Set(popped.map((entry) => entry.popGeneration)).size).toBe(3);
    expect(popped[0]!.message.body).toEqual(Buffer.from(popped[0]!.message.body));
    expect(await fixture.pop()).toEqual([]);
    expect(fixture.state.cursor('g', 't', 0)).toBe(3);
  });

  it('pop - a new group starts at the earliest offset, seeing messages sent before it first polled', async () => {
    const fixture = await createFixture();
    await fixture.append(0, 2);
    expect(offsetsOf(await fixture.pop())).toEqual([0, 1]);
  });

  it('pop - with start position latest, a new group sees only messages sent after its first poll', async () => {
    const fixture = await createFixture({ startPosition: { policy: StartPolicy.Latest } });
    await fixture.append(0, 2);
    fixture.clock.advance(1);
    expect(await fixture.pop()).toEqual([]);
    await fixture.append(0, 1);
    expect(offsetsOf(await fixture.pop())).toEqual([2]);
  });

  it('pop - groups are independent', async () => {
    const fixture = await createFixture();
    await fixture.append(0, 2);
    expect(offsetsOf(await fixture.pop({ group: 'a' }))).toEqual([0, 1]);
    expect(offsetsOf(await fixture.pop({ group: 'b' }))).toEqual([0, 1]);
  });

  it('pop - lapsed messages are read one run of consecutive offsets at a time; those retention removed are dropped', async () => {
    const clock = new ManualClock();
    const store = new MemoryKeyValueStore();
    const log = await KeyValueQueueLog.open({ store, clock, storeHost: 'store:1' });
    let minimum = 0;
    const reads: Array<[number, number]> = [];
    // The log as retention leaves it: reads below the minimum start at the minimum.
    const retained = Object.assign(Object.create(log) as KeyValueQueueLog, {
      minOffset: () => minimum,
      read: (topic: string, queueId: number, from: number, count: number) => {
        reads.push([from, count]);
        return log.read(topic, queueId, Math.max(from, minimum), count);
      },
    });
    const state = await KeyValuePopState.open({ store, queueLog: retained, clock });
    await log.append('t', 0, Array.from({ length: 10 }, () => message()));
    const request = { group: 'g', topic: 't', queueCount: 1, batchSize: 32, invisibleDurationMs: INVISIBLE_MS, filter: ALL };
    const popped = (await state.pop(request)).messages;
    const acked = popped.filter((entry) => [4, 5].includes(entry.message.queueOffset));
    await state.ack('g', 't', acked.map((entry) => ({ queueId: 0, offset: entry.message.queueOffset, popGeneration: entry.popGeneration })));
    minimum = 2;
    clock.advance(INVISIBLE_MS);
    reads.length = 0;
    const again = (await state.pop(request)).messages;
    expect(offsetsOf(again)).toEqual([2, 3, 6, 7, 8, 9]);
    expect(again.every((entry) => entry.deliveryAttempt === 2)).toBe(true);
    expect(reads).toEqual([
      [0, 4],
      [6, 4],
    ]);
    expect(state.inFlightCount('g', 't')).toBe(6);
  });

  it('pop - an invisible message comes back after its invisibility with attempt + 1, same message ID, new generation', async () => {
    const fixture = await createFixture();
    await fixture.append(0, 1);
    const [first] = await fixture.pop();
    fixture.clock.advance(INVISIBLE_MS - 1);
    expect(await fixture.pop()).toEqual([]);
    fixture.clock.advance(1);
    const [again] = await fixture.pop();
    expect(again!.message.messageId).toBe(first!.message.messageId);
    expect(again!.message.queueOffset).toBe(first!.message.queueOffset);
    expect(again!.deliveryAttempt).toBe(2);
    expect(again!.popGeneration).toBeGreaterThan(first!.popGeneration);
    fixture.clock.advance(INVISIBLE_MS);
    expect((await fixture.pop())[0]!.deliveryAttempt).toBe(3);
  });

  it('pop - a lapsed message that used up maxDeliveryAttempts comes back as exhausted, held, not delivered', async () => {
    const fixture = await createFixture();
    await fixture.append(0, 1);
    const request = { group: 'g', topic: 't', queueCount: 1, batchSize: 32, invisibleDurationMs: INVISIBLE_MS, filter: ALL, maxDeliveryAttempts: 2, exhaustedHoldMs: 1_000 };
    expect((await fixture.state.pop(request)).messages.map((popped) => popped.deliveryAttempt)).toEqual([1]);
    fixture.clock.advance(INVISIBLE_MS);
    expect((await fixture.state.pop(request)).messages.map((popped) => popped.deliveryAttempt)).toEqual([2]);
    fixture.clock.advance(INVISIBLE_MS);
    const result = await fixture.state.pop(request);
    expect(result.messages).toEqual([]);
    expect(result.exhausted).toHaveLength(1);
    expect(result.exhausted[0]).toMatchObject({ deliveryAttempt: 2, invisibleUntilMs: fixture.clock.nowMs() + 1_000 });
    expect(await fixture.ack(result.exhausted[0]!)).toBe(AckOutcome.Ok);
  });

  it('pop - redeliveries come before new messages', async () => {
    const fixture = await createFixture();
    await fixture.append(0, 2);
    await fixture.pop({ batchSize: 1 });
    fixture.clock.advance(INVISIBLE_MS);
    const popped = await fixture.pop({ batchSize: 2 });
    expect(popped.map((entry) => [entry.message.queueOffset, entry.deliveryAttempt])).toEqual([
      [0, 2],
      [1, 1],
    ]);
  });

  it('pop - starts at a rotating queue and fills the batch across queues', async () => {
    const fixture = await createFixture();
    for (let queueId = 0; queueId < 4; queueId++) await fixture.append(queueId, 3);
    const firstQueues: number[] = [];
    for (let index = 0; index < 5; index++) {
      const [popped] = await fixture.pop({ queueCount: 4, batchSize: 1 });
      firstQueues.push(popped!.message.queueId);
    }
    expect(firstQueues).toEqual([0, 1, 2, 3, 0]);
    const across = await fixture.pop({ queueCount: 4, batchSize: 6 });
    expect(across.length).toBe(6);
    expect(new Set(across.map((entry) => entry.message.queueId)).size).toBeGreaterThan(1);
  });

  it('pop - concurrent pops of one group never hand out a message twice', async () => {
    const fixture = await createFixture();
    for (let queueId = 0; queueId < 2; queueId++) await fixture.append(queueId, 20);
    const results = await Promise.all(Array.from({ length: 10 }, () => fixture.pop({ queueCount: 2, batchSize: 5 })));
    const handedOut = results.flat().map((entry) => `${entry.message.queueId}:${entry.message.queueOffset}`);
    expect(handedOut.length).toBe(40);
    expect(new Set(handedOut).size).toBe(40);
  });

  it('pop - rejects out-of-range requests with BAD_REQUEST', async () => {
    const fixture = await createFixture();
    for (const overrides of [{ batchSize: 0 }, { batchSize: 33 }, { queueCount: 0 }, { invisibleDurationMs: -1 }, { group: '' }]) {
      expect(isQuiverError(await rejection(fixture.pop(overrides)), QuiverErrorCode.BadRequest)).toBe(true);
    }
  });
});

describe('KeyValuePopState - filters', () => {
  it('filter - only matching tags are handed out; skipped messages are consumed, not in flight, and ack OK', async () => {
    const fixture = await createFixture();
    await fixture.append(0, 1, { tag: 'A' });
    await fixture.append(0, 1, { tag: 'C' });
    await fixture.append(0, 1);
    await fixture.append(0, 1, { tag: 'B' });
    const popped = await fixture.pop({ filter: { type: FilterType.Tag, expression: 'A || B' } });
    expect(offsetsOf(popped)).toEqual([0, 3]);
    expect(fixture.state.inFlightCount('g', 't')).toBe(2);
    expect(fixture.state.cursor('g', 't', 0)).toBe(4);
    expect(await fixture.ack({ queueId: 0, offset: 1, popGeneration: 0 })).toBe(AckOutcome.Ok);
    fixture.clock.advance(INVISIBLE_MS);
    expect(offsetsOf(await fixture.pop({ filter: { type: FilterType.Tag, expression: 'A || B' } }))).toEqual([0, 3]);
  });

  it('filter - * delivers untagged messages too', async () => {
    const fixture = await createFixture();
    await fixture.append(0, 1);
    await fixture.append(0, 1, { tag: 'X' });
    expect(offsetsOf(await fixture.pop())).toEqual([0, 1]);
  });

  it('filter - SQL92 delivers the matching messages; the others count as consumed', async () => {
    const fixture = await createFixture();
    await fixture.append(0, 1, { userProperties: { a: '2', color: 'red' } });
    await fixture.append(0, 1, { userProperties: { a: '0', color: 'red' } });
    await fixture.append(0, 1, { userProperties: { color: 'red' } });
    await fixture.append(0, 1, { userProperties: { a: '7', color: 'blue' }, tag: 'T' });
    const filter = { type: FilterType.Sql, expression: "a > 1 AND color IN ('red', 'blue')" };
    expect(offsetsOf(await fixture.pop({ filter }))).toEqual([0, 3]);
    expect(fixture.state.cursor('g', 't', 0)).toBe(4);
  });

  it('filter - an invalid SQL92 expression is BAD_REQUEST with the parser message', async () => {
    const fixture = await createFixture();
    const error = await rejection(fixture.pop({ filter: { type: FilterType.Sql, expression: 'a >' } }));
    expect(isQuiverError(error, QuiverErrorCode.BadRequest)).toBe(true);
    expect((error as Error).message).toContain('invalid SQL92 expression');
  });

  it('filter - a long run of non-matching messages costs bounded work per pop, and the cursor advances through it', async () => {
    const fixture = await createFixture();
    await fixture.append(0, POP_SCAN_MESSAGES_MAX, { tag: 'other' });
    await fixture.append(0, 100, { tag: 'other' });
    await fixture.append(0, 1, { tag: 'wanted' });
    const filter = { type: FilterType.Tag, expression: 'wanted' };
    expect(await fixture.pop({ filter })).toEqual([]);
    expect(fixture.state.cursor('g', 't', 0)).toBe(POP_SCAN_MESSAGES_MAX);
    expect(offsetsOf(await fixture.pop({ filter }))).toEqual([POP_SCAN_MESSAGES_MAX + 100]);
  });

  it('filter - a pop that stops at the scan bound with messages unread says moreToScan; one that reads to the end does not', async () => {
    const fixture = await createFixture();
    await fixture.append(0, POP_SCAN_MESSAGES_MAX, { tag: 'other' });
    await fixture.append(0, 5, { tag: 'other' });
    const request = { group: 'g', topic: 't', queueCount: 1, batchSize: 32, invisibleDurationMs: INVISIBLE_MS, filter: { type: FilterType.Tag, expression: 'wanted' } };
    const bounded = await fixture.state.pop(request);
    expect(bounded).toEqual({ messages: [], exhausted: [], moreToScan: true });
    const rest = await fixture.state.pop(request);
    expect(rest).toEqual({ messages: [], exhausted: [], moreToScan: false });
    expect(fixture.state.cursor('g', 't', 0)).toBe(POP_SCAN_MESSAGES_MAX + 5);
  });
});

describe('KeyValuePopState - ack', () => {
  it('ack - a current handle acks once; acking again is OK and the message never returns', async () => {
    const fixture = await createFixture();
    await fixture.append(0, 1);
    const [popped] = await fixture.pop();
    expect(await fixture.ack(popped!)).toBe(AckOutcome.Ok);
    expect(fixture.state.inFlightCount('g', 't')).toBe(0);
    expect(await fixture.ack(popped!)).toBe(AckOutcome.Ok);
    fixture.clock.advance(10 * INVISIBLE_MS);
    expect(await fixture.pop()).toEqual([]);
  });

  it('ack - an expired handle is INVALID_RECEIPT_HANDLE and the message comes back', async () => {
    const fixture = await createFixture();
    await fixture.append(0, 1);
    const [popped] = await fixture.pop();
    fixture.clock.advance(INVISIBLE_MS);
    expect(await fixture.ack(popped!)).toBe(AckOutcome.InvalidReceiptHandle);
    expect((await fixture.pop())[0]!.deliveryAttempt).toBe(2);
  });

  it('ack - the handle of an earlier delivery is stale after redelivery', async () => {
    const fixture = await createFixture();
    await fixture.append(0, 1);
    const [first] = await fixture.pop();
    fixture.clock.advance(INVISIBLE_MS);
    const [second] = await fixture.pop();
    expect(await fixture.ack(first!)).toBe(AckOutcome.InvalidReceiptHandle);
    expect(await fixture.ack(second!)).toBe(AckOutcome.Ok);
  });

  it('ack - a message never handed out, or an unknown queue or group, is INVALID_RECEIPT_HANDLE', async () => {
    const fixture = await createFixture();
    await fixture.append(0, 3);
    await fixture.pop({ batchSize: 1 });
    expect(await fixture.ack({ queueId: 0, offset: 2, popGeneration: 1 })).toBe(AckOutcome.InvalidReceiptHandle);
    expect(await fixture.ack({ queueId: 5, offset: 0, popGeneration: 1 })).toBe(AckOutcome.InvalidReceiptHandle);
    expect(await fixture.ack({ queueId: 0, offset: 0, popGeneration: 1 }, 'other-group')).toBe(AckOutcome.InvalidReceiptHandle);
    expect(await fixture.ack({ queueId: -1, offset: 0, popGeneration: 1 })).toBe(AckOutcome.InvalidReceiptHandle);
  });

  it('ack - one call acks several entries with one outcome each', async () => {
    const fixture = await createFixture();
    await fixture.append(0, 2);
    const popped = await fixture.pop();
    const outcomes = await fixture.state.ack('g', 't', [
      ...popped.map((entry) => ({ queueId: 0, offset: entry.message.queueOffset, popGeneration: entry.popGeneration })),
      { queueId: 0, offset: 9, popGeneration: 1 },
    ]);
    expect(outcomes).toEqual([AckOutcome.Ok, AckOutcome.Ok, AckOutcome.InvalidReceiptHandle]);
  });

  it('ack - concurrent acks of one group and topic share state writes, each with the outcomes it would get alone', async () => {
    const fixture = await createFixture();
    await fixture.append(0, 32);
    const popped = await fixture.pop();
    const writes: number[] = [];
    const write = fixture.store.write.bind(fixture.store);
    fixture.store.write = async (operations, options) => {
      writes.push(operations.length);
      return write(operations, options);
    };
    const handOut = (entry: PoppedMessage) => ({ queueId: 0, offset: entry.message.queueOffset, popGeneration: entry.popGeneration });
    const outcomes = await Promise.all([
      ...popped.map((entry) => fixture.state.ack('g', 't', [handOut(entry)])),
      // The same message again from another call: OK (already acked), as if run after the first.
      fixture.state.ack('g', 't', [handOut(popped[0]!)]),
      fixture.state.ack('g', 't', [{ queueId: 0, offset: 40, popGeneration: 1 }]),
    ]);
    expect(outcomes.flat()).toEqual([...popped.map(() => AckOutcome.Ok), AckOutcome.Ok, AckOutcome.InvalidReceiptHandle]);
    expect(writes.reduce((sum, count) => sum + count, 0)).toBe(32);
    expect(writes.length).toBeLessThanOrEqual(2);
    expect(fixture.state.inFlightCount('g', 't')).toBe(0);
  });

  it('ack - after the cursor moved back, a second call acking the same message in the same batch gets what it would alone', async () => {
    const fixture = await createFixture();
    await fixture.append(0, 3);
    const popped = await fixture.pop();
    await fixture.state.commitOffset('g', 't', 0, 0);
    const handOut = { queueId: 0, offset: popped[1]!.message.queueOffset, popGeneration: popped[1]!.popGeneration };
    const [first, second, sameCall] = await Promise.all([
      fixture.state.ack('g', 't', [handOut]),
      fixture.state.ack('g', 't', [handOut]),
      fixture.state.ack('g', 't', [handOut, handOut]),
    ]);
    // Alone and in order: the first acks; the record is gone and the offset lies past the cursor, so the others are unknown.
    expect(first).toEqual([AckOutcome.Ok]);
    expect(second).toEqual([AckOutcome.InvalidReceiptHandle]);
    expect(sameCall).toEqual([AckOutcome.InvalidReceiptHandle, AckOutcome.InvalidReceiptHandle]);
  });

  it('ack - a failed state write fails every call written with it, and their messages stay in flight', async () => {
    const fixture = await createFixture();
    await fixture.append(0, 2);
    const popped = await fixture.pop();
    fixture.store.write = () => Promise.reject(new Error('disk gone'));
    const results = await Promise.all(
      popped.map((entry) => rejection(fixture.state.ack('g', 't', [{ queueId: 0, offset: entry.message.queueOffset, popGeneration: entry.popGeneration }]))),
    );
    expect(results.map((error) => (error as Error).message)).toEqual(['disk gone', 'disk gone']);
    expect(fixture.state.inFlightCount('g', 't')).toBe(2);
  });
});

describe('KeyValuePopState - change invisible duration', () => {
  it('change - issues a new generation; the old handle is stale, the new one acks', async () => {
    const fixture = await createFixture();
    await fixture.append(0, 1);
    const [popped] = await fixture.pop();
    const handOut = { queueId: 0, offset: 0, popGeneration: popped!.popGeneration };
    const changed = await fixture.state.changeInvisibleDuration('g', 't', handOut, 60_000);
    expect(changed.popGeneration).not.toBe(popped!.popGeneration);
    expect(changed.invisibleUntilMs).toBe(fixture.clock.nowMs() + 60_000);
    expect(await fixture.ack(handOut)).toBe(AckOutcome.InvalidReceiptHandle);
    expect(await fixture.ack({ ...handOut, popGeneration: changed.popGeneration })).toBe(AckOutcome.Ok);
  });

  it('change - keepGeneration extends the hand-out and the original handle still acks after its first deadline', async () => {
    const fixture = await createFixture();
    await fixture.append(0, 1);
    const [popped] = await fixture.pop();
    const handOut = { queueId: 0, offset: 0, popGeneration: popped!.popGeneration };
    const renewed = await fixture.state.changeInvisibleDuration('g', 't', handOut, 2 * INVISIBLE_MS, { keepGeneration: true });
    expect(renewed.popGeneration).toBe(popped!.popGeneration);
    fixture.clock.advance(INVISIBLE_MS + 1);
    expect(await fixture.pop()).toEqual([]);
    expect(await fixture.ack(handOut)).toBe(AckOutcome.Ok);
  });

  it('change - extends invisibility past the original deadline', async () => {
    const fixture = await createFixture();
    await fixture.append(0, 1);
    const [popped] = await fixture.pop();
    await fixture.state.changeInvisibleDuration('g', 't', { queueId: 0, offset: 0, popGeneration: popped!.popGeneration }, 2 * INVISIBLE_MS);
    fixture.clock.advance(INVISIBLE_MS);
    expect(await fixture.pop()).toEqual([]);
    expect(fixture.state.nextVisibleAtMs('g', 't')).toBe(fixture.clock.nowMs() + INVISIBLE_MS);
  });

  it('change - a zero duration makes the message visible now; the redelivery, not the change, counts an attempt', async () => {
    const fixture = await createFixture();
    await fixture.append(0, 1);
    const [popped] = await fixture.pop();
    await fixture.state.changeInvisibleDuration('g', 't', { queueId: 0, offset: 0, popGeneration: popped!.popGeneration }, 0);
    const [again] = await fixture.pop();
    expect(again!.deliveryAttempt).toBe(2);
  });

  it('change - a stale, expired or unknown hand-out throws INVALID_RECEIPT_HANDLE', async () => {
    const fixture = await createFixture();
    await fixture.append(0, 1);
    const [popped] = await fixture.pop();
    const handOut = { queueId: 0, offset: 0, popGeneration: popped!.popGeneration };
    await fixture.state.changeInvisibleDuration('g', 't', handOut, 1_000);
    const stale = await rejection(fixture.state.changeInvisibleDuration('g', 't', handOut, 1_000));
    expect(isQuiverError(stale, QuiverErrorCode.InvalidReceiptHandle)).toBe(true);
    const unknown = await rejection(fixture.state.changeInvisibleDuration('g', 't', { queueId: 0, offset: 5, popGeneration: 1 }, 1_000));
    expect(isQuiverError(unknown, QuiverErrorCode.InvalidReceiptHandle)).toBe(true);
    fixture.clock.advance(1_000);
    const [again] = await fixture.pop();
    fixture.clock.advance(INVISIBLE_MS);
    const expired = await rejection(fixture.state.changeInvisibleDuration('g', 't', { queueId: 0, offset: 0, popGeneration: again!.popGeneration }, 1_000));
    expect(isQuiverError(expired, QuiverErrorCode.InvalidReceiptHandle)).toBe(true);
  });
});

describe('KeyValuePopState - bounds and visibility', () => {
  it('bound - a queue at its in-flight bound hands out no new messages until acks make room; other queues still serve', async () => {
    const fixture = await createFixture({ inFlightPerQueueMax: 3 });
    await fixture.append(0, 10);
    await fixture.append(1, 1);
    const first = await fixture.pop({ batchSize: 10 });
    expect(offsetsOf(first)).toEqual([0, 1, 2]);
    expect(await fixture.pop({ batchSize: 10 })).toEqual([]);
    expect((await fixture.pop({ queueCount: 2, batchSize: 10 })).map((entry) => entry.message.queueId)).toEqual([1]);
    expect(await fixture.ack(first[0]!)).toBe(AckOutcome.Ok);
    expect(offsetsOf(await fixture.pop({ batchSize: 10 }))).toEqual([3]);
  });

  it('bound - redeliveries are still handed out at the bound', async () => {
    const fixture = await createFixture({ inFlightPerQueueMax: 2 });
    await fixture.append(0, 5);
    await fixture.pop();
    fixture.clock.advance(INVISIBLE_MS);
    expect((await fixture.pop()).map((entry) => [entry.message.queueOffset, entry.deliveryAttempt])).toEqual([
      [0, 2],
      [1, 2],
    ]);
  });

  it('nextVisibleAtMs - is the earliest invisibility deadline of the group on the topic', async () => {
    const fixture = await createFixture();
    expect(fixture.state.nextVisibleAtMs('g', 't')).toBeUndefined();
    await fixture.append(0, 1);
    await fixture.append(1, 1);
    const start = fixture.clock.nowMs();
    await fixture.pop({ invisibleDurationMs: 50_000 });
    fixture.clock.advance(1_000);
    await fixture.pop({ queueCount: 2, invisibleDurationMs: 10_000 });
    expect(fixture.state.nextVisibleAtMs('g', 't')).toBe(start + 11_000);
    expect(fixture.state.nextVisibleAtMs('other', 't')).toBeUndefined();
  });

  it('corruption - a corrupted queue is passed over; the others keep serving and its cursor stays', async () => {
    // The damage is made in the store under a live log: tail reads from memory would not see it.
    const fixture = await createFixture({ recentRecordsBytesMax: 0 });
    await fixture.append(0, 2);
    await fixture.append(1, 2);
    expect(offsetsOf(await fixture.pop({ batchSize: 1 }))).toEqual([0]);
    // Damage queue 0's record at offset 1 (internal queue id 0).
    const key = Buffer.concat([Buffer.from([0x4d, 0, 0, 0, 0]), Buffer.from([0, 0, 0, 0, 0, 0, 0, 1])]);
    const record = (await fixture.store.get(key))!;
    record[record.length - 1] ^= 0xff;
    await fixture.store.write([{ type: 'put', key, value: record }], { sync: true });
    const popped = await fixture.pop({ queueCount: 2 });
    expect(popped.map((entry) => entry.message.queueId)).toEqual([1, 1]);
    expect(fixture.state.cursor('g', 't', 0)).toBe(1);
    expect(fixture.log.isQueueCorrupted('t', 0)).toBe(true);
  });
});

describe('KeyValuePopState - restart', () => {
  it('restart - acked stays acked, unacked comes back after its invisibility, cursors hold', async () => {
    const fixture = await createFixture();
    await fixture.append(0, 4);
    const popped = await fixture.pop({ batchSize: 3 });
    expect(await fixture.ack(popped[0]!)).toBe(AckOutcome.Ok);
    await fixture.state.changeInvisibleDuration('g', 't', { queueId: 0, offset: 2, popGeneration: popped[2]!.popGeneration }, 3 * INVISIBLE_MS);
    const generationsBefore = Math.max(...popped.map((entry) => entry.popGeneration));

    await fixture.restart();

    expect(fixture.state.inFlightCount('g', 't')).toBe(2);
    const [fresh] = await fixture.pop();
    expect(fresh!.message.queueOffset).toBe(3);
    expect(await fixture.ack(fresh!)).toBe(AckOutcome.Ok);
    fixture.clock.advance(INVISIBLE_MS);
    const redelivered = await fixture.pop();
    expect(redelivered.map((entry) => [entry.message.queueOffset, entry.deliveryAttempt])).toEqual([[1, 2]]);
    expect(redelivered[0]!.popGeneration).toBeGreaterThan(generationsBefore);
    expect(await fixture.ack(popped[0]!)).toBe(AckOutcome.Ok);
    fixture.clock.advance(2 * INVISIBLE_MS);
    expect(offsetsOf(await fixture.pop())).toEqual([1, 2]);
  });

  it('restart - on LevelDB, state written without sync is there after close and reopen', async () => {
    const directory = await mkdtemp(path.join(tmpdir(), 'quiver-pop-state-'));
    const location = path.join(directory, 'db');
    try {
      const fixture = await createFixture({ store: await LevelKeyValueStore.open(location) });
      await fixture.append(0, 3);
      const popped = await fixture.pop();
      expect(await fixture.ack(popped[1]!)).toBe(AckOutcome.Ok);
      await fixture.state.close();
      await fixture.log.close();
      await fixture.store.close();

      const reopened = await createFixture({ store: await LevelKeyValueStore.open(location) });
      expect(await reopened.pop()).toEqual([]);
      reopened.clock.advance(INVISIBLE_MS);
      expect((await reopened.pop()).map((entry) => [entry.message.queueOffset, entry.deliveryAttempt])).toEqual([
        [0, 2],
        [2, 2],
      ]);
      await reopened.state.close();
      await reopened.log.close();
      await reopened.store.close();
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('restart - a corrupt in-flight record comes back as a redelivery, never lost', async () => {
    const fixture = await createFixture();
    await fixture.append(0, 1);
    await fixture.pop();
    const [entry] = await fixture.store.iterate({ gte: Buffer.from([0x46]), lt: Buffer.from([0x47]), limit: 1 });
    entry!.value[entry!.value.length - 1] ^= 0xff;
    await fixture.store.write([{ type: 'put', key: entry!.key, value: entry!.value }], { sync: true });
    await fixture.restart();
    expect(fixture.state.recoveredRecordCount()).toBe(1);
    expect(offsetsOf(await fixture.pop())).toEqual([0]);
  });

  it('close - later calls are CLOSED', async () => {
    const fixture = await createFixture();
    await fixture.state.close();
    expect(isQuiverError(await rejection(fixture.pop()), QuiverErrorCode.Closed)).toBe(true);
  });
});

describe('KeyValuePopState - FIFO', () => {
  /** appendGroups appends one message per entry, each with that message group, to queue 0. */
  async function appendGroups(fixture: Fixture, groups: string[]): Promise<void> {
    for (const messageGroup of groups) await fixture.append(0, 1, { messageGroup, kind: MessageKind.Fifo });
  }
  const fifoPop = (fixture: Fixture, overrides: Partial<PopStateRequest> = {}) => fixture.pop({ fifo: true, ...overrides });
  const groupsOf = (popped: PoppedMessage[]) => popped.map((entry) => `${entry.message.messageGroup}@${entry.message.queueOffset}`);

  it('fifo - only the head of each message group is handed out; the next follows its ack', async () => {
    const fixture = await createFixture();
    await appendGroups(fixture, ['A', 'B', 'A', 'B', 'A']);
    const first = await fifoPop(fixture);
    expect(groupsOf(first)).toEqual(['A@0', 'B@1']);
    expect(await fifoPop(fixture)).toEqual([]);
    expect(await fixture.ack(first[0]!)).toBe(AckOutcome.Ok);
    expect(groupsOf(await fifoPop(fixture))).toEqual(['A@2']);
    expect(await fifoPop(fixture)).toEqual([]);
    expect(await fixture.ack(first[1]!)).toBe(AckOutcome.Ok);
    expect(groupsOf(await fifoPop(fixture))).toEqual(['B@3']);
  });

  it('fifo - a lapsed head is redelivered first, with attempt + 1, and still blocks its group', async () => {
    const fixture = await createFixture();
    await appendGroups(fixture, ['A', 'A']);
    const [head] = await fifoPop(fixture);
    fixture.clock.advance(INVISIBLE_MS);
    const again = await fifoPop(fixture);
    expect(groupsOf(again)).toEqual(['A@0']);
    expect(again[0]!.deliveryAttempt).toBe(2);
    expect(head!.message.messageId).toBe(again[0]!.message.messageId);
    expect(await fixture.ack(again[0]!)).toBe(AckOutcome.Ok);
    const next = await fifoPop(fixture);
    expect(groupsOf(next)).toEqual(['A@1']);
    expect(next[0]!.deliveryAttempt).toBe(1);
  });

  it('fifo - waiting messages do not count as visible for long-poll wake-ups', async () => {
    const fixture = await createFixture();
    await appendGroups(fixture, ['A', 'A']);
    await fifoPop(fixture);
    expect(fixture.state.nextVisibleAtMs('g', 't')).toBe(fixture.clock.nowMs() + INVISIBLE_MS);
    expect(fixture.state.isFifo('g', 't')).toBe(true);
  });

  it('fifo - blocking holds across a restart', async () => {
    const fixture = await createFixture();
    await appendGroups(fixture, ['A', 'A', 'B']);
    const first = await fifoPop(fixture);
    expect(groupsOf(first)).toEqual(['A@0', 'B@2']);
    await fixture.restart();
    expect(await fifoPop(fixture)).toEqual([]);
    expect(await fixture.ack(first[0]!)).toBe(AckOutcome.Ok);
    expect(groupsOf(await fifoPop(fixture))).toEqual(['A@1']);
  });

  it('fifo - a head that used up its attempts comes back exhausted, and its ack releases the next', async () => {
    const fixture = await createFixture();
    await appendGroups(fixture, ['A', 'A']);
    const request = { group: 'g', topic: 't', queueCount: 1, batchSize: 32, invisibleDurationMs: INVISIBLE_MS, filter: ALL, fifo: true, maxDeliveryAttempts: 1, exhaustedHoldMs: 1_000 };
    expect(groupsOf((await fixture.state.pop(request)).messages)).toEqual(['A@0']);
    fixture.clock.advance(INVISIBLE_MS);
    const result = await fixture.state.pop(request);
    expect(result.messages).toEqual([]);
    expect(groupsOf(result.exhausted)).toEqual(['A@0']);
    expect(await fixture.ack(result.exhausted[0]!)).toBe(AckOutcome.Ok);
    expect(groupsOf((await fixture.state.pop(request)).messages)).toEqual(['A@1']);
  });

  it('fifo - messages without a group are never blocked, and a non-FIFO pop ignores groups', async () => {
    const fixture = await createFixture();
    await appendGroups(fixture, ['A', 'A']);
    await fixture.append(0, 2);
    expect(offsetsOf(await fifoPop(fixture))).toEqual([0, 2, 3]);
    const other = await createFixture();
    await appendGroups(other, ['A', 'A']);
    expect(offsetsOf(await other.pop())).toEqual([0, 1]);
  });
});

describe('KeyValuePopState - start positions and offsets', () => {
  const latestAt = (atMs: number): StartPosition => ({ policy: StartPolicy.Latest, atMs });

  it('queueOffsetAt - finds the first message stored at or after a moment', async () => {
    const fixture = await createFixture();
    const t0 = fixture.clock.nowMs();
    for (let index = 0; index < 7; index++) {
      await fixture.append(0, 2);
      fixture.clock.advance(10);
    }
    expect(await queueOffsetAt(fixture.log, 't', 0, t0 - 1)).toBe(0);
    expect(await queueOffsetAt(fixture.log, 't', 0, t0)).toBe(0);
    expect(await queueOffsetAt(fixture.log, 't', 0, t0 + 1)).toBe(2);
    expect(await queueOffsetAt(fixture.log, 't', 0, t0 + 30)).toBe(6);
    expect(await queueOffsetAt(fixture.log, 't', 0, t0 + 61)).toBe(14);
    expect(await queueOffsetAt(fixture.log, 't', 1, t0)).toBe(0);
  });

  it('latest - a group first known at a moment gets every message stored from then on, even those stored before its first pop', async () => {
    const fixture = await createFixture();
    await fixture.append(0, 3);
    fixture.clock.advance(5);
    const firstKnownAtMs = fixture.clock.nowMs();
    await fixture.append(0, 2);
    fixture.clock.advance(5);
    expect(offsetsOf(await fixture.pop({ start: latestAt(firstKnownAtMs) }))).toEqual([3, 4]);
  });

  it('timestamp and earliest - a group starts at a given moment, or at the first retained message', async () => {
    const fixture = await createFixture();
    await fixture.append(0, 2);
    fixture.clock.advance(5);
    const middleMs = fixture.clock.nowMs();
    await fixture.append(0, 2);
    expect(offsetsOf(await fixture.pop({ group: 'at', start: { policy: StartPolicy.Timestamp, atMs: middleMs } }))).toEqual([2, 3]);
    expect(offsetsOf(await fixture.pop({ group: 'early', start: { policy: StartPolicy.Earliest } }))).toEqual([0, 1, 2, 3]);
    const error = await rejection(fixture.pop({ group: 'bad', start: { policy: StartPolicy.Timestamp } }));
    expect(isQuiverError(error, QuiverErrorCode.BadRequest)).toBe(true);
  });

  it('young-earliest - a queue that begins at 0 and holds few messages is read from 0; a longer one from the latest', async () => {
    const fixture = await createFixture();
    await fixture.append(0, 3);
    for (let appended = 0; appended <= YOUNG_QUEUE_MESSAGES_MAX; appended += 1000) await fixture.append(1, 1000);
    fixture.clock.advance(1);
    const young: StartPosition = { policy: StartPolicy.YoungEarliest, atMs: fixture.clock.nowMs() };
    expect(offsetsOf(await fixture.pop({ start: young }))).toEqual([0, 1, 2]);
    expect(await fixture.pop({ queueCount: 2, start: young })).toEqual([]);
    expect(fixture.state.cursor('g', 't', 1)).toBe(fixture.log.nextOffset('t', 1));
  });

  it('seed - fixes where a group starts when it is first seen, before any pop; later pops keep it, whatever start they name', async () => {
    const fixture = await createFixture();
    await fixture.append(0, 2);
    fixture.clock.advance(1);
    const cursors = await fixture.state.seed('g', 't', [0, 1], latestAt(fixture.clock.nowMs()));
    expect([...cursors]).toEqual([
      [0, 2],
      [1, 0],
    ]);
    await fixture.append(0, 1);
    await fixture.append(1, 1);
    fixture.clock.advance(1);
    const popped = await fixture.pop({ queueCount: 2, start: { policy: StartPolicy.Earliest } });
    expect(popped.map((entry) => `${entry.message.queueId}@${entry.message.queueOffset}`).sort()).toEqual(['0@2', '1@0']);
    // Seeding again changes nothing.
    expect([...(await fixture.state.seed('g', 't', [0], { policy: StartPolicy.Earliest }))]).toEqual([[0, 3]]);
  });

  it('resetOffsets - replays from a moment after everything was acked; old hand-outs ack OK; survives a restart', async () => {
    const fixture = await createFixture({ store: new MemoryKeyValueStore() });
    await fixture.append(0, 2);
    fixture.clock.advance(10);
    const replayFromMs = fixture.clock.nowMs();
    await fixture.append(0, 3);
    const first = await fixture.pop();
    expect(offsetsOf(first)).toEqual([0, 1, 2, 3, 4]);
    for (const popped of first.slice(0, 4)) expect(await fixture.ack(popped)).toBe(AckOutcome.Ok);
    const stillInFlight = first[4]!;

    const cursors = await fixture.state.resetOffsets('g', 't', [0], { policy: StartPolicy.Timestamp, atMs: replayFromMs });
    expect([...cursors]).toEqual([[0, 2]]);
    expect(fixture.state.inFlightCount('g', 't')).toBe(0);
    // The hand-out from before the reset: its record is gone, and its ack is harmless.
    expect(await fixture.ack(stillInFlight)).toBe(AckOutcome.Ok);

    await fixture.restart();
    const replayed = await fixture.pop();
    expect(offsetsOf(replayed)).toEqual([2, 3, 4]);
    expect(replayed.every((entry) => entry.deliveryAttempt === 1)).toBe(true);
    expect(await fixture.ack(stillInFlight)).toBe(AckOutcome.Ok);
    // A hand-out made after the reset still needs its own, current handle.
    expect(await fixture.ack({ ...handOutOf(replayed[0]!), popGeneration: replayed[0]!.popGeneration + 1000 })).toBe(AckOutcome.InvalidReceiptHandle);
  });

  it('resetOffsets - can move a group forward past a backlog', async () => {
    const fixture = await createFixture();
    await fixture.append(0, 4);
    fixture.clock.advance(1);
    await fixture.state.resetOffsets('g', 't', [0], latestAt(fixture.clock.nowMs()));
    expect(await fixture.pop()).toEqual([]);
    await fixture.append(0, 1);
    expect(offsetsOf(await fixture.pop())).toEqual([4]);
  });

  it('commitOffset - a client that tracks its own progress moves the cursor; beyond the end is refused', async () => {
    const fixture = await createFixture();
    await fixture.append(0, 5);
    await fixture.state.commitOffset('g', 't', 0, 3);
    expect(fixture.state.cursor('g', 't', 0)).toBe(3);
    expect(offsetsOf(await fixture.pop())).toEqual([3, 4]);
    await fixture.state.commitOffset('g', 't', 0, 1);
    expect(fixture.state.cursor('g', 't', 0)).toBe(1);
    const error = await rejection(fixture.state.commitOffset('g', 't', 0, 6));
    expect(isQuiverError(error, QuiverErrorCode.BadRequest)).toBe(true);
    expect(fixture.state.cursor('g', 't', 0)).toBe(1);
  });
});

function handOutOf(popped: PoppedMessage): { queueId: number; offset: number; popGeneration: number } {
  return { queueId: popped.message.queueId, offset: popped.message.queueOffset, popGeneration: popped.popGeneration };
}
