import type { FilterExpression, MessageToStore, PoppedMessage, StartPosition, StoredMessage } from '@quiver/core';

/**
 * StoreService is what a proxy asks of one store node. The store node implements it locally
 * (standalone) and the internal gRPC client implements it remotely (cluster); both behave the
 * same, including the errors they throw (QuiverError codes).
 */
export interface StoreService {
  /**
   * appendMessages appends all messages to one queue, atomically, and resolves once they are
   * durable (fsynced in sync flush mode) with one offset per message, in order. Pops, pulls and
   * offsets may show them a write later (once the store's index write lands: Apache's dispatch
   * lags the same way); lookups by message ID or key wait for it.
   */
  appendMessages(request: AppendRequest, signal?: AbortSignal): Promise<AppendResult>;

  /**
   * popMessages hands out up to `batchSize` visible messages of the group from queues
   * 0..queueCount-1 of the topic on this node, making each invisible for
   * `invisibleDurationMs`. With nothing to hand out it waits up to `pollTimeoutMs` for a
   * message to be stored or to become visible again (long polling) and then resolves, possibly
   * empty. An aborted signal ends the wait early with an empty result.
   */
  popMessages(request: PopRequest, signal?: AbortSignal): Promise<PopResult>;

  /** ackMessages ends the life of handed-out messages for the group; one outcome per entry. */
  ackMessages(request: AckRequest): Promise<AckResult>;

  /**
   * changeInvisibleDuration makes a handed-out message visible again after
   * `invisibleDurationMs` from now and returns its new generation; the old handle goes stale.
   * Throws QuiverError INVALID_RECEIPT_HANDLE for a stale, expired or unknown hand-out.
   */
  changeInvisibleDuration(request: ChangeInvisibleRequest): Promise<ChangeInvisibleResult>;

  /**
   * forwardToDeadLetterQueue copies a handed-out message to `deadLetterTopic` on this node and
   * acks the original. Throws INVALID_RECEIPT_HANDLE like changeInvisibleDuration.
   */
  forwardToDeadLetterQueue(request: ForwardToDeadLetterRequest): Promise<void>;

  /**
   * scheduleMessages stores delay messages durably (like appendMessages) and delivers each to
   * the queue at its `deliveryTimestampMs` (at once when absent or past), never earlier. Resolves
   * with one timer per message, in order.
   */
  scheduleMessages(request: AppendRequest, signal?: AbortSignal): Promise<ScheduleResult>;

  /**
   * recallMessage cancels a scheduled message before delivery and resolves with its ID. Throws
   * MESSAGE_NOT_FOUND when it was delivered or recalled already, BAD_REQUEST when the timer
   * belongs to another topic.
   */
  recallMessage(request: RecallRequest): Promise<RecallResult>;

  /**
   * prepareTransaction stores one half message durably (like appendMessages), invisible to
   * consumers until endTransaction commits it to topic/queueId. Its transaction ID is its message ID.
   */
  prepareTransaction(request: PrepareTransactionRequest, signal?: AbortSignal): Promise<PrepareTransactionResult>;

  /**
   * endTransaction commits (appends the message to its queue) or rolls back (discards) a half
   * message. Repeating the same resolution is OK without side effects. Throws MESSAGE_NOT_FOUND
   * for a transaction this node does not hold (or of another topic), BAD_REQUEST for the
   * opposite resolution of a resolved one.
   */
  endTransaction(request: EndTransactionRequest): Promise<EndTransactionResult>;

  /**
   * orphanedTransactions lists up to `limit` unresolved transactions of `topic` whose next check
   * is due, oldest due first. Those that used up their checks are resolved by the node instead.
   */
  orphanedTransactions(request: OrphanedTransactionsRequest): Promise<OrphanedTransactionsResult>;

  /** recordTransactionCheck counts a check sent to a producer and schedules the next one; unknown or resolved transactions are ignored. */
  recordTransactionCheck(request: RecordTransactionCheckRequest): Promise<void>;

  /**
   * seedOffsets fixes where the group starts on each named queue it never consumed, resolving
   * `start` now; queues it consumed keep their offset. Resolves with every named queue's offset
   * (the next one the group gets). Also GetOffset: seeding one queue reads its offset.
   */
  seedOffsets(request: OffsetsRequest): Promise<QueueOffsets>;

  /**
   * resetOffsets moves the group on each named queue to `start` (back or forward) and forgets its
   * in-flight messages there; consumption continues from the new offsets, which it resolves with.
   */
  resetOffsets(request: OffsetsRequest): Promise<QueueOffsets>;

  /** commitOffset sets the group's next offset on one queue (UpdateOffset). BAD_REQUEST past the queue's end. */
  commitOffset(request: CommitOffsetRequest): Promise<void>;

  /** queryOffset resolves the queue's first offset, its end, or the first offset stored at or after a moment. */
  queryOffset(request: QueryOffsetRequest): Promise<number>;

  /**
   * pullMessages reads up to `batchSize` messages of one queue from `offset` that pass the filter,
   * without any group state (PullMessage). With none to return it waits up to `pollTimeoutMs` for
   * one to be stored. An offset below the queue's first is read from the first; past its end,
   * BAD_REQUEST. An aborted signal ends the wait with what was found.
   */
  pullMessages(request: PullRequest, signal?: AbortSignal): Promise<PullResult>;
}

export interface OffsetsRequest {
  group: string;
  topic: string;
  queueIds: number[];
  start: StartPosition;
}

export interface QueueOffsets {
  offsets: Array<{ queueId: number; offset: number }>;
}

export interface CommitOffsetRequest {
  group: string;
  topic: string;
  queueId: number;
  offset: number;
}

export const OffsetQueryPolicy = { Beginning: 'BEGINNING', End: 'END', Timestamp: 'TIMESTAMP' } as const;
export type OffsetQueryPolicy = (typeof OffsetQueryPolicy)[keyof typeof OffsetQueryPolicy];

export interface QueryOffsetRequest {
  topic: string;
  queueId: number;
  policy: OffsetQueryPolicy;
  /** timestampMs is the moment of a TIMESTAMP query. */
  timestampMs?: number;
}

export interface PullRequest {
  topic: string;
  queueId: number;
  offset: number;
  batchSize: number;
  filter: FilterExpression;
  pollTimeoutMs: number;
}

export interface PullResult {
  messages: StoredMessage[];
  /** nextOffset is where the next pull of the queue continues: past every message this one scanned, filtered-out ones included. */
  nextOffset: number;
  minOffset: number;
  /** maxOffset is the queue's end: one past its last message. */
  maxOffset: number;
}

export interface PrepareTransactionRequest {
  topic: string;
  queueId: number;
  message: MessageToStore;
  /** checkImmunityMs is how long after its born time the producer is first asked to check it. @default 6000 */
  checkImmunityMs?: number;
}

export interface PrepareTransactionResult {
  transactionId: string;
  storeTimestampMs: number;
}

export const TransactionResolution = { Commit: 'COMMIT', Rollback: 'ROLLBACK' } as const;
export type TransactionResolution = (typeof TransactionResolution)[keyof typeof TransactionResolution];

export interface EndTransactionRequest {
  topic: string;
  transactionId: string;
  resolution: TransactionResolution;
}

export interface EndTransactionResult {
  messageId: string;
}

export interface OrphanedTransactionsRequest {
  topic: string;
  limit: number;
}

/** OrphanedTransaction is an unresolved half message whose producer is due to be asked; `message` names its target queue. */
export interface OrphanedTransaction {
  transactionId: string;
  checkCount: number;
  message: StoredMessage;
}

export interface OrphanedTransactionsResult {
  transactions: OrphanedTransaction[];
}

export interface RecordTransactionCheckRequest {
  topic: string;
  transactionId: string;
}

/** ScheduledTimer names one scheduled message on its store node: its due time and its offset in the node's timer log. */
export interface ScheduledTimer {
  dueMs: number;
  timerOffset: number;
}

export interface ScheduleResult {
  timers: ScheduledTimer[];
}

export interface RecallRequest extends ScheduledTimer {
  topic: string;
}

export interface RecallResult {
  messageId: string;
}

export interface AppendRequest {
  topic: string;
  queueId: number;
  messages: MessageToStore[];
}

export interface AppendResult {
  offsets: number[];
  storeTimestampMs: number;
}

export interface PopRequest {
  group: string;
  topic: string;
  queueCount: number;
  batchSize: number;
  invisibleDurationMs: number;
  filter: FilterExpression;
  pollTimeoutMs: number;
  /**
   * maxDeliveryAttempts: a message already delivered this many times to the group is moved to
   * the group's dead-letter topic instead of being delivered again. Default 17.
   */
  maxDeliveryAttempts?: number;
  /**
   * fifo hands out each message group's messages one at a time in order: the next only after the
   * previous is acked or dead-lettered. For FIFO groups on FIFO topics. Default false.
   */
  fifo?: boolean;
  /** start is where the group starts on a queue it never consumed. Default: the store node's (earliest). */
  start?: StartPosition;
}

export interface PopResult {
  messages: PoppedMessage[];
  /** deadLettered counts messages this pop moved to the group's dead-letter topic (absent: none). */
  deadLettered?: number;
}

/** HandOut identifies one hand-out of one message to a group: what a receipt handle carries. */
export interface HandOut {
  queueId: number;
  offset: number;
  popGeneration: number;
}

export interface AckRequest {
  group: string;
  topic: string;
  entries: HandOut[];
}

export const AckOutcome = {
  Ok: 'OK',
  InvalidReceiptHandle: 'INVALID_RECEIPT_HANDLE',
} as const;
export type AckOutcome = (typeof AckOutcome)[keyof typeof AckOutcome];

export interface AckResult {
  outcomes: AckOutcome[];
}

export interface ChangeInvisibleRequest extends HandOut {
  group: string;
  topic: string;
  invisibleDurationMs: number;
  /**
   * keepGeneration extends the hand-out under its current generation, so the handle the client
   * already holds stays valid: the proxy's auto-renew of push consumers' messages. Default false.
   */
  keepGeneration?: boolean;
}

export interface ChangeInvisibleResult {
  popGeneration: number;
  invisibleUntilMs: number;
}

export interface ForwardToDeadLetterRequest extends HandOut {
  group: string;
  topic: string;
  deadLetterTopic: string;
}
