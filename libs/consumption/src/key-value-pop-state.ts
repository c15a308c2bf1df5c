/**
 * KeyValuePopState is the pop/ack state of every consumer group on this store node
 * (PROTOCOL.md 7.1-7.5), kept in the node's KeyValueStore and mirrored in memory.
 *
 * Per (group, topic, queue) it keeps a pop cursor (the next offset never handed out to the
 * group) and the in-flight records (offset, invisibleUntilMs, deliveryAttempt, popGeneration)
 * of messages handed out and not yet acked. All in-flight records are loaded at open and kept
 * in memory, so a pop finds redeliveries without scanning the store.
 *
 * Guarantees:
 * - A message is in flight for a group at most once; a hand-out's popGeneration is unique for
 *   the life of the store, so the handle of an earlier hand-out is stale.
 * - State changes are written (sync: false) before the call resolves: they survive a process
 *   crash. A power loss may roll back recent changes, which can only cause redelivery: the
 *   cursor and the in-flight records of one pop are written in one atomic batch.
 * - An acked message never comes back, across restarts; an unacked one comes back once its
 *   invisibility lapses, with deliveryAttempt + 1.
 *
 * Concurrency: every call on one (group, topic) runs under that pair's serializer (one at a
 * time, in order), so check-then-act holds across the awaits for log reads and state writes.
 * Acks that arrive while the serializer is busy wait together and run as one task (one write).
 * Lock order: the (group, topic) serializer is the only lock; the queue log and the generation
 * source are called under it and take none of ours.
 */
import { assert, QuiverError, QuiverErrorCode, StartPolicy } from '@quiver/core';
import type { Clock, FilterExpression, PoppedMessage, StartPosition, StoredMessage } from '@quiver/core';
// Types only: @quiver/client's runtime carries the gRPC transport, which this lib must never load.
import type { AckOutcome, HandOut } from '@quiver/client';
import { forEachPage, RecordDecodeError, STRING_FIELD_BYTES_MAX } from '@quiver/storage';
import type { KeyValueEntry, KeyValueOperation, KeyValueStore, QueueLog } from '@quiver/storage';

import {
  decodeInFlightRecord,
  decodePopCursor,
  decodePopCursorKey,
  decodePopInFlightKey,
  encodeInFlightRecord,
  encodePopCursor,
  popCursorKey,
  popCursorPrefix,
  popInFlightKey,
  popInFlightKeyAt,
  popInFlightPrefix,
  popInFlightQueuePrefix,
} from './consumption-layout';
import type { QueueAddress } from './consumption-layout';
import { InFlightIndex, WAITING_ATTEMPT } from './in-flight-index';
import type { InFlightRecord } from './in-flight-index';
import { KeyedSerializer } from './keyed-serializer';
import {
  ACK_COALESCED_ENTRIES_MAX,
  ACK_ENTRIES_MAX,
  GROUP_TOPIC_WAITERS_MAX,
  IN_FLIGHT_PER_QUEUE_MAX,
  IN_FLIGHT_TOTAL_MAX,
  INVISIBLE_DURATION_MS_MAX,
  POP_BATCH_MESSAGES_MAX,
  POP_QUEUE_COUNT_MAX,
  POP_READ_CHUNK_MESSAGES,
  POP_SCAN_MESSAGES_MAX,
  QUEUE_STATES_MAX,
} from './limits';
import { PopGenerations } from './pop-generations';
import { checkStartPosition, startOffset } from './start-offsets';
import { compileFilter } from './tag-filter';
import type { MessageFilter } from './tag-filter';

export interface KeyValuePopStateOptions {
  store: KeyValueStore;
  queueLog: QueueLog;
  clock: Clock;
  /** startPosition is where a group starts on a queue when a request names no start. @default EARLIEST (PROTOCOL.md 7.2) */
  startPosition?: StartPosition;
  /** inFlightPerQueueMax overrides IN_FLIGHT_PER_QUEUE_MAX, so specs can reach the bound. @default IN_FLIGHT_PER_QUEUE_MAX */
  inFlightPerQueueMax?: number;
}

export interface PopStateRequest {
  group: string;
  topic: string;
  /** queueCount is the number of queues of the topic on this node: queues 0..queueCount-1 are visited. */
  queueCount: number;
  batchSize: number;
  invisibleDurationMs: number;
  filter: FilterExpression;
  /**
   * maxDeliveryAttempts: a lapsed message already delivered this many times is not delivered
   * again; it comes back in `exhausted`, held invisible for `exhaustedHoldMs`, for the caller
   * to dead-letter and ack. Default: unlimited (no message is exhausted).
   */
  maxDeliveryAttempts?: number;
  /** exhaustedHoldMs is how long an exhausted message stays invisible while it is dead-lettered. */
  exhaustedHoldMs?: number;
  /**
   * fifo hands out a message group's messages strictly one at a time in queue order: the next
   * only after the previous is acked or dead-lettered (FIFO topic and FIFO group). Default false.
   */
  fifo?: boolean;
  /** start is where the group starts on a queue it never consumed. Default: the startPosition option. */
  start?: StartPosition;
}

/** PopStateResult is what one pop hands out, plus messages that ran out of delivery attempts. */
export interface PopStateResult {
  messages: PoppedMessage[];
  exhausted: PoppedMessage[];
  /**
   * moreToScan is true when a queue's scan stopped at POP_SCAN_MESSAGES_MAX with messages still
   * unread: nothing after them was looked at, so another pop may find something at once.
   */
  moreToScan: boolean;
}

export interface ChangedInvisibility {
  popGeneration: number;
  invisibleUntilMs: number;
}

interface QueueState {
  queueId: number;
  /** cursor is the next offset never handed out to the group (filtered-out messages count as handed out). */
  cursor: number;
  /**
   * resetGeneration is the first pop generation after the group's offset was last reset on the
   * queue (0: never). A hand-out from before it has no record left; acking it is answered OK.
   */
  resetGeneration: number;
  /** inFlight indexes the records by offset, by next-visible time and by due offset (in-flight-index.ts). */
  inFlight: InFlightIndex;
  /**
   * messageGroups remembers the message group of in-flight offsets (memory only; absent after a
   * restart until a FIFO pop reads them back). Null: the message has no group.
   */
  messageGroups: Map<number, string | null>;
  /** inFlightKeyPrefix is the queue's in-flight key up to the offset, built at first use. */
  inFlightKeyPrefix?: Buffer;
}

/** inFlightKey is popInFlightKey for a queue of (group, topic), from the queue's cached key prefix. */
function inFlightKey(group: string, topic: string, queue: QueueState, offset: number): Buffer {
  queue.inFlightKeyPrefix ??= popInFlightQueuePrefix({ group, topic, queueId: queue.queueId });
  return popInFlightKeyAt(queue.inFlightKeyPrefix, offset);
}

interface GroupTopicState {
  group: string;
  topic: string;
  queues: Map<number, QueueState>;
  /** rotation is the queue the next pop starts at, so concurrent consumers spread across queues. */
  rotation: number;
  /** fifo is set once a FIFO pop ran for the group on the topic: its acks unblock waiting messages. */
  fifo: boolean;
}

/** deliverableCount counts the selections a pop hands out (WAITING ones are only recorded). */
function deliverableCount(selections: readonly Selection[]): number {
  let count = 0;
  for (const selection of selections) if (selection.waiting !== true) count++;
  return count;
}

/** A message chosen for hand-out by a pop, before its state is written. */
interface Selection {
  queue: QueueState;
  message: StoredMessage;
  deliveryAttempt: number;
  /** exhausted marks a lapsed message that used up its delivery attempts: held, not delivered. */
  exhausted: boolean;
  /** waiting marks a FIFO message passed by the cursor behind its group's head: recorded, not delivered. */
  waiting?: boolean;
}

/** An ack call waiting in an AckBatch. */
interface PendingAck {
  entries: readonly HandOut[];
  resolve: (outcomes: AckOutcome[]) => void;
  reject: (error: unknown) => void;
}

/** AckBatch gathers the ack calls of one (group, topic) that arrive while its serializer is busy: one state write for all. */
interface AckBatch {
  calls: PendingAck[];
  entryCount: number;
}

export class KeyValuePopState {
  private readonly groupTopics = new Map<string, GroupTopicState>();
  private readonly serializer = new KeyedSerializer(GROUP_TOPIC_WAITERS_MAX);
  /** Per (group, topic), the acks waiting for the serializer, written together once it is free. */
  private readonly pendingAcks = new Map<string, AckBatch>();
  private readonly store: KeyValueStore;
  private readonly queueLog: QueueLog;
  private readonly clock: Clock;
  private readonly startPosition: StartPosition;
  private readonly inFlightPerQueueMax: number;
  private generations!: PopGenerations;
  private queueStateCount = 0;
  private inFlightTotal = 0;
  private recoveredRecords = 0;
  private closed = false;

  private constructor(options: KeyValuePopStateOptions) {
    this.store = options.store;
    this.queueLog = options.queueLog;
    this.clock = options.clock;
    this.startPosition = options.startPosition ?? { policy: StartPolicy.Earliest };
    checkStartPosition(this.startPosition);
    this.inFlightPerQueueMax = options.inFlightPerQueueMax ?? IN_FLIGHT_PER_QUEUE_MAX;
    assert(
      Number.isInteger(this.inFlightPerQueueMax) && this.inFlightPerQueueMax >= 1 && this.inFlightPerQueueMax <= IN_FLIGHT_PER_QUEUE_MAX,
      `inFlightPerQueueMax ${this.inFlightPerQueueMax} outside 1..${IN_FLIGHT_PER_QUEUE_MAX}`,
    );
  }

  /** open loads every cursor and in-flight record into memory. */
  static async open(options: KeyValuePopStateOptions): Promise<KeyValuePopState> {
    const state = new KeyValuePopState(options);
    const highestGeneration = await state.load();
    state.generations = await PopGenerations.open(state.store, highestGeneration);
    return state;
  }

  /**
   * pop hands out up to `batchSize` messages of the topic's queues to the group: first in-flight
   * messages whose invisibility lapsed (redelivery, deliveryAttempt + 1), then new messages from
   * each queue's cursor, starting at a rotating queue. Each becomes invisible for
   * `invisibleDurationMs`. Messages the filter rejects are consumed silently. Corrupted queues
   * are passed over (their messages stay where they are; the queue log reports them).
   * Resolves with nothing when nothing is deliverable; it never waits for messages.
   */
  async pop(request: PopStateRequest): Promise<PopStateResult> {
    this.checkOpen();
    checkGroupTopic(request.group, request.topic);
    if (!Number.isInteger(request.queueCount) || request.queueCount < 1 || request.queueCount > POP_QUEUE_COUNT_MAX) {
      throw new QuiverError(QuiverErrorCode.BadRequest, `queueCount must be 1 to ${POP_QUEUE_COUNT_MAX}, got ${request.queueCount}`);
    }
    if (!Number.isInteger(request.batchSize) || request.batchSize < 1 || request.batchSize > POP_BATCH_MESSAGES_MAX) {
      throw new QuiverError(QuiverErrorCode.BadRequest, `batchSize must be 1 to ${POP_BATCH_MESSAGES_MAX}, got ${request.batchSize}`);
    }
    checkInvisibleDuration(request.invisibleDurationMs);
    if (request.maxDeliveryAttempts !== undefined && !(Number.isInteger(request.maxDeliveryAttempts) && request.maxDeliveryAttempts >= 1)) {
      throw new QuiverError(QuiverErrorCode.BadRequest, `maxDeliveryAttempts must be a positive integer, got ${request.maxDeliveryAttempts}`);
    }
    if (request.exhaustedHoldMs !== undefined) checkInvisibleDuration(request.exhaustedHoldMs);
    if (request.start !== undefined) checkStartPosition(request.start);
    const filter = compileFilter(request.filter);
    return this.serializer.run(groupTopicKey(request.group, request.topic), () => this.popSerialized(request, filter));
  }

  /**
   * ack ends the life of handed-out messages for the group, one outcome per entry: OK when the
   * hand-out is the current, unexpired one (its record is deleted), when the message is
   * already done (no record and below the cursor: acked before, or filtered out), or when the
   * hand-out predates an offset reset (nothing changes);
   * INVALID_RECEIPT_HANDLE for a stale generation, a lapsed invisibility or an unknown hand-out.
   * Acks of the same (group, topic) that arrive while its serializer is busy are written together
   * (group commit, at most ACK_COALESCED_ENTRIES_MAX entries per write); each call still gets
   * the outcomes of running alone, in arrival order.
   */
  async ack(group: string, topic: string, entries: readonly HandOut[]): Promise<AckOutcome[]> {
    this.checkOpen();
    checkGroupTopic(group, topic);
    if (entries.length < 1 || entries.length > ACK_ENTRIES_MAX) {
      throw new QuiverError(QuiverErrorCode.BadRequest, `an ack holds 1 to ${ACK_ENTRIES_MAX} entries, got ${entries.length}`);
    }
    return new Promise<AckOutcome[]>((resolve, reject) => {
      const key = groupTopicKey(group, topic);
      let batch = this.pendingAcks.get(key);
      if (batch === undefined || batch.entryCount + entries.length > ACK_COALESCED_ENTRIES_MAX) {
        const opened: AckBatch = { calls: [], entryCount: 0 };
        batch = opened;
        this.pendingAcks.set(key, opened);
        this.serializer
          .run(key, () => {
            // From here on the batch is closed: later acks form the next one.
            if (this.pendingAcks.get(key) === opened) this.pendingAcks.delete(key);
            return this.ackSerialized(group, topic, opened.calls);
          })
          .catch((error: unknown) => {
            if (this.pendingAcks.get(key) === opened) this.pendingAcks.delete(key);
            for (const call of opened.calls) call.reject(error);
          });
      }
      batch.calls.push({ entries, resolve, reject });
      batch.entryCount += entries.length;
    });
  }

  /**
   * ackSerialized runs under the (group, topic) serializer: the acks of every call that arrived
   * while earlier work held it, in arrival order, with one state write. Each call gets the
   * outcomes it would have got alone, in that order: an entry whose record an earlier call of
   * the batch acked is judged as if that ack had been written already.
   */
  private async ackSerialized(group: string, topic: string, calls: readonly PendingAck[]): Promise<void> {
    this.checkOpen();
    const nowMs = this.clock.nowMs();
    const state = this.groupTopics.get(groupTopicKey(group, topic));
    const acked: Array<{ queue: QueueState; offset: number }> = [];
    /** Per acked queue, the acked offsets and the index of the call that acked each. */
    const ackedBy = new Map<QueueState, Map<number, number>>();
    const outcomes = calls.map((call, callIndex) =>
      call.entries.map((entry): AckOutcome => {
        if (!isHandOut(entry)) return ACK_INVALID;
        const queue = state?.queues.get(entry.queueId);
        if (queue === undefined) return ACK_INVALID;
        const ackedHere = ackedBy.get(queue);
        const ackingCall = ackedHere?.get(entry.offset);
        // Acked by an earlier call of this batch: its record counts as deleted.
        const record = ackingCall !== undefined && ackingCall !== callIndex ? undefined : queue.inFlight.get(entry.offset);
        // A hand-out from before an offset reset: its record is gone (or replaced by a replay's), so its ack changes nothing.
        const beforeReset = entry.popGeneration < queue.resetGeneration;
        if (record === undefined) return entry.offset < queue.cursor || beforeReset ? ACK_OK : ACK_INVALID;
        if (record.popGeneration !== entry.popGeneration) return beforeReset ? ACK_OK : ACK_INVALID;
        if (record.invisibleUntilMs <= nowMs) return ACK_INVALID;
        if (ackingCall === undefined) {
          if (ackedHere === undefined) ackedBy.set(queue, new Map([[entry.offset, callIndex]]));
          else ackedHere.set(entry.offset, callIndex);
          acked.push({ queue, offset: entry.offset });
        }
        return ACK_OK;
      }),
    );
    if (acked.length > 0) {
      await this.store.write(
        acked.map(({ queue, offset }) => ({ type: 'del' as const, key: inFlightKey(group, topic, queue, offset) })),
        { sync: false },
      );
      for (const { queue, offset } of acked) {
        assert(queue.inFlight.delete(offset), 'an acked record was in flight');
        queue.messageGroups.delete(offset);
        this.inFlightTotal -= 1;
      }
    }
    calls.forEach((call, index) => call.resolve(outcomes[index]!));
  }

  /**
   * changeInvisibleDuration makes the current hand-out visible again `invisibleDurationMs` from
   * now (0 allowed) under a new generation, which it returns; the old handle goes stale. It does
   * not change deliveryAttempt: the next redelivery does. Throws INVALID_RECEIPT_HANDLE for a
   * stale, lapsed or unknown hand-out. With `keepGeneration` the hand-out keeps its generation
   * (auto-renew: the client's handle stays valid).
   */
  async changeInvisibleDuration(
    group: string,
    topic: string,
    handOut: HandOut,
    invisibleDurationMs: number,
    options: { keepGeneration: boolean } = { keepGeneration: false },
  ): Promise<ChangedInvisibility> {
    this.checkOpen();
    checkGroupTopic(group, topic);
    checkInvisibleDuration(invisibleDurationMs);
    return this.serializer.run(groupTopicKey(group, topic), async () => {
      this.checkOpen();
      const queue = this.groupTopics.get(groupTopicKey(group, topic))?.queues.get(handOut.queueId);
      const record = isHandOut(handOut) ? queue?.inFlight.get(handOut.offset) : undefined;
      if (queue === undefined || record === undefined || record.popGeneration !== handOut.popGeneration || record.invisibleUntilMs <= this.clock.nowMs()) {
        throw new QuiverError(QuiverErrorCode.InvalidReceiptHandle, 'the receipt handle is stale, expired or unknown');
      }
      const popGeneration = options.keepGeneration ? record.popGeneration : await this.generations.take(1);
      const changed: InFlightRecord = { ...record, invisibleUntilMs: this.clock.nowMs() + invisibleDurationMs, popGeneration };
      await this.store.write(
        [{ type: 'put', key: inFlightKey(group, topic, queue, changed.offset), value: encodeInFlightRecord(changed) }],
        { sync: false },
      );
      assert(queue.inFlight.get(record.offset) === record, 'the in-flight record did not change under the serializer');
      queue.inFlight.set(changed);
      return { popGeneration, invisibleUntilMs: changed.invisibleUntilMs };
    });
  }

  /**
   * nextVisibleAtMs is the earliest time an in-flight message of the group on the topic becomes
   * visible again (undefined when none is in flight), for waking long polls. Corrupted queues
   * are left out: their messages are not handed out.
   */
  nextVisibleAtMs(group: string, topic: string): number | undefined {
    const state = this.groupTopics.get(groupTopicKey(group, topic));
    if (state === undefined) return undefined;
    let earliest: number | undefined;
    for (const queue of state.queues.values()) {
      if (queue.inFlight.size === 0 || this.queueLog.isQueueCorrupted(topic, queue.queueId)) continue;
      // WAITING records become deliverable through an ack (which wakes polls), not through time: the index leaves them out.
      const queueEarliest = queue.inFlight.earliestVisibleAtMs();
      if (queueEarliest !== undefined && (earliest === undefined || queueEarliest < earliest)) earliest = queueEarliest;
    }
    return earliest;
  }

  /** inFlightCount is the number of messages of the group on the topic handed out and not acked. */
  inFlightCount(group: string, topic: string): number {
    const state = this.groupTopics.get(groupTopicKey(group, topic));
    let count = 0;
    for (const queue of state?.queues.values() ?? []) count += queue.inFlight.size;
    return count;
  }

  /** isFifo reports whether FIFO pops run for the group on the topic (their acks unblock waiting messages). */
  isFifo(group: string, topic: string): boolean {
    return this.groupTopics.get(groupTopicKey(group, topic))?.fifo === true;
  }

  /** cursor is the group's next never-handed-out offset on the queue, or undefined before its first pop there. */
  cursor(group: string, topic: string, queueId: number): number | undefined {
    return this.groupTopics.get(groupTopicKey(group, topic))?.queues.get(queueId)?.cursor;
  }

  /**
   * seed fixes where the group starts on each queue of `queueIds` it never consumed, resolving
   * `start` now; queues it consumed keep their cursor. Resolves with the cursor of every queue
   * of `queueIds` (corrupted queues it could not resolve are left out). Called when a group is
   * first seen subscribing, so a consumer started before a producer gets what is sent after.
   */
  async seed(group: string, topic: string, queueIds: readonly number[], start: StartPosition): Promise<Map<number, number>> {
    this.checkOffsetsArgs(group, topic, queueIds, start);
    return this.serializer.run(groupTopicKey(group, topic), async () => {
      this.checkOpen();
      const existing = this.groupTopics.get(groupTopicKey(group, topic));
      const cursors = new Map<number, number>();
      const created: QueueState[] = [];
      for (const queueId of queueIds) {
        const known = existing?.queues.get(queueId);
        if (known !== undefined) {
          cursors.set(queueId, known.cursor);
          continue;
        }
        this.checkQueueStateRoom(created.length + 1);
        try {
          const queue = newQueueState(queueId, await startOffset(this.queueLog, topic, queueId, start, this.clock.nowMs()));
          created.push(queue);
          cursors.set(queueId, queue.cursor);
        } catch (error) {
          if (!(error instanceof QuiverError && error.code === QuiverErrorCode.QueueCorrupted)) throw error;
        }
      }
      if (created.length > 0) {
        await this.store.write(
          created.map((queue) => ({ type: 'put' as const, key: popCursorKey({ group, topic, queueId: queue.queueId }), value: encodePopCursor(queue) })),
          { sync: false },
        );
        const state = existing ?? this.createGroupTopic(group, topic);
        for (const queue of created) state.queues.set(queue.queueId, queue);
        this.queueStateCount += created.length;
      }
      return cursors;
    });
  }

  /**
   * resetOffsets moves the group's cursor on each queue of `queueIds` to `start` (resolved now),
   * back or forward, and forgets the group's in-flight messages there: consumption continues
   * from the new cursor. A hand-out from before the reset is answered OK when acked (its record
   * is gone; the message comes again if it lies past the new cursor). Resolves with the new cursors.
   * Throws QUEUE_CORRUPTED when a queue's start cannot be read.
   */
  async resetOffsets(group: string, topic: string, queueIds: readonly number[], start: StartPosition): Promise<Map<number, number>> {
    this.checkOffsetsArgs(group, topic, queueIds, start);
    return this.serializer.run(groupTopicKey(group, topic), async () => {
      this.checkOpen();
      const existing = this.groupTopics.get(groupTopicKey(group, topic));
      const created = queueIds.filter((queueId) => existing?.queues.has(queueId) !== true).length;
      this.checkQueueStateRoom(created);
      const resetGeneration = await this.generations.take(1);
      const nowMs = this.clock.nowMs();
      const resets: Array<{ queueId: number; cursor: number }> = [];
      for (const queueId of queueIds) resets.push({ queueId, cursor: await startOffset(this.queueLog, topic, queueId, start, nowMs) });
      const operations: KeyValueOperation[] = [];
      for (const { queueId, cursor } of resets) {
        const address = { group, topic, queueId };
        operations.push({ type: 'put', key: popCursorKey(address), value: encodePopCursor({ cursor, resetGeneration }) });
        for (const offset of existing?.queues.get(queueId)?.inFlight.offsets() ?? []) operations.push({ type: 'del', key: popInFlightKey(address, offset) });
      }
      await this.store.write(operations, { sync: false });

      const state = existing ?? this.createGroupTopic(group, topic);
      const cursors = new Map<number, number>();
      for (const { queueId, cursor } of resets) {
        let queue = state.queues.get(queueId);
        if (queue === undefined) {
          queue = newQueueState(queueId, cursor);
          state.queues.set(queueId, queue);
          this.queueStateCount += 1;
        }
        this.inFlightTotal -= queue.inFlight.size;
        queue.inFlight.clear();
        queue.messageGroups.clear();
        queue.cursor = cursor;
        queue.resetGeneration = resetGeneration;
        cursors.set(queueId, cursor);
      }
      return cursors;
    });
  }

  /**
   * commitOffset sets the group's cursor on one queue to `offset`, for clients that track their
   * own progress (UpdateOffset). In-flight records stay. Throws BAD_REQUEST for an offset past
   * the queue's next offset.
   */
  async commitOffset(group: string, topic: string, queueId: number, offset: number): Promise<void> {
    this.checkOpen();
    checkGroupTopic(group, topic);
    checkQueueIds([queueId]);
    const nextOffset = this.queueLog.nextOffset(topic, queueId);
    if (!Number.isSafeInteger(offset) || offset < 0 || offset > nextOffset) {
      throw new QuiverError(QuiverErrorCode.BadRequest, `offset must be 0 to ${nextOffset} (the queue's next offset), got ${offset}`);
    }
    await this.serializer.run(groupTopicKey(group, topic), async () => {
      this.checkOpen();
      const existing = this.groupTopics.get(groupTopicKey(group, topic));
      const known = existing?.queues.get(queueId);
      if (known === undefined) this.checkQueueStateRoom(1);
      const resetGeneration = known?.resetGeneration ?? 0;
      await this.store.write([{ type: 'put', key: popCursorKey({ group, topic, queueId }), value: encodePopCursor({ cursor: offset, resetGeneration }) }], {
        sync: false,
      });
      const state = existing ?? this.createGroupTopic(group, topic);
      if (known === undefined) {
        state.queues.set(queueId, newQueueState(queueId, offset));
        this.queueStateCount += 1;
      } else known.cursor = offset;
    });
  }

  /** recoveredRecordCount counts state records found corrupt at open and recovered conservatively (as redeliveries). */
  recoveredRecordCount(): number {
    return this.recoveredRecords;
  }

  /** close waits for calls in progress, then rejects new ones with CLOSED. It does not close the key-value store. */
  async close(): Promise<void> {
    this.closed = true;
    await this.serializer.drain();
  }

  // Pop.

  /** popSerialized runs under the (group, topic) serializer. */
  private async popSerialized(request: PopStateRequest, filter: MessageFilter): Promise<PopStateResult> {
    this.checkOpen();
    const { group, topic, queueCount, batchSize } = request;
    const existing = this.groupTopics.get(groupTopicKey(group, topic));
    const startQueue = (existing?.rotation ?? 0) % queueCount;
    const queueOrder = Array.from({ length: queueCount }, (_, index) => (startQueue + index) % queueCount);
    const selections: Selection[] = [];
    const dropped: Array<{ queue: QueueState; offset: number }> = [];
    const cursors = new Map<QueueState, number>();
    const created: QueueState[] = [];

    // Redeliveries first: in-flight messages whose invisibility lapsed, in offset order per queue.
    const nowMs = this.clock.nowMs();
    /** Per queue, the message groups that have a message in flight or chosen by this pop (FIFO only). */
    const busyGroups = new Map<QueueState, Set<string>>();
    if (request.fifo === true) {
      for (const queueId of queueOrder) {
        const queue = existing?.queues.get(queueId);
        if (queue === undefined || this.queueLog.isQueueCorrupted(topic, queueId)) continue;
        const busy = new Set<string>();
        busyGroups.set(queue, busy);
        if (queue.inFlight.size === 0) continue;
        await this.learnMessageGroups(topic, queue);
        const records = queue.inFlight.inOffsetOrder();
        const due: InFlightRecord[] = [];
        for (const record of records) {
          const messageGroup = queue.messageGroups.get(record.offset) ?? null;
          if (messageGroup !== null) {
            // Only the earliest in-flight message of a group may be handed out; the rest wait behind it.
            if (busy.has(messageGroup)) continue;
            busy.add(messageGroup);
          }
          if (record.invisibleUntilMs <= nowMs && selections.length + due.length < batchSize) due.push(record);
        }
        if (due.length === 0) continue;
        const read = await this.readOffsets(topic, queueId, due.map((record) => record.offset));
        if (read === undefined) continue;
        due.forEach((record, index) => {
          const message = read[index];
          if (message === undefined) {
            dropped.push({ queue, offset: record.offset });
            return;
          }
          const exhausted =
            record.deliveryAttempt !== WAITING_ATTEMPT && request.maxDeliveryAttempts !== undefined && record.deliveryAttempt >= request.maxDeliveryAttempts;
          selections.push({ queue, message, deliveryAttempt: exhausted ? record.deliveryAttempt : record.deliveryAttempt + 1, exhausted });
        });
      }
    }
    for (const queueId of request.fifo === true ? [] : queueOrder) {
      const remaining = batchSize - selections.length;
      if (remaining === 0) break;
      const queue = existing?.queues.get(queueId);
      if (queue === undefined || queue.inFlight.size === 0 || this.queueLog.isQueueCorrupted(topic, queueId)) continue;
      // Lapsed (and WAITING) records, lowest offsets first, from the queue's index: no scan of every record.
      const due = queue.inFlight.dueAt(nowMs, remaining);
      if (due.length === 0) continue;
      const read = await this.readOffsets(topic, queueId, due.map((record) => record.offset));
      if (read === undefined) continue;
      due.forEach((record, index) => {
        const message = read[index];
        // A message below the queue's minimum offset was removed by retention: its record has nothing left to deliver.
        if (message === undefined) dropped.push({ queue, offset: record.offset });
        else {
          const exhausted = request.maxDeliveryAttempts !== undefined && record.deliveryAttempt >= request.maxDeliveryAttempts;
          selections.push({ queue, message, deliveryAttempt: exhausted ? record.deliveryAttempt : record.deliveryAttempt + 1, exhausted });
        }
      });
    }

    // Then new messages from each queue's cursor.
    let newInFlight = 0;
    let moreToScan = false;
    for (const queueId of queueOrder) {
      if (deliverableCount(selections) === batchSize) break;
      if (this.queueLog.isQueueCorrupted(topic, queueId)) continue;
      let queue = existing?.queues.get(queueId);
      if (queue === undefined) {
        // A queue never written to has nothing to start from yet: whatever the policy, its first message is the group's.
        if (!this.queueLog.queueExists(topic, queueId)) continue;
        this.checkQueueStateRoom(created.length + 1);
        let cursor: number;
        try {
          cursor = await startOffset(this.queueLog, topic, queueId, request.start ?? this.startPosition, this.clock.nowMs());
        } catch (error) {
          if (error instanceof QuiverError && error.code === QuiverErrorCode.QueueCorrupted) continue;
          throw error;
        }
        queue = newQueueState(queueId, cursor);
        created.push(queue);
        cursors.set(queue, cursor);
      }
      // Redeliveries reuse their records, so only new hand-outs count against the bounds.
      let capacity = Math.min(this.inFlightPerQueueMax - queue.inFlight.size, IN_FLIGHT_TOTAL_MAX - this.inFlightTotal - newInFlight);
      let cursor = Math.max(queue.cursor, this.queueLog.minOffset(topic, queueId));
      const nextOffset = this.queueLog.nextOffset(topic, queueId);
      let scanned = 0;
      try {
        while (deliverableCount(selections) < batchSize && capacity > 0 && cursor < nextOffset && scanned < POP_SCAN_MESSAGES_MAX) {
          const chunk = await this.queueLog.read(topic, queueId, cursor, Math.min(POP_READ_CHUNK_MESSAGES, nextOffset - cursor, POP_SCAN_MESSAGES_MAX - scanned));
          assert(chunk.length > 0 && chunk[0]!.queueOffset === cursor, 'a read below the next offset returns the cursor message first');
          for (const message of chunk) {
            if (deliverableCount(selections) === batchSize || capacity === 0) break;
            scanned += 1;
            cursor = message.queueOffset + 1;
            // A record already in flight (possible after recovering a lost cursor) is never handed out twice.
            if (queue.inFlight.has(message.queueOffset) || !filter(message)) continue;
            const busy = busyGroups.get(queue) ?? (request.fifo === true ? busyGroups.set(queue, new Set()).get(queue) : undefined);
            const messageGroup = message.messageGroup;
            if (busy !== undefined && messageGroup !== undefined) {
              if (busy.has(messageGroup)) {
                selections.push({ queue, message, deliveryAttempt: WAITING_ATTEMPT, exhausted: false, waiting: true });
                capacity -= 1;
                newInFlight += 1;
                continue;
              }
              busy.add(messageGroup);
            }
            selections.push({ queue, message, deliveryAttempt: 1, exhausted: false });
            capacity -= 1;
            newInFlight += 1;
          }
        }
      } catch (error) {
        // A corrupted queue stops serving; the cursor keeps what was consumed before the damage.
        if (!(error instanceof QuiverError && error.code === QuiverErrorCode.QueueCorrupted)) throw error;
      }
      if (cursor !== queue.cursor) cursors.set(queue, cursor);
      if (scanned === POP_SCAN_MESSAGES_MAX && cursor < nextOffset) moreToScan = true;
    }

    if (selections.length === 0 && cursors.size === 0 && dropped.length === 0) {
      if (existing !== undefined) existing.rotation = (startQueue + 1) % queueCount;
      return { messages: [], exhausted: [], moreToScan };
    }

    const handedOut = deliverableCount(selections);
    let nextGeneration = handedOut > 0 ? await this.generations.take(handedOut) : 0;
    const handedOutAtMs = this.clock.nowMs();
    const records = selections.map(
      (selection): InFlightRecord =>
        selection.waiting === true
          ? { offset: selection.message.queueOffset, invisibleUntilMs: 0, deliveryAttempt: WAITING_ATTEMPT, popGeneration: 0 }
          : {
              offset: selection.message.queueOffset,
              invisibleUntilMs: handedOutAtMs + (selection.exhausted ? (request.exhaustedHoldMs ?? request.invisibleDurationMs) : request.invisibleDurationMs),
              deliveryAttempt: selection.deliveryAttempt,
              popGeneration: nextGeneration++,
            },
    );
    const operations: KeyValueOperation[] = [];
    selections.forEach((selection, index) => {
      operations.push({ type: 'put', key: inFlightKey(group, topic, selection.queue, records[index]!.offset), value: encodeInFlightRecord(records[index]!) });
    });
    for (const [queue, cursor] of cursors) {
      operations.push({ type: 'put', key: popCursorKey({ group, topic, queueId: queue.queueId }), value: encodePopCursor({ cursor, resetGeneration: queue.resetGeneration }) });
    }
    for (const { queue, offset } of dropped) operations.push({ type: 'del', key: inFlightKey(group, topic, queue, offset) });
    await this.store.write(operations, { sync: false });

    // The write landed: apply it to memory. Nothing below awaits.
    const state = existing ?? this.createGroupTopic(group, topic);
    for (const queue of created) {
      state.queues.set(queue.queueId, queue);
      this.queueStateCount += 1;
    }
    for (const [queue, cursor] of cursors) {
      assert(cursor >= queue.cursor, 'a cursor only moves forward');
      queue.cursor = cursor;
    }
    for (const { queue, offset } of dropped) {
      if (queue.inFlight.delete(offset)) this.inFlightTotal -= 1;
      queue.messageGroups.delete(offset);
    }
    selections.forEach((selection, index) => {
      if (!selection.queue.inFlight.has(records[index]!.offset)) this.inFlightTotal += 1;
      selection.queue.inFlight.set(records[index]!);
      selection.queue.messageGroups.set(records[index]!.offset, selection.message.messageGroup ?? null);
    });
    if (request.fifo === true) state.fifo = true;
    state.rotation = (startQueue + 1) % queueCount;
    const result: PopStateResult = { messages: [], exhausted: [], moreToScan };
    selections.forEach((selection, index) => {
      if (selection.waiting === true) return;
      (selection.exhausted ? result.exhausted : result.messages).push({
        message: selection.message,
        deliveryAttempt: records[index]!.deliveryAttempt,
        popGeneration: records[index]!.popGeneration,
        invisibleUntilMs: records[index]!.invisibleUntilMs,
      });
    });
    return result;
  }

  /**
   * readOffsets reads the messages at `offsets` of one queue, in order (undefined for offsets
   * below the queue's minimum). Resolves undefined when the queue is corrupted.
   */
  private async readOffsets(topic: string, queueId: number, offsets: number[]): Promise<Array<StoredMessage | undefined> | undefined> {
    // One read per run of consecutive offsets (redeliveries often are: a batch that lapsed together).
    const runs: Array<{ from: number; count: number }> = [];
    for (const offset of offsets) {
      const last = runs[runs.length - 1];
      if (last !== undefined && offset === last.from + last.count) last.count += 1;
      else runs.push({ from: offset, count: 1 });
    }
    try {
      const read = await Promise.all(runs.map((run) => this.queueLog.read(topic, queueId, run.from, run.count)));
      // A read starting below the queue's minimum starts at the minimum: look messages up by offset.
      const byOffset = new Map<number, StoredMessage>();
      for (const messages of read) for (const message of messages) byOffset.set(message.queueOffset, message);
      return offsets.map((offset) => byOffset.get(offset));
    } catch (error) {
      if (error instanceof QuiverError && error.code === QuiverErrorCode.QueueCorrupted) return undefined;
      throw error;
    }
  }

  /**
   * learnMessageGroups reads the message group of in-flight offsets not known in memory (after a
   * restart), so FIFO blocking holds across restarts. Unreadable ones count as ungrouped.
   */
  private async learnMessageGroups(topic: string, queue: QueueState): Promise<void> {
    const unknown = [...queue.inFlight.offsets()].filter((offset) => !queue.messageGroups.has(offset)).sort((a, b) => a - b);
    for (let start = 0; start < unknown.length; start += POP_READ_CHUNK_MESSAGES) {
      const offsets = unknown.slice(start, start + POP_READ_CHUNK_MESSAGES);
      const read = await this.readOffsets(topic, queue.queueId, offsets);
      offsets.forEach((offset, index) => queue.messageGroups.set(offset, read?.[index]?.messageGroup ?? null));
    }
  }

  /** checkOffsetsArgs checks what seed and resetOffsets are given; throws BAD_REQUEST or CLOSED. */
  private checkOffsetsArgs(group: string, topic: string, queueIds: readonly number[], start: StartPosition): void {
    this.checkOpen();
    checkGroupTopic(group, topic);
    checkQueueIds(queueIds);
    checkStartPosition(start);
  }

  /** checkQueueStateRoom throws TOO_MANY_REQUESTS when `adding` more queue states would pass QUEUE_STATES_MAX. */
  private checkQueueStateRoom(adding: number): void {
    if (this.queueStateCount + adding > QUEUE_STATES_MAX) {
      throw new QuiverError(QuiverErrorCode.TooManyRequests, `this store node tracks ${QUEUE_STATES_MAX} consumer queue states already`, { retriable: true });
    }
  }

  private createGroupTopic(group: string, topic: string): GroupTopicState {
    const state: GroupTopicState = { group, topic, queues: new Map(), rotation: 0, fifo: false };
    this.groupTopics.set(groupTopicKey(group, topic), state);
    return state;
  }

  // Open.

  /** load reads every cursor and in-flight record; returns the highest generation seen. */
  private async load(): Promise<number> {
    const queueFor = (address: QueueAddress): QueueState => {
      const state = this.groupTopics.get(groupTopicKey(address.group, address.topic)) ?? this.createGroupTopic(address.group, address.topic);
      let queue = state.queues.get(address.queueId);
      if (queue === undefined) {
        queue = newQueueState(address.queueId, -1);
        state.queues.set(address.queueId, queue);
        this.queueStateCount += 1;
      }
      return queue;
    };

    await this.scan(popCursorPrefix(), (entry) => {
      const queue = queueFor(decodePopCursorKey(entry.key));
      try {
        const decoded = decodePopCursor(entry.value);
        queue.cursor = decoded.cursor;
        queue.resetGeneration = decoded.resetGeneration;
      } catch (error) {
        if (!(error instanceof RecordDecodeError)) throw error;
        // Left at -1: recovered below from the queue's minimum, which can only redeliver.
        this.recoveredRecords += 1;
      }
    });

    let highestGeneration = 0;
    await this.scan(popInFlightPrefix(), (entry) => {
      const { offset, ...address } = decodePopInFlightKey(entry.key);
      const queue = queueFor(address);
      let record: InFlightRecord;
      try {
        record = { offset, ...decodeInFlightRecord(entry.value) };
      } catch (error) {
        if (!(error instanceof RecordDecodeError)) throw error;
        // The message was handed out and not acked: make it visible now. Generation 0 matches no handle.
        record = { offset, invisibleUntilMs: 0, deliveryAttempt: 1, popGeneration: 0 };
        this.recoveredRecords += 1;
      }
      highestGeneration = Math.max(highestGeneration, record.popGeneration);
      queue.inFlight.set(record);
      this.inFlightTotal += 1;
    });

    for (const state of this.groupTopics.values()) {
      for (const queue of state.queues.values()) {
        // A cursor lost or corrupt while its in-flight records survived restarts from the queue's minimum: redelivery, never loss.
        if (queue.cursor < 0) queue.cursor = this.queueLog.minOffset(state.topic, queue.queueId);
      }
    }
    return highestGeneration;
  }

  private async scan(prefix: Buffer, visit: (entry: KeyValueEntry) => void): Promise<void> {
    await forEachPage(this.store, prefix, (page) => page.forEach(visit));
  }

  private checkOpen(): void {
    if (this.closed) throw new QuiverError(QuiverErrorCode.Closed, 'consumption state is closed');
  }
}

function newQueueState(queueId: number, cursor: number): QueueState {
  return { queueId, cursor, resetGeneration: 0, inFlight: new InFlightIndex(), messageGroups: new Map() };
}

const ACK_OK: AckOutcome = 'OK';
const ACK_INVALID: AckOutcome = 'INVALID_RECEIPT_HANDLE';

function groupTopicKey(group: string, topic: string): string {
  return `${group.length}:${group}${topic}`;
}

function isHandOut(handOut: HandOut): boolean {
  return (
    Number.isInteger(handOut.queueId) &&
    handOut.queueId >= 0 &&
    handOut.queueId <= 0xffff_ffff &&
    Number.isSafeInteger(handOut.offset) &&
    handOut.offset >= 0 &&
    Number.isSafeInteger(handOut.popGeneration)
  );
}

function checkGroupTopic(group: string, topic: string): void {
  for (const [name, value] of [
    ['group', group],
    ['topic', topic],
  ] as const) {
    if (typeof value !== 'string' || value === '' || Buffer.byteLength(value, 'utf8') > STRING_FIELD_BYTES_MAX) {
      throw new QuiverError(QuiverErrorCode.BadRequest, `${name} must be a non-empty string of at most ${STRING_FIELD_BYTES_MAX} bytes`);
    }
  }
}

function checkQueueIds(queueIds: readonly number[]): void {
  if (queueIds.length < 1 || queueIds.length > POP_QUEUE_COUNT_MAX) throw new QuiverError(QuiverErrorCode.BadRequest, `name 1 to ${POP_QUEUE_COUNT_MAX} queues`);
  for (const queueId of queueIds) {
    if (!Number.isInteger(queueId) || queueId < 0 || queueId >= POP_QUEUE_COUNT_MAX) {
      throw new QuiverError(QuiverErrorCode.BadRequest, `queue id must be 0 to ${POP_QUEUE_COUNT_MAX - 1}, got ${queueId}`);
    }
  }
}

function checkInvisibleDuration(invisibleDurationMs: number): void {
  if (!Number.isInteger(invisibleDurationMs) || invisibleDurationMs < 0 || invisibleDurationMs > INVISIBLE_DURATION_MS_MAX) {
    throw new QuiverError(QuiverErrorCode.BadRequest, `invisible duration must be 0 to ${INVISIBLE_DURATION_MS_MAX} ms, got ${invisibleDurationMs}`);
  }
}
