/**
 * Transactions keeps a store node's half messages until their producer resolves them
 * (PROTOCOL.md 7.12), mirroring the timer wheel of delay messages.
 *
 * A half message is appended to the node's half log (queue HALF_LOG_QUEUE_ID of the system
 * topic HALF_LOG_TOPIC) with its transaction record ('X' by transaction ID = message ID) and its
 * check key ('Y' topic nextCheckMs transactionId) in the same group-committed, fsynced batch: it
 * is durable when `prepare` resolves, and consumers never see it. Guarantees:
 * - a commit appends the message (same ID, properties, plus `__transactionId__`) to its target
 *   queue and marks the record committed in one batch: delivered exactly once per commit path;
 * - a rollback marks the record rolled back; repeating a resolution is answered OK, the opposite
 *   one is refused, both without side effects;
 * - nothing is held in memory: orphan listings read due check keys of one topic in pages;
 * - resolutions, checks and listings run one at a time, so a check never races a commit;
 * - a transaction still pending after its last check is resolved by `finalOutcome`: rolled back
 *   (Apache discards it) or committed, exactly as its producer's EndTransaction would.
 */
import { QuiverError, QuiverErrorCode, type Clock, type MessageToStore, type StoredMessage } from '@quiver/core';
import type {
  EndTransactionRequest,
  EndTransactionResult,
  OrphanedTransaction,
  PrepareTransactionRequest,
  PrepareTransactionResult,
} from '@quiver/client';
import {
  decodeTransactionCheckKey,
  decodeTransactionRecord,
  encodeTransactionRecord,
  HALF_LOG_QUEUE_ID,
  HALF_LOG_TOPIC,
  transactionCheckDueBound,
  transactionCheckKey,
  transactionCheckPrefix,
  transactionKey,
  TransactionState,
  type KeyValueOperation,
  type KeyValueStore,
  type QueueLog,
  type TransactionRecord,
} from '@quiver/storage';

import {
  ORPHANED_TRANSACTIONS_PAGE_MAX,
  TRANSACTION_CHECK_IMMUNITY_MS_DEFAULT,
  TRANSACTION_CHECK_IMMUNITY_MS_MAX,
  TRANSACTION_CHECK_INTERVAL_MS,
  TRANSACTION_CHECKS_MAX,
} from './limits';

/** TRANSACTION_ID_PROPERTY is the user property a committed message carries, as Apache's (the official tests read it). */
export const TRANSACTION_ID_PROPERTY = '__transactionId__';

/** TransactionFinalOutcome is what becomes of a transaction still unresolved after its last orphan check. */
export type TransactionFinalOutcome = 'rollback' | 'commit';

export interface TransactionsOptions {
  store: KeyValueStore;
  queueLog: QueueLog;
  clock: Clock;
  /** onCommitted is told the target topic of every committed message, to wake its long polls. */
  onCommitted: (topic: string) => void;
  /** checksMax overrides TRANSACTION_CHECKS_MAX, so specs can reach it. */
  checksMax?: number;
  /** finalOutcome resolves a transaction that used up its checks. @default 'rollback' (Apache discards it) */
  finalOutcome?: TransactionFinalOutcome;
}

export class Transactions {
  private readonly store: KeyValueStore;
  private readonly queueLog: QueueLog;
  private readonly clock: Clock;
  private readonly onCommitted: (topic: string) => void;
  private readonly checksMax: number;
  private readonly finalOutcome: TransactionFinalOutcome;
  /** serializer runs resolutions, checks and listings one at a time. */
  private serializer: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(options: TransactionsOptions) {
    this.store = options.store;
    this.queueLog = options.queueLog;
    this.clock = options.clock;
    this.onCommitted = options.onCommitted;
    this.checksMax = options.checksMax ?? TRANSACTION_CHECKS_MAX;
    this.finalOutcome = options.finalOutcome ?? 'rollback';
    if (this.finalOutcome !== 'rollback' && this.finalOutcome !== 'commit') {
      throw new TypeError(`transaction final outcome must be rollback or commit, got ${String(this.finalOutcome)}`);
    }
  }

  /** prepare stores a half message and resolves once it is durable. */
  async prepare(request: PrepareTransactionRequest): Promise<PrepareTransactionResult> {
    const transactionId = request.message.messageId;
    const immunityMs = Math.min(Math.max(0, request.checkImmunityMs ?? TRANSACTION_CHECK_IMMUNITY_MS_DEFAULT), TRANSACTION_CHECK_IMMUNITY_MS_MAX);
    const bornMs = Math.max(0, Math.floor(request.message.bornTimestampMs));
    const nextCheckMs = Math.floor(Math.max(bornMs + immunityMs, this.clock.nowMs()));
    const appended = await this.queueLog.append(HALF_LOG_TOPIC, HALF_LOG_QUEUE_ID, [request.message], {
      alongside: ([halfOffset]) => {
        const record: TransactionRecord = {
          topic: request.topic,
          queueId: request.queueId,
          halfOffset: halfOffset!,
          bornMs,
          checkCount: 0,
          nextCheckMs,
          state: TransactionState.Pending,
        };
        return [
          { type: 'put', key: transactionKey(transactionId), value: encodeTransactionRecord(record) },
          { type: 'put', key: transactionCheckKey(request.topic, nextCheckMs, transactionId), value: Buffer.alloc(0) },
        ];
      },
    });
    return { transactionId, storeTimestampMs: appended.storeTimestampMs };
  }

  /** end commits or rolls back a transaction; see StoreService.endTransaction. */
  end(request: EndTransactionRequest): Promise<EndTransactionResult> {
    return this.serialized(async () => {
      const record = await this.read(request.transactionId);
      if (record === undefined || record.topic !== request.topic) {
        throw new QuiverError(QuiverErrorCode.MessageNotFound, `no transaction ${request.transactionId} of topic ${request.topic} on this node`);
      }
      const wanted = request.resolution === 'COMMIT' ? TransactionState.Committed : TransactionState.RolledBack;
      if (record.state === wanted) return { messageId: request.transactionId };
      if (record.state !== TransactionState.Pending) {
        throw new QuiverError(QuiverErrorCode.BadRequest, `transaction ${request.transactionId} is resolved the other way already`);
      }
      await this.resolve(request.transactionId, record, wanted);
      return { messageId: request.transactionId };
    });
  }

  /** orphaned lists due, unresolved transactions of `topic`, resolving those that used up their checks by the final outcome. */
  orphaned(topic: string, limit: number): Promise<OrphanedTransaction[]> {
    return this.serialized(async () => {
      const pageEntries = Math.min(Math.max(1, Math.floor(limit)), ORPHANED_TRANSACTIONS_PAGE_MAX);
      const due = await this.store.iterate({
        gte: transactionCheckPrefix(topic),
        lt: transactionCheckDueBound(topic, this.clock.nowMs()),
        limit: pageEntries,
        keysOnly: true,
      });
      const orphans: OrphanedTransaction[] = [];
      for (const entry of due) {
        const { transactionId } = decodeTransactionCheckKey(entry.key);
        const record = await this.read(transactionId);
        if (record === undefined || record.state !== TransactionState.Pending) {
          await this.store.write([{ type: 'del', key: entry.key }], { sync: false });
          continue;
        }
        const half = await this.readHalf(record.halfOffset);
        if (record.checkCount >= this.checksMax) {
          // Apache discards a half message after its last check (a rollback); `commit` delivers it
          // instead. A half message no longer stored has nothing to deliver: it is rolled back.
          const commit = this.finalOutcome === 'commit' && half !== undefined;
          await this.resolve(transactionId, record, commit ? TransactionState.Committed : TransactionState.RolledBack);
          continue;
        }
        if (half === undefined) continue;
        orphans.push({ transactionId, checkCount: record.checkCount, message: { ...half, topic: record.topic, queueId: record.queueId } });
      }
      return orphans;
    });
  }

  /** recordCheck counts one check and schedules the next TRANSACTION_CHECK_INTERVAL_MS from now. */
  recordCheck(topic: string, transactionId: string): Promise<void> {
    return this.serialized(async () => {
      const record = await this.read(transactionId);
      if (record === undefined || record.topic !== topic || record.state !== TransactionState.Pending) return;
      const next: TransactionRecord = { ...record, checkCount: record.checkCount + 1, nextCheckMs: this.clock.nowMs() + TRANSACTION_CHECK_INTERVAL_MS };
      await this.store.write(
        [
          { type: 'del', key: transactionCheckKey(topic, record.nextCheckMs, transactionId) },
          { type: 'put', key: transactionCheckKey(topic, next.nextCheckMs, transactionId), value: Buffer.alloc(0) },
          { type: 'put', key: transactionKey(transactionId), value: encodeTransactionRecord(next) },
        ],
        { sync: true },
      );
    });
  }

  /** close waits for a resolution or listing in progress and refuses new ones. */
  async close(): Promise<void> {
    this.closed = true;
    await this.serializer.catch(() => undefined);
  }

  /** resolve applies a resolution to a pending transaction. Run it serialized. */
  private async resolve(transactionId: string, record: TransactionRecord, state: TransactionState): Promise<void> {
    const operations: KeyValueOperation[] = [
      { type: 'del', key: transactionCheckKey(record.topic, record.nextCheckMs, transactionId) },
      { type: 'put', key: transactionKey(transactionId), value: encodeTransactionRecord({ ...record, state }) },
    ];
    if (state !== TransactionState.Committed) {
      await this.store.write(operations, { sync: true });
      return;
    }
    const half = await this.readHalf(record.halfOffset);
    if (half === undefined) {
      throw new QuiverError(QuiverErrorCode.MessageNotFound, `the half message of transaction ${transactionId} is no longer stored`);
    }
    await this.queueLog.append(record.topic, record.queueId, [committedCopy(half, transactionId)], { alongside: () => operations });
    this.onCommitted(record.topic);
  }

  private async read(transactionId: string): Promise<TransactionRecord | undefined> {
    const bytes = await this.store.get(transactionKey(transactionId));
    return bytes === undefined ? undefined : decodeTransactionRecord(bytes);
  }

  private async readHalf(halfOffset: number): Promise<StoredMessage | undefined> {
    const [stored] = await this.queueLog.read(HALF_LOG_TOPIC, HALF_LOG_QUEUE_ID, halfOffset, 1);
    return stored !== undefined && stored.queueOffset === halfOffset ? stored : undefined;
  }

  private serialized<T>(work: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new QuiverError(QuiverErrorCode.Closed, 'transactions are closed'));
    const result = this.serializer.then(work);
    this.serializer = result.catch(() => undefined);
    return result;
  }
}

/** committedCopy is the half message as sent, plus its transaction ID property. */
function committedCopy(half: StoredMessage, transactionId: string): MessageToStore {
  const { topic, queueId, queueOffset, storeTimestampMs, storeHost, ...message } = half;
  return { ...message, userProperties: { ...message.userProperties, [TRANSACTION_ID_PROPERTY]: transactionId } };
}
