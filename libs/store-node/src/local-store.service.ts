/**
 * LocalStoreService is the store node's own StoreService: the queue log for messages, the pop
 * state for consumer groups, and long polling on top. Standalone wires it straight into the
 * proxy; in a cluster the internal gRPC server calls it. Requests are validated here (they may
 * come from the network), so errors are QuiverErrors with the catalog's codes.
 */
import { assert, isQuiverError, QuiverError, QuiverErrorCode, type PoppedMessage } from '@quiver/core';
import { deadLetterTopicOf } from '@quiver/protocol';
import type { Clock } from '@quiver/core';
import type {
  AckRequest,
  AckResult,
  AppendRequest,
  AppendResult,
  ChangeInvisibleRequest,
  ChangeInvisibleResult,
  EndTransactionRequest,
  EndTransactionResult,
  ForwardToDeadLetterRequest,
  OrphanedTransactionsRequest,
  OrphanedTransactionsResult,
  PrepareTransactionRequest,
  PrepareTransactionResult,
  RecordTransactionCheckRequest,
  PopRequest,
  PopResult,
  RecallRequest,
  RecallResult,
  ScheduleResult,
  StoreService,
  CommitOffsetRequest,
  OffsetsRequest,
  PullRequest,
  PullResult,
  QueryOffsetRequest,
  QueueOffsets,
} from '@quiver/client';
import { AckOutcome, OffsetQueryPolicy } from '@quiver/client';
import { ACK_ENTRIES_MAX, checkStartPosition, compileFilter, POP_READ_CHUNK_MESSAGES, POP_SCAN_MESSAGES_MAX, queueOffsetAt } from '@quiver/consumption';
import type { MessageFilter } from '@quiver/consumption';
import type { KeyValuePopState } from '@quiver/consumption';
import type { CorruptedQueue, KeyValueStore, QueueLog } from '@quiver/storage';

import { DEAD_LETTER_QUEUE_ID, deadLetterCopy } from './dead-letter';
import { DEAD_LETTER_FORWARD_HOLD_MS, DELIVERY_ATTEMPTS_DEFAULT, PARKED_POLLS_MAX } from './limits';
import { LongPolls } from './long-polls';
import { TimerWheel } from './timer-wheel';
import { Transactions, type TransactionFinalOutcome } from './transactions';
import {
  checkAppendRequest,
  checkGroup,
  checkHandOut,
  checkInvisibleDuration,
  checkPopRequest,
  checkPullRequest,
  checkQueueId,
  checkQueueIds,
  checkTopic,
} from './validation';

export interface LocalStoreServiceOptions {
  queueLog: QueueLog;
  popState: KeyValuePopState;
  /** store is the key-value store under queueLog and popState; the timer index of delay messages lives in it. */
  store: KeyValueStore;
  clock: Clock;
  /** storeNodeName is this node's name in routes (the broker name), used in status and errors. */
  storeNodeName: string;
  /** parkedPollsMax overrides PARKED_POLLS_MAX, so specs can reach the bound. @default PARKED_POLLS_MAX */
  parkedPollsMax?: number;
  /** transactionChecksMax overrides TRANSACTION_CHECKS_MAX, so specs can reach it. @default TRANSACTION_CHECKS_MAX */
  transactionChecksMax?: number;
  /** transactionFinalOutcome resolves a transaction still unresolved after its last orphan check. @default 'rollback' */
  transactionFinalOutcome?: TransactionFinalOutcome;
}

export class LocalStoreService implements StoreService {
  readonly storeNodeName: string;
  private readonly queueLog: QueueLog;
  private readonly popState: KeyValuePopState;
  private readonly clock: Clock;
  private readonly polls: LongPolls;
  private readonly timers: TimerWheel;
  private readonly transactions: Transactions;
  private closed = false;

  constructor(options: LocalStoreServiceOptions) {
    this.queueLog = options.queueLog;
    this.popState = options.popState;
    this.clock = options.clock;
    this.storeNodeName = options.storeNodeName;
    const parkedPollsMax = options.parkedPollsMax ?? PARKED_POLLS_MAX;
    assert(Number.isInteger(parkedPollsMax) && parkedPollsMax >= 1 && parkedPollsMax <= PARKED_POLLS_MAX, `parkedPollsMax ${parkedPollsMax} outside 1..${PARKED_POLLS_MAX}`);
    this.polls = new LongPolls(this.clock, parkedPollsMax);
    this.timers = new TimerWheel({
      store: options.store,
      queueLog: this.queueLog,
      clock: this.clock,
      onDelivered: (topic) => this.polls.wakeTopic(topic),
    });
    this.timers.start();
    this.transactions = new Transactions({
      store: options.store,
      queueLog: this.queueLog,
      clock: this.clock,
      onCommitted: (topic) => this.polls.wakeTopic(topic),
      ...(options.transactionChecksMax !== undefined ? { checksMax: options.transactionChecksMax } : {}),
      ...(options.transactionFinalOutcome !== undefined ? { finalOutcome: options.transactionFinalOutcome } : {}),
    });
  }

  /**
   * appendMessages stores the messages and resolves once they are durable; consumers see them
   * once the index write that follows lands (a write later, for batches in the record log), and
   * their long polls are woken then. A signal already aborted when the call starts stops it
   * with STORE_TIMEOUT; once accepted, an append runs to completion (the caller may stop
   * waiting), because a group-committed batch cannot be undone.
   */
  async appendMessages(request: AppendRequest, signal?: AbortSignal): Promise<AppendResult> {
    this.checkOpen();
    checkAppendRequest(request);
    if (signal?.aborted === true) throw new QuiverError(QuiverErrorCode.StoreTimeout, 'append abandoned by its caller before it started');
    const appended = await this.queueLog.append(request.topic, request.queueId, request.messages, { acknowledge: 'durable' });
    void appended.visible.then(() => this.polls.wakeTopic(request.topic));
    return { offsets: appended.offsets, storeTimestampMs: appended.storeTimestampMs };
  }

  /**
   * scheduleMessages stores delay messages in the node's timer log (durable when it resolves,
   * like an append) and delivers each to the request's queue when it falls due; see timer-wheel.ts.
   */
  async scheduleMessages(request: AppendRequest, signal?: AbortSignal): Promise<ScheduleResult> {
    this.checkOpen();
    checkAppendRequest(request);
    for (const [index, message] of request.messages.entries()) {
      const dueMs = message.deliveryTimestampMs;
      if (dueMs !== undefined && (!Number.isSafeInteger(dueMs) || dueMs < 0)) {
        throw new QuiverError(QuiverErrorCode.BadRequest, `messages[${index}].deliveryTimestampMs must be a non-negative integer`);
      }
    }
    if (signal?.aborted === true) throw new QuiverError(QuiverErrorCode.StoreTimeout, 'schedule abandoned by its caller before it started');
    const timers = await this.timers.schedule({ topic: request.topic, queueId: request.queueId }, request.messages);
    return { timers };
  }

  /** recallMessage cancels a scheduled message that is not delivered yet; see StoreService. */
  async recallMessage(request: RecallRequest): Promise<RecallResult> {
    this.checkOpen();
    checkTopic(request.topic);
    if (!Number.isSafeInteger(request.dueMs) || request.dueMs < 0 || !Number.isSafeInteger(request.timerOffset) || request.timerOffset < 0) {
      throw new QuiverError(QuiverErrorCode.BadRequest, 'a recall names a timer by non-negative dueMs and timerOffset');
    }
    return this.timers.recall(request.topic, { dueMs: request.dueMs, timerOffset: request.timerOffset });
  }

  /** prepareTransaction stores one half message durably, invisible until committed; see transactions.ts. */
  async prepareTransaction(request: PrepareTransactionRequest, signal?: AbortSignal): Promise<PrepareTransactionResult> {
    this.checkOpen();
    checkAppendRequest({ topic: request.topic, queueId: request.queueId, messages: [request.message] });
    const immunityMs = request.checkImmunityMs;
    if (immunityMs !== undefined && (!Number.isSafeInteger(immunityMs) || immunityMs < 0)) {
      throw new QuiverError(QuiverErrorCode.BadRequest, 'checkImmunityMs must be a non-negative integer');
    }
    if (signal?.aborted === true) throw new QuiverError(QuiverErrorCode.StoreTimeout, 'prepare abandoned by its caller before it started');
    return this.transactions.prepare(request);
  }

  /** endTransaction commits or rolls back a half message; see StoreService. */
  async endTransaction(request: EndTransactionRequest): Promise<EndTransactionResult> {
    this.checkOpen();
    checkTopic(request.topic);
    checkTransactionId(request.transactionId);
    if (request.resolution !== 'COMMIT' && request.resolution !== 'ROLLBACK') {
      throw new QuiverError(QuiverErrorCode.BadRequest, 'a resolution is COMMIT or ROLLBACK');
    }
    return this.transactions.end(request);
  }

  /** orphanedTransactions lists due, unresolved transactions of a topic; see StoreService. */
  async orphanedTransactions(request: OrphanedTransactionsRequest): Promise<OrphanedTransactionsResult> {
    this.checkOpen();
    checkTopic(request.topic);
    if (!Number.isInteger(request.limit) || request.limit < 1) throw new QuiverError(QuiverErrorCode.BadRequest, 'limit must be a positive integer');
    return { transactions: await this.transactions.orphaned(request.topic, request.limit) };
  }

  /** recordTransactionCheck counts a check sent to a producer; see StoreService. */
  async recordTransactionCheck(request: RecordTransactionCheckRequest): Promise<void> {
    this.checkOpen();
    checkTopic(request.topic);
    checkTransactionId(request.transactionId);
    await this.transactions.recordCheck(request.topic, request.transactionId);
  }

  /**
   * popMessages hands out messages, or long-polls: with nothing deliverable it waits up to
   * `pollTimeoutMs` and pops again when a message is appended to the topic, when the group's
   * earliest in-flight message becomes visible, or when a change of invisibility may have made
   * one visible. An aborted signal or closing the store ends the wait with an empty result.
   * Throws TOO_MANY_REQUESTS when PARKED_POLLS_MAX polls wait already.
   */
  async popMessages(request: PopRequest, signal?: AbortSignal): Promise<PopResult> {
    this.checkOpen();
    checkPopRequest(request);
    if (signal?.aborted === true) return { messages: [] };
    const deadlineMs = this.clock.monotonicMs() + request.pollTimeoutMs;
    let deadLettered = 0;
    /** mayHaveMore: the pop filled its batch, dead-lettered some, or stopped at its scan bound, so more may be deliverable now. */
    let mayHaveMore = false;
    const pop = async (): Promise<PopResult> => {
      const popped = await this.popState.pop({
        group: request.group,
        topic: request.topic,
        queueCount: request.queueCount,
        batchSize: request.batchSize,
        invisibleDurationMs: request.invisibleDurationMs,
        filter: request.filter,
        maxDeliveryAttempts: request.maxDeliveryAttempts ?? DELIVERY_ATTEMPTS_DEFAULT,
        exhaustedHoldMs: DEAD_LETTER_FORWARD_HOLD_MS,
        fifo: request.fifo === true,
        ...(request.start !== undefined ? { start: request.start } : {}),
      });
      mayHaveMore = popped.messages.length === request.batchSize || popped.exhausted.length > 0 || popped.moreToScan;
      deadLettered += await this.deadLetterExhausted(request.group, request.topic, popped.exhausted);
      return deadLettered > 0 ? { messages: popped.messages, deadLettered } : { messages: popped.messages };
    };

    const first = await pop();
    if (first.messages.length > 0 || request.pollTimeoutMs === 0) return first;

    // Registered before popping again, so an append landing during that pop wakes us instead of being missed.
    const poll = this.polls.register(request.topic, request.group, signal);
    try {
      // retriedVisible allows one immediate retry when a message became visible during a pop, and no spinning after it.
      let retriedVisible = false;
      for (;;) {
        poll.rearm();
        const result = await pop();
        if (result.messages.length > 0 || poll.finished || this.closed) return result;
        const remainingMs = deadlineMs - this.clock.monotonicMs();
        if (remainingMs <= 0) return result;
        // A scan that stopped at its bound pops on at once: what it has not read yet may match.
        if (poll.woken || mayHaveMore) continue;
        let delayMs = remainingMs;
        const untilVisibleMs = (this.popState.nextVisibleAtMs(request.group, request.topic) ?? Number.POSITIVE_INFINITY) - this.clock.nowMs();
        if (untilVisibleMs <= 0 && !retriedVisible) {
          retriedVisible = true;
          continue;
        }
        if (untilVisibleMs > 0) delayMs = Math.min(delayMs, untilVisibleMs);
        retriedVisible = false;
        const reason = await poll.wait(delayMs);
        if (reason === 'aborted' || reason === 'closed') return { messages: [] };
      }
    } finally {
      // The group's other polls were not woken for what this one may have left behind.
      this.polls.unregister(poll, mayHaveMore);
    }
  }

  async ackMessages(request: AckRequest): Promise<AckResult> {
    this.checkOpen();
    checkGroup(request.group);
    checkTopic(request.topic);
    if (!Array.isArray(request.entries) || request.entries.length < 1 || request.entries.length > ACK_ENTRIES_MAX) {
      throw new QuiverError(QuiverErrorCode.BadRequest, `an ack holds 1 to ${ACK_ENTRIES_MAX} entries`);
    }
    const outcomes = await this.popState.ack(request.group, request.topic, request.entries);
    // In a FIFO group an ack releases the next message of its message group: wake waiting polls at once.
    if (this.popState.isFifo(request.group, request.topic)) this.polls.wakeGroup(request.topic, request.group);
    return { outcomes };
  }

  async changeInvisibleDuration(request: ChangeInvisibleRequest): Promise<ChangeInvisibleResult> {
    this.checkOpen();
    checkGroup(request.group);
    checkTopic(request.topic);
    checkHandOut(request);
    checkInvisibleDuration(request.invisibleDurationMs);
    const changed = await this.popState.changeInvisibleDuration(request.group, request.topic, request, request.invisibleDurationMs, {
      keepGeneration: request.keepGeneration === true,
    });
    // A shorter invisibility (a nack) may make the message deliverable before any waiting poll's timer.
    this.polls.wakeGroup(request.topic, request.group);
    return changed;
  }

  /**
   * forwardToDeadLetterQueue holds the message invisible, appends its copy (same ID, body and
   * properties, plus its origin; see dead-letter.ts) to queue 0 of `deadLetterTopic`, then acks
   * the original under the hold's generation. If the copy fails, the hold lapses and the
   * message is redelivered. If the ack fails after the copy (only when the hold lapsed), the
   * message is redelivered and may be forwarded twice: at least once, never lost.
   */
  async forwardToDeadLetterQueue(request: ForwardToDeadLetterRequest): Promise<void> {
    this.checkOpen();
    checkGroup(request.group);
    checkTopic(request.topic);
    checkTopic(request.deadLetterTopic, 'deadLetterTopic');
    checkHandOut(request);
    const held = await this.popState.changeInvisibleDuration(request.group, request.topic, request, DEAD_LETTER_FORWARD_HOLD_MS);
    const [original] = await this.queueLog.read(request.topic, request.queueId, request.offset, 1);
    if (original === undefined || original.queueOffset !== request.offset) {
      throw new QuiverError(QuiverErrorCode.MessageNotFound, `message ${request.topic}/${request.queueId}@${request.offset} is no longer stored`);
    }
    await this.appendMessages({ topic: request.deadLetterTopic, queueId: DEAD_LETTER_QUEUE_ID, messages: [deadLetterCopy(original, request.group)] });
    const [outcome] = await this.popState.ack(request.group, request.topic, [{ queueId: request.queueId, offset: request.offset, popGeneration: held.popGeneration }]);
    if (outcome !== AckOutcome.Ok) {
      throw new QuiverError(QuiverErrorCode.InvalidReceiptHandle, 'the message was copied to the dead-letter queue, but its hold lapsed before the ack');
    }
    if (this.popState.isFifo(request.group, request.topic)) this.polls.wakeGroup(request.topic, request.group);
  }

  /**
   * deadLetterExhausted moves messages that used up their delivery attempts to the group's
   * dead-letter topic (PROTOCOL.md 7.6): copy, then ack under the hold's generation. A copy or ack
   * that fails leaves the hold to lapse, so the message is dead-lettered at a later pop: at least
   * once, never lost. Resolves with how many were moved.
   */
  private async deadLetterExhausted(group: string, topic: string, exhausted: PoppedMessage[]): Promise<number> {
    let moved = 0;
    for (const held of exhausted) {
      try {
        await this.appendMessages({ topic: deadLetterTopicOf(group), queueId: DEAD_LETTER_QUEUE_ID, messages: [deadLetterCopy(held.message, group)] });
        const handOut = { queueId: held.message.queueId, offset: held.message.queueOffset, popGeneration: held.popGeneration };
        const [outcome] = await this.popState.ack(group, topic, [handOut]);
        if (outcome === AckOutcome.Ok) moved++;
      } catch (error) {
        if (isQuiverError(error, QuiverErrorCode.Closed)) throw error;
      }
    }
    return moved;
  }

  /** seedOffsets fixes where the group starts on queues it never consumed; see StoreService. */
  async seedOffsets(request: OffsetsRequest): Promise<QueueOffsets> {
    this.checkOffsetsRequest(request);
    return queueOffsetsOf(await this.popState.seed(request.group, request.topic, request.queueIds, request.start));
  }

  /** resetOffsets moves the group on the named queues and forgets its in-flight messages there; see StoreService. */
  async resetOffsets(request: OffsetsRequest): Promise<QueueOffsets> {
    this.checkOffsetsRequest(request);
    const offsets = queueOffsetsOf(await this.popState.resetOffsets(request.group, request.topic, request.queueIds, request.start));
    // Replayed messages are deliverable at once.
    this.polls.wakeGroup(request.topic, request.group);
    return offsets;
  }

  async commitOffset(request: CommitOffsetRequest): Promise<void> {
    this.checkOpen();
    checkGroup(request.group);
    checkTopic(request.topic);
    checkQueueId(request.queueId);
    await this.popState.commitOffset(request.group, request.topic, request.queueId, request.offset);
    this.polls.wakeGroup(request.topic, request.group);
  }

  async queryOffset(request: QueryOffsetRequest): Promise<number> {
    this.checkOpen();
    checkTopic(request.topic);
    checkQueueId(request.queueId);
    switch (request.policy) {
      case OffsetQueryPolicy.Beginning:
        return this.queueLog.minOffset(request.topic, request.queueId);
      case OffsetQueryPolicy.End:
        return this.queueLog.nextOffset(request.topic, request.queueId);
      case OffsetQueryPolicy.Timestamp: {
        const timestampMs = request.timestampMs;
        if (timestampMs === undefined || !Number.isSafeInteger(timestampMs) || timestampMs < 0) {
          throw new QuiverError(QuiverErrorCode.BadRequest, 'a TIMESTAMP offset query needs timestampMs, milliseconds since the epoch');
        }
        return queueOffsetAt(this.queueLog, request.topic, request.queueId, timestampMs);
      }
      default:
        throw new QuiverError(QuiverErrorCode.BadRequest, 'an offset query policy is BEGINNING, END or TIMESTAMP');
    }
  }

  /**
   * pullMessages reads one queue from an offset through the filter, without group state; with
   * nothing to return it long-polls like popMessages (woken by appends to the topic).
   */
  async pullMessages(request: PullRequest, signal?: AbortSignal): Promise<PullResult> {
    this.checkOpen();
    checkPullRequest(request);
    const filter = compileFilter(request.filter);
    const nextOffset = this.queueLog.nextOffset(request.topic, request.queueId);
    if (request.offset > nextOffset) {
      throw new QuiverError(QuiverErrorCode.BadRequest, `offset ${request.offset} is past the end of queue ${request.queueId} (${nextOffset})`);
    }
    const first = await this.readFiltered(request, request.offset, filter);
    if (first.messages.length > 0 || request.pollTimeoutMs === 0 || signal?.aborted === true) return first;

    const deadlineMs = this.clock.monotonicMs() + request.pollTimeoutMs;
    const poll = this.polls.register(request.topic, undefined, signal);
    let result = first;
    try {
      for (;;) {
        poll.rearm();
        // Filtered-out messages already scanned are not scanned again.
        result = await this.readFiltered(request, result.nextOffset, filter);
        if (result.messages.length > 0 || poll.finished || this.closed) return result;
        const remainingMs = deadlineMs - this.clock.monotonicMs();
        if (remainingMs <= 0) return result;
        // A scan that stopped at its bound reads on at once.
        if (poll.woken || result.nextOffset < result.maxOffset) continue;
        const reason = await poll.wait(remainingMs);
        if (reason === 'aborted' || reason === 'closed') return result;
      }
    } finally {
      this.polls.unregister(poll);
    }
  }

  /** readFiltered reads up to batchSize passing messages from `fromOffset`, scanning at most POP_SCAN_MESSAGES_MAX. */
  private async readFiltered(request: PullRequest, fromOffset: number, filter: MessageFilter): Promise<PullResult> {
    const minOffset = this.queueLog.minOffset(request.topic, request.queueId);
    const maxOffset = this.queueLog.nextOffset(request.topic, request.queueId);
    const messages: PullResult['messages'] = [];
    let cursor = Math.max(fromOffset, minOffset);
    let scanned = 0;
    while (messages.length < request.batchSize && cursor < maxOffset && scanned < POP_SCAN_MESSAGES_MAX) {
      const chunk = await this.queueLog.read(request.topic, request.queueId, cursor, Math.min(POP_READ_CHUNK_MESSAGES, maxOffset - cursor, POP_SCAN_MESSAGES_MAX - scanned));
      if (chunk.length === 0) break;
      for (const message of chunk) {
        if (messages.length === request.batchSize) break;
        scanned += 1;
        cursor = message.queueOffset + 1;
        if (filter(message)) messages.push(message);
      }
    }
    return { messages, nextOffset: cursor, minOffset, maxOffset };
  }

  private checkOffsetsRequest(request: OffsetsRequest): void {
    this.checkOpen();
    checkGroup(request.group);
    checkTopic(request.topic);
    checkQueueIds(request.queueIds);
    if (typeof request.start !== 'object' || request.start === null) throw new QuiverError(QuiverErrorCode.BadRequest, 'start is required');
    checkStartPosition(request.start);
  }

  /** corruptedQueues lists this node's queues that stopped serving, for status reporting. */
  corruptedQueues(): CorruptedQueue[] {
    return this.queueLog.corruptedQueues();
  }

  /** parkedPollCount is the number of long polls waiting now. */
  parkedPollCount(): number {
    return this.polls.size;
  }

  /** close ends waiting polls (they return empty), waits for calls in progress, and rejects new calls with CLOSED. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.polls.closeAll();
    await this.timers.close();
    await this.transactions.close();
    await this.popState.close();
    await this.queueLog.close();
  }

  private checkOpen(): void {
    if (this.closed) throw new QuiverError(QuiverErrorCode.Closed, `store node ${this.storeNodeName} is closed`);
  }
}

function queueOffsetsOf(cursors: Map<number, number>): QueueOffsets {
  return { offsets: [...cursors].map(([queueId, offset]) => ({ queueId, offset })) };
}

/** TRANSACTION_ID_BYTES_MAX bounds a transaction ID: message IDs are 34 characters, so 128 leaves room for other clients' formats. */
const TRANSACTION_ID_BYTES_MAX = 128;

function checkTransactionId(transactionId: string): void {
  if (typeof transactionId !== 'string' || transactionId === '' || Buffer.byteLength(transactionId) > TRANSACTION_ID_BYTES_MAX) {
    throw new QuiverError(QuiverErrorCode.BadRequest, `transactionId must be 1 to ${TRANSACTION_ID_BYTES_MAX} bytes`);
  }
}
