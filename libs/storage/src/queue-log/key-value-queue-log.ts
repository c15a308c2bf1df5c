/**
 * KeyValueQueueLog is the QueueLog kept in a KeyValueStore (LevelDB in production) with the
 * layout of layout.ts.
 *
 * Group commit: appends queue up while one write batch is in flight; when it lands, everything
 * that queued meanwhile (up to GROUP_COMMIT_MESSAGES_MAX / GROUP_COMMIT_BYTES_MAX) goes out as
 * the next single batch with one fsync. An append arriving when nothing is in flight is written
 * at once. Offsets are assigned when a batch is built; one batch is in flight at a time, so the
 * committed next offset of every queue is known exactly. A queue's meta (its next offset) is
 * written in the same batch as its records, so both land or neither does.
 *
 * Integrity: reads check every record's checksum, its identity (topic, queue, offset) and that
 * the offsets are dense; open checks each queue's registry, meta and tail. Any defect marks
 * the queue CORRUPTED (RELIABILITY.md 1.2: LevelDB may have dropped part of its log), and the
 * queue stops serving reads and appends; it is never read around.
 *
 * A failed write may still have applied (an fsync error after the log write). The log then
 * re-reads the affected queues' meta before the next batch, so it never reuses an offset or an
 * internal queue id that may be on disk; index entries left by such a write are recognized by
 * checking the record they point to.
 *
 * Record log: given a `recordLog` (a store node always gives one), the records of a batch of
 * at least RECORD_LOG_BATCH_BYTES_MIN go there at a store-wide sequence (a store node's is the
 * commit log, FileRecordLog), out of LevelDB's compaction; smaller batches stay inline. A logged batch is two
 * writes: the records, fsynced, then the index (pointers, meta, index keys and what was written
 * alongside), not fsynced; open replays the records the index lacks. Logged batches are
 * pipelined: once a batch's records are durable the next batch is cut, encoded and its records
 * written while the first batch's index write runs. Each kind of write runs one at a time in
 * batch order, at most one index write lags the record writes, and a batch is applied to memory
 * (made readable) only after its index write, in batch order. Its appends are acknowledged then,
 * or, those that ask for it (sends), once its records are durable: the index write adds
 * readability, not durability. A failed index write after such an acknowledgement is repaired
 * by replaying the record log at once. A read of a recent append
 * finds its sequences in memory (SequenceRuns) and costs one record-log read; an older one reads
 * the pointers first.
 *
 * Tail reads: the records of recently committed batches are copied into one fixed ring of
 * RECENT_RECORDS_BYTES_MAX bytes (RecentRecords), so a consumer that keeps up reads them without a
 * LevelDB call; every record is still checked by decodeChecked. The ring retains no record Buffers:
 * retained records outlived two scavenges, were promoted, and their backing memory waited for a
 * mark-compact (the standalone server's RSS grew by ~90 MiB with a 32 MiB budget). Anything that
 * casts doubt on what the store holds (a corrupted queue, a failed write) drops them all.
 */
import { assert, QuiverError, QuiverErrorCode } from '@quiver/core';
import type { Clock, MessageToStore, StoredMessage } from '@quiver/core';

import { RecordDecodeError } from '../bytes';
import type { KeyValueOperation, KeyValueStore } from '../kv/key-value-store';
import { forEachPage } from '../kv/scan';
import {
  decodeLayoutMarker,
  decodeMessagePointer,
  decodeOperationsRecord,
  decodeRecordLogPosition,
  encodeMessagePointer,
  encodeOperationsRecord,
  encodeRecordLogPosition,
  isMessagePointer,
  isOperationsRecord,
  LAYOUT_VERSIONS_READABLE,
  recordLogPositionKey,
  decodeMessageIdIndexKey,
  decodeKeyIndexKey,
  decodeMessageKey,
  decodeQueueMeta,
  decodeQueueMetaKey,
  decodeQueueRegistryKey,
  decodeQueueRegistryRecord,
  decodeStoreMeta,
  encodeLayoutMarker,
  encodeQueueMeta,
  encodeQueueRegistryRecord,
  encodeStoreMeta,
  keyIndexKey,
  keyIndexTimeBound,
  LAYOUT_VERSION,
  layoutMarkerKey,
  messageIdIndexKey,
  messageIdIndexPrefix,
  messageKey,
  prefixUpperBound,
  queueMessagesPrefix,
  queueMetaKey,
  queueMetaPrefix,
  queueRegistryKey,
  queueRegistryPrefix,
  storeMetaKey,
} from '../layout';
import {
  APPEND_BYTES_MAX,
  APPEND_MESSAGES_MAX,
  APPEND_PENDING_REQUESTS_MAX,
  GROUP_COMMIT_BYTES_MAX,
  GROUP_COMMIT_MESSAGES_MAX,
  LOOKUP_MESSAGES_MAX,
  QUEUE_INTERNAL_ID_MAX,
  READ_MESSAGES_MAX,
  RECENT_RECORDS_BYTES_MAX,
  RECORD_LOG_BATCH_BYTES_MIN,
  SEQUENCE_RUNS_MAX,
} from '../limits';
import { checkMessageToStore, decodeMessageRecord, encodePlacedMessageRecord, type Placement } from '../message-record';
import type { RecordLog } from '../record-log/record-log';
import type { AppendedMessages, AppendOptions, CorruptedQueue, FlushMode, KeyQuery, QueueLog } from './queue-log';

export interface KeyValueQueueLogOptions {
  /** store holds the queues' index, meta and everything appended alongside messages; without `recordLog`, the records too. */
  store: KeyValueStore;
  /**
   * recordLog, when given, holds the message records in append order (the record log of
   * layout.ts): it is written and fsynced first, `store` after it without an fsync, and open
   * replays into `store` what it lacks. A store node passes a FileRecordLog here.
   */
  recordLog?: RecordLog;
  /** recordLogBatchBytesMin overrides RECORD_LOG_BATCH_BYTES_MIN, so specs can log every batch (0). */
  recordLogBatchBytesMin?: number;
  clock: Clock;
  /** storeHost is recorded on every stored message (`ip:port` of the store node). */
  storeHost: string;
  /** flushMode decides whether a write batch is fsynced before its appends resolve. @default 'sync' */
  flushMode?: FlushMode;
  /** groupCommitMessagesMax overrides GROUP_COMMIT_MESSAGES_MAX, so specs can reach the bound. */
  groupCommitMessagesMax?: number;
  /** recentRecordsBytesMax is the size of the ring of recently committed records that serves tail reads; 0 turns it off. @default RECENT_RECORDS_BYTES_MAX */
  recentRecordsBytesMax?: number;
}

interface QueueState {
  internalId: number;
  topic: string;
  queueId: number;
  minOffset: number;
  /** nextOffset is the committed next offset: every offset in [minOffset, nextOffset) is stored. */
  nextOffset: number;
}

interface PendingAppend {
  topic: string;
  queueId: number;
  messages: readonly MessageToStore[];
  alongside: AppendOptions['alongside'];
  /** acknowledgedWhenDurable: the append resolves once its records are durable, before its index write (a logged batch only). */
  acknowledgedWhenDurable: boolean;
  estimatedBytes: number;
  resolve: (result: AppendedMessages) => void;
  reject: (error: unknown) => void;
}

/** VISIBLE_NOW is the `visible` of an append acknowledged once readable. */
const VISIBLE_NOW: Promise<void> = Promise.resolve();

/** An append of a batch being committed: where its messages went. */
interface AcceptedAppend {
  append: PendingAppend;
  queue: QueueState;
  offsets: number[];
  /** records are the encoded records, kept for RecentRecords (undefined when it is off). */
  records: Buffer[] | undefined;
  firstSequence: number;
  /** markVisible resolves the `visible` of an append acknowledged once durable; set when it is acknowledged. */
  markVisible?: () => void;
}

/** A batch encoded and being written: what its index write holds and what applying it changes. */
interface CommittedBatch {
  /** number orders the batches of this log: a batch builds on the offsets of every lower one. */
  number: number;
  accepted: AcceptedAppend[];
  /** operations is the index write: inline records or pointers, meta, index keys, alongside operations. */
  operations: KeyValueOperation[];
  nextOffsets: Map<QueueState, number>;
  created: Map<string, QueueState>;
  storeTimestampMs: number;
}

/** REPLAY_PAGE_ENTRIES is how many record-log entries one replay step reads and indexes in one write. */
const REPLAY_PAGE_ENTRIES = 1_000;

/** RECORD_OVERHEAD_BYTES_ESTIMATE covers a record's fixed fields and its index keys when sizing batches. */
const RECORD_OVERHEAD_BYTES_ESTIMATE = 256;

export class KeyValueQueueLog implements QueueLog {
  private readonly queues = new Map<string, QueueState>();
  private readonly queuesByInternalId = new Map<number, QueueState>();
  /** corrupted holds the queues that stopped serving, by queueKey; a queue named only by a damaged record is fenced too. */
  private readonly corrupted = new Map<string, CorruptedQueue>();
  /** unattributed holds damage that names no queue (every record naming it is gone). */
  private readonly unattributed: CorruptedQueue[] = [];
  private readonly store: KeyValueStore;
  private readonly recordLog: RecordLog | undefined;
  private readonly recordLogBatchBytesMin: number;
  /** nextSequence is the record-log sequence of the next record; sequences of a failed write are never reused. */
  private nextSequence = 0;
  private readonly clock: Clock;
  private readonly storeHost: string;
  private readonly flushMode: FlushMode;
  private readonly groupCommitMessagesMax: number;
  private readonly recent: RecentRecords | undefined;
  /** sequenceRuns remembers where recent appends' records are in the record log; only with a record log. */
  private readonly sequenceRuns: SequenceRuns | undefined;
  /** nextQueueInternalId is the next internal id to hand out; ids are taken when a batch is written, never reused. */
  private nextQueueInternalId = 0;
  private pending: PendingAppend[] = [];
  private flushing: Promise<void> | undefined;
  /** indexTail settles when every logged batch's index stage (index write, apply, acknowledge) scheduled so far has. */
  private indexTail: Promise<void> = Promise.resolve();
  /** indexTailBeforeLast is indexTail as it was before the last index stage was chained: what the next batch waits for. */
  private indexTailBeforeLast: Promise<void> = Promise.resolve();
  /** indexStagesPending counts the index stages chained and not yet settled. */
  private indexStagesPending = 0;
  /** batchesCut numbers the batches; earliestFailedBatch is the lowest whose write failed since the last resync. */
  private batchesCut = 0;
  private earliestFailedBatch = Number.POSITIVE_INFINITY;
  /** tipNextOffsets holds the next offset of queues past batches written but not yet applied to memory. */
  private readonly tipNextOffsets = new Map<QueueState, number>();
  /** tipCreated holds queues created by batches written but not yet applied, by queueKey. */
  private readonly tipCreated = new Map<string, QueueState>();
  /** resyncNeeded is set after a failed write: the failed batch may have applied. */
  private resyncNeeded = false;
  /** unindexedAcknowledged holds the markVisible of acknowledged appends whose index write failed: the resync's replay makes them readable. */
  private unindexedAcknowledged: Array<() => void> = [];
  private closed = false;

  private constructor(options: KeyValueQueueLogOptions) {
    this.store = options.store;
    this.recordLog = options.recordLog;
    this.recordLogBatchBytesMin = options.recordLogBatchBytesMin ?? RECORD_LOG_BATCH_BYTES_MIN;
    this.clock = options.clock;
    this.storeHost = options.storeHost;
    this.flushMode = options.flushMode ?? 'sync';
    this.groupCommitMessagesMax = options.groupCommitMessagesMax ?? GROUP_COMMIT_MESSAGES_MAX;
    assert(
      this.groupCommitMessagesMax >= 1 && this.groupCommitMessagesMax <= GROUP_COMMIT_MESSAGES_MAX,
      `groupCommitMessagesMax ${this.groupCommitMessagesMax} outside 1..${GROUP_COMMIT_MESSAGES_MAX}`,
    );
    const recentRecordsBytesMax = options.recentRecordsBytesMax ?? RECENT_RECORDS_BYTES_MAX;
    assert(Number.isSafeInteger(recentRecordsBytesMax) && recentRecordsBytesMax >= 0, `recentRecordsBytesMax ${recentRecordsBytesMax} is not a byte count`);
    this.recent = recentRecordsBytesMax > 0 ? new RecentRecords(recentRecordsBytesMax) : undefined;
    this.sequenceRuns = this.recordLog !== undefined ? new SequenceRuns(SEQUENCE_RUNS_MAX) : undefined;
  }

  /**
   * open loads every queue's committed extent and checks it: registry and meta agree, the tail
   * record is present and valid, nothing is stored past the next offset. Queues that fail are
   * marked corrupted; the log still opens so healthy queues keep serving.
   */
  static async open(options: KeyValueQueueLogOptions): Promise<KeyValueQueueLog> {
    const log = new KeyValueQueueLog(options);
    await log.checkLayoutMarker();
    await log.loadQueues();
    await log.replayRecordLog();
    return log;
  }

  append(topic: string, queueId: number, messages: readonly MessageToStore[], options: AppendOptions = {}): Promise<AppendedMessages> {
    if (this.closed) return Promise.reject(new QuiverError(QuiverErrorCode.Closed, 'queue log is closed'));
    if (messages.length === 0 || messages.length > APPEND_MESSAGES_MAX) {
      return Promise.reject(new QuiverError(QuiverErrorCode.BadRequest, `an append holds 1 to ${APPEND_MESSAGES_MAX} messages, got ${messages.length}`));
    }
    if (this.corrupted.has(queueKey(topic, queueId))) return Promise.reject(this.corruptedError(topic, queueId));
    if (this.pending.length >= APPEND_PENDING_REQUESTS_MAX) {
      return Promise.reject(new QuiverError(QuiverErrorCode.TooManyRequests, 'too many appends waiting for the group commit', { retriable: true }));
    }
    let estimatedBytes = 0;
    for (const message of messages) {
      // Check before queueing, so a malformed message fails its own caller, not its batch.
      checkMessageToStore(message, topic, queueId, this.storeHost);
      estimatedBytes += estimateRecordBytes(message);
    }
    if (estimatedBytes > APPEND_BYTES_MAX) {
      return Promise.reject(new QuiverError(QuiverErrorCode.BadRequest, `an append holds at most ${APPEND_BYTES_MAX} bytes, got about ${estimatedBytes}`));
    }
    const acknowledgedWhenDurable = options.acknowledge === 'durable';
    if (acknowledgedWhenDurable && options.alongside !== undefined) {
      return Promise.reject(new QuiverError(QuiverErrorCode.BadRequest, "an append with operations alongside is acknowledged once visible, not 'durable'"));
    }
    return new Promise<AppendedMessages>((resolve, reject) => {
      this.pending.push({ topic, queueId, messages, alongside: options.alongside, acknowledgedWhenDurable, estimatedBytes, resolve, reject });
      if (this.flushing === undefined) this.flushing = this.flushPending();
    });
  }

  async read(topic: string, queueId: number, fromOffset: number, maxCount: number): Promise<StoredMessage[]> {
    this.checkOpen();
    if (!Number.isSafeInteger(fromOffset) || fromOffset < 0) throw new QuiverError(QuiverErrorCode.BadRequest, `bad offset ${fromOffset}`);
    if (!Number.isInteger(maxCount) || maxCount < 1 || maxCount > READ_MESSAGES_MAX) {
      throw new QuiverError(QuiverErrorCode.BadRequest, `a read returns 1 to ${READ_MESSAGES_MAX} messages, asked ${maxCount}`);
    }
    const queue = this.queues.get(queueKey(topic, queueId));
    if (queue === undefined) return [];
    this.throwIfCorrupted(queue);
    const from = Math.max(fromOffset, queue.minOffset);
    const end = Math.min(queue.nextOffset, from + maxCount);
    if (from >= end) return [];
    // Recently committed records come from memory; the rest are point reads of the known dense
    // keys: one LevelDB call, where an iterator costs three (open, next, close), and each costs a
    // thread-pool round trip (docs/performance.md).
    const records = new Array<Buffer | undefined>(end - from);
    // Remembered records are copied out of the ring (which later appends overwrite): decoded bodies are views of them.
    const remembered = this.recent?.copyOut(queue.internalId, from, records) ?? 0;
    if (remembered < records.length) {
      const missing: number[] = [];
      const keys: Buffer[] = [];
      const sequences: number[] = [];
      for (let index = 0; index < records.length; index++) {
        if (records[index] !== undefined) continue;
        missing.push(index);
        const sequence = this.sequenceRuns?.sequenceOf(queue.internalId, from + index);
        // All or nothing: a read is one call either way (the record log, or the index).
        if (sequence !== undefined && sequences.length === keys.length) sequences.push(sequence);
        keys.push(messageKey(queue.internalId, from + index));
      }
      const fetched =
        sequences.length === keys.length ? await this.recordLog!.getMany(sequences) : await this.resolvePointers(await this.store.getMany(keys));
      for (let position = 0; position < missing.length; position++) records[missing[position]!] = fetched[position];
    }
    this.throwIfCorrupted(queue);
    const messages: StoredMessage[] = [];
    for (let offset = from; offset < end; offset++) {
      const record = records[offset - from];
      if (record === undefined) {
        throw this.markCorrupted(queue, `message at offset ${offset} is missing below the committed next offset ${queue.nextOffset}`, offset);
      }
      messages.push(this.decodeChecked(queue, offset, record));
    }
    return messages;
  }

  nextOffset(topic: string, queueId: number): number {
    return this.queues.get(queueKey(topic, queueId))?.nextOffset ?? 0;
  }

  minOffset(topic: string, queueId: number): number {
    return this.queues.get(queueKey(topic, queueId))?.minOffset ?? 0;
  }

  queueExists(topic: string, queueId: number): boolean {
    return this.queues.has(queueKey(topic, queueId));
  }

  async findByMessageId(messageId: string, maxCount: number): Promise<StoredMessage[]> {
    this.checkOpen();
    checkLookupCount(maxCount);
    // Appends acknowledged once durable may still be on their way into the index.
    await this.indexTail;
    const prefix = messageIdIndexPrefix(messageId);
    const entries = await this.store.iterate({ gte: prefix, lt: prefixUpperBound(prefix), limit: maxCount, keysOnly: true });
    const locations = entries.map((entry) => decodeMessageIdIndexKey(entry.key));
    const messages = await this.fetchIndexed(locations);
    return messages.filter((message) => message.messageId === messageId);
  }

  async findByKey(topic: string, key: string, query: KeyQuery): Promise<StoredMessage[]> {
    this.checkOpen();
    checkLookupCount(query.maxCount);
    if (!Number.isSafeInteger(query.beginTimestampMs) || !Number.isSafeInteger(query.endTimestampMs) || query.beginTimestampMs < 0) {
      throw new QuiverError(QuiverErrorCode.BadRequest, 'key query times are non-negative integers');
    }
    if (query.endTimestampMs <= query.beginTimestampMs) return [];
    await this.indexTail;
    const entries = await this.store.iterate({
      gte: keyIndexTimeBound(topic, key, query.beginTimestampMs),
      lt: keyIndexTimeBound(topic, key, query.endTimestampMs),
      limit: query.maxCount,
      keysOnly: true,
    });
    const locations = entries.map((entry) => decodeKeyIndexKey(entry.key));
    const messages = await this.fetchIndexed(locations);
    return messages.filter((message) => message.topic === topic && message.keys.includes(key));
  }

  corruptedQueues(): CorruptedQueue[] {
    return [...this.corrupted.values(), ...this.unattributed].map((entry) => ({ ...entry }));
  }

  isQueueCorrupted(topic: string, queueId: number): boolean {
    return this.corrupted.has(queueKey(topic, queueId));
  }

  async close(): Promise<void> {
    this.closed = true;
    while (this.flushing !== undefined) await this.flushing;
    await this.indexTail;
    this.recent?.release();
  }

  // Group commit.

  /**
   * flushPending writes pending appends as batches until none is left; only one runs at a time.
   * With nothing pending it re-indexes what a failed index write left unreadable (one try; the
   * next append's batch tries again).
   */
  private async flushPending(): Promise<void> {
    let resyncFailed = false;
    try {
      for (;;) {
        if (this.pending.length > 0) {
          const { batch, estimatedBytes } = this.takeBatch();
          await this.commit(batch, estimatedBytes);
          // Under load (appends queued while the batch was written), let the I/O callbacks already
          // due in this event-loop turn (requests read from sockets) add their appends before the
          // next batch is cut: one setImmediate per batch, never per append, and none when idle.
          if (this.pending.length > 0) await nextLoopTurn();
          continue;
        }
        if (resyncFailed || !this.resyncNeeded || this.unindexedAcknowledged.length === 0 || this.closed) break;
        try {
          await this.resync();
        } catch {
          resyncFailed = true;
        }
      }
    } finally {
      this.flushing = undefined;
    }
  }

  /** takeBatch removes the next batch from the pending list: at least one append, then as many as fit. */
  private takeBatch(): { batch: PendingAppend[]; estimatedBytes: number } {
    let taken = 0;
    let messageCount = 0;
    let byteCount = 0;
    while (taken < this.pending.length) {
      const next = this.pending[taken]!;
      const fits = messageCount + next.messages.length <= this.groupCommitMessagesMax && byteCount + next.estimatedBytes <= GROUP_COMMIT_BYTES_MAX;
      if (taken > 0 && !fits) break;
      taken += 1;
      messageCount += next.messages.length;
      byteCount += next.estimatedBytes;
    }
    return { batch: this.pending.splice(0, taken), estimatedBytes: byteCount };
  }

  /**
   * commit writes one batch (of about `estimatedBytes`) and settles its appends; it never throws.
   * A logged batch returns once its records are durable, its index stage chained on indexTail;
   * an inline batch returns once it is written and settled.
   */
  private async commit(batch: PendingAppend[], estimatedBytes: number): Promise<void> {
    const logged = this.recordLog !== undefined && estimatedBytes >= this.recordLogBatchBytesMin;
    // An inline batch is one write to the index store, which must land after every earlier index
    // write; a logged one may overlap the index write of the batch before it, no more.
    // (No await when nothing lags: an idle log writes an append at once.)
    if (logged ? this.indexStagesPending > 1 : this.indexStagesPending > 0) await (logged ? this.indexTailBeforeLast : this.indexTail);
    try {
      if (this.resyncNeeded) await this.resync();
    } catch (error) {
      for (const append of batch) append.reject(asStoreError(error, 'resync after a failed write'));
      return;
    }
    const storeTimestampMs = this.clock.nowMs();
    const operations: KeyValueOperation[] = [];
    // With a record log, a batch large enough goes there in sequence order and `operations` (the
    // index) points at it. A small one stays inline, one fsynced write: a second write costs a
    // thread-pool hop per batch, and a light load's records cost compaction little.
    const loggedRecords: Buffer[] = [];
    const firstLoggedSequence = this.nextSequence;
    let sequence = firstLoggedSequence;
    const nextOffsets = new Map<QueueState, number>();
    const created = new Map<string, QueueState>();
    const accepted: AcceptedAppend[] = [];
    let nextQueueInternalId = this.nextQueueInternalId;
    try {
      for (const append of batch) {
        const key = queueKey(append.topic, append.queueId);
        if (this.corrupted.has(key)) {
          append.reject(this.corruptedError(append.topic, append.queueId));
          continue;
        }
        // A queue may have been created, and moved on, by an earlier batch not yet applied (the tip).
        let queue = this.queues.get(key) ?? this.tipCreated.get(key) ?? created.get(key);
        if (queue === undefined) {
          assert(nextQueueInternalId <= QUEUE_INTERNAL_ID_MAX, 'internal queue ids exhausted');
          queue = { internalId: nextQueueInternalId++, topic: append.topic, queueId: append.queueId, minOffset: 0, nextOffset: 0 };
          created.set(key, queue);
          operations.push({ type: 'put', key: queueRegistryKey(queue.topic, queue.queueId), value: encodeQueueRegistryRecord(queue.internalId) });
        }
        let offset = nextOffsets.get(queue) ?? this.tipNextOffsets.get(queue) ?? queue.nextOffset;
        const offsets: number[] = [];
        const records = this.recent !== undefined ? ([] as Buffer[]) : undefined;
        const firstSequence = sequence;
        const placement: Placement = { topic: queue.topic, queueId: queue.queueId, queueOffset: offset, storeTimestampMs, storeHost: this.storeHost };
        for (const message of append.messages) {
          placement.queueOffset = offset;
          // The encoder checks the record before it is written; decodeChecked checks it after it is read.
          const record = encodePlacedMessageRecord(message, placement);
          if (logged) {
            loggedRecords.push(record);
            operations.push({ type: 'put', key: messageKey(queue.internalId, offset), value: encodeMessagePointer(sequence) });
            sequence += 1;
          } else {
            operations.push({ type: 'put', key: messageKey(queue.internalId, offset), value: record });
          }
          pushIndexOperations(operations, queue, message, offset, storeTimestampMs);
          offsets.push(offset);
          records?.push(record);
          offset += 1;
        }
        assert(Number.isSafeInteger(offset), 'queue offsets exhausted');
        if (append.alongside !== undefined) {
          const alongside = append.alongside(offsets);
          operations.push(...alongside);
          // Logged too, so a replay restores them with the messages they were written with.
          if (logged && alongside.length > 0) {
            loggedRecords.push(encodeOperationsRecord(alongside));
            sequence += 1;
          }
        }
        nextOffsets.set(queue, offset);
        accepted.push({ append, queue, offsets, records, firstSequence });
      }
      if (accepted.length === 0) return;
      for (const [queue, nextOffset] of nextOffsets) {
        operations.push({ type: 'put', key: queueMetaKey(queue.internalId), value: encodeQueueMeta({ ...queue, nextOffset }) });
      }
      if (nextQueueInternalId !== this.nextQueueInternalId) {
        operations.push({ type: 'put', key: storeMetaKey(), value: encodeStoreMeta({ nextQueueInternalId }) });
      }
      if (logged) operations.push({ type: 'put', key: recordLogPositionKey(), value: encodeRecordLogPosition(sequence) });
    } catch (error) {
      // Encoding is checked at append time, so this is a bug; fail the batch loudly rather than hang it.
      for (const { append } of accepted) append.reject(error);
      for (const append of batch) append.reject(error);
      return;
    }
    // Taken even if the write fails: it may have applied, and neither is ever written twice.
    this.nextSequence = sequence;
    this.nextQueueInternalId = nextQueueInternalId;
    const committed: CommittedBatch = { number: this.batchesCut++, accepted, operations, nextOffsets, created, storeTimestampMs };
    if (!logged) {
      try {
        await this.store.write(operations, { sync: this.flushMode === 'sync' });
      } catch (error) {
        this.failCommitted(committed, error);
        return;
      }
      this.apply(committed, false);
      return;
    }
    for (const [key, queue] of created) this.tipCreated.set(key, queue);
    for (const [queue, nextOffset] of nextOffsets) this.tipNextOffsets.set(queue, nextOffset);
    try {
      await this.recordLog!.append(firstLoggedSequence, loggedRecords, { sync: this.flushMode === 'sync' });
    } catch (error) {
      this.failCommitted(committed, error);
      return;
    }
    // Durable: appends that asked for it are acknowledged now; the index write below makes them readable.
    for (const entry of accepted) {
      if (!entry.append.acknowledgedWhenDurable) continue;
      const visible = new Promise<void>((resolve) => {
        entry.markVisible = resolve;
      });
      entry.append.resolve({ offsets: entry.offsets, storeTimestampMs, visible });
    }
    const before = this.indexTail;
    this.indexTailBeforeLast = before;
    this.indexStagesPending += 1;
    this.indexTail = before
      .then(() => this.indexStage(committed))
      .catch((error: unknown) => {
        // A bug (an assertion in apply): fail the batch loudly and keep the chain going for the next.
        for (const { append } of committed.accepted) append.reject(error);
      })
      .finally(() => {
        this.indexStagesPending -= 1;
      });
  }

  /** indexStage writes a logged batch's index (not fsynced: what a crash takes, open replays from the record log), then applies it. */
  private async indexStage(committed: CommittedBatch): Promise<void> {
    if (committed.number > this.earliestFailedBatch) {
      // A batch this one builds on failed: its records are durable, and the resync replays them.
      const failure = new QuiverError(QuiverErrorCode.StoreUnavailable, 'an earlier write of the group commit failed', { retriable: true });
      for (const { append } of committed.accepted) append.reject(failure);
      this.keepAcknowledgedForResync(committed);
      return;
    }
    try {
      await this.store.write(committed.operations, { sync: false });
    } catch (error) {
      this.failCommitted(committed, error);
      return;
    }
    this.apply(committed, true);
  }

  /** failCommitted rejects a batch whose write failed; the next batch resyncs first, as the write may have applied. */
  private failCommitted(committed: CommittedBatch, error: unknown): void {
    this.resyncNeeded = true;
    this.earliestFailedBatch = Math.min(this.earliestFailedBatch, committed.number);
    // The resync may move queues past offsets the log has not seen; start remembering afresh.
    this.recent?.clear();
    this.sequenceRuns?.clear();
    const failure = asStoreError(error, 'append write');
    for (const { append } of committed.accepted) append.reject(failure);
    this.keepAcknowledgedForResync(committed);
  }

  /**
   * keepAcknowledgedForResync remembers the appends of a batch that were acknowledged (durable)
   * but not indexed: the resync replays their records and makes them readable. It starts one
   * now rather than at the next append, which may never come.
   */
  private keepAcknowledgedForResync(committed: CommittedBatch): void {
    let kept = false;
    for (const { markVisible } of committed.accepted) {
      if (markVisible === undefined) continue;
      this.unindexedAcknowledged.push(markVisible);
      kept = true;
    }
    if (kept && this.flushing === undefined && !this.closed) this.flushing = this.flushPending();
  }

  /** apply makes a written batch visible (queues, next offsets, recent records) and acknowledges its appends. */
  private apply(committed: CommittedBatch, logged: boolean): void {
    const { accepted, nextOffsets, created, storeTimestampMs } = committed;
    for (const [key, queue] of created) {
      this.registerQueue(queue);
      if (this.tipCreated.get(key) === queue) this.tipCreated.delete(key);
    }
    for (const [queue, nextOffset] of nextOffsets) {
      assert(nextOffset > queue.nextOffset, 'a committed batch moves its queues forward');
      queue.nextOffset = nextOffset;
      // A later batch already written keeps its tip.
      if (this.tipNextOffsets.get(queue) === nextOffset) this.tipNextOffsets.delete(queue);
    }
    // Remember the records before the appends resolve, so a consumer woken by them reads from memory.
    // A queue found corrupted while the batch was written is not remembered.
    if (this.sequenceRuns !== undefined && logged) {
      for (const { queue, offsets, firstSequence } of accepted) this.sequenceRuns.add(queue.internalId, offsets[0]!, firstSequence, offsets.length);
    }
    if (this.recent !== undefined) {
      for (const { queue, offsets, records } of accepted) {
        if (!this.corrupted.has(queueKey(queue.topic, queue.queueId))) this.recent.add(queue.internalId, offsets[0]!, records!);
      }
    }
    for (const { append, offsets, markVisible } of accepted) {
      if (markVisible !== undefined) markVisible();
      else append.resolve({ offsets, storeTimestampMs, visible: VISIBLE_NOW });
    }
  }

  /**
   * resync re-reads the store meta and every queue's meta after a failed write, which may have
   * applied: offsets and internal ids it used are then taken, never handed out twice. It first
   * waits for every index stage in flight.
   */
  private async resync(): Promise<void> {
    await this.indexTail;
    // Every index stage has settled: a tip left now is a failed batch's, re-read below.
    this.tipNextOffsets.clear();
    this.tipCreated.clear();
    this.earliestFailedBatch = Number.POSITIVE_INFINITY;
    // Batches applied after the failure were remembered; the replay below may move queues past them.
    this.recent?.clear();
    this.sequenceRuns?.clear();
    const storeMetaRecord = await this.store.get(storeMetaKey());
    if (storeMetaRecord !== undefined) {
      this.nextQueueInternalId = Math.max(this.nextQueueInternalId, decodeStoreMeta(storeMetaRecord).nextQueueInternalId);
    }
    const registry = await this.scanAll(queueRegistryPrefix());
    for (const entry of registry) {
      const { topic, queueId } = decodeQueueRegistryKey(entry.key);
      if (this.queues.has(queueKey(topic, queueId))) continue;
      const internalId = decodeQueueRegistryRecord(entry.value);
      this.registerQueue({ internalId, topic, queueId, minOffset: 0, nextOffset: 0 });
      this.nextQueueInternalId = Math.max(this.nextQueueInternalId, internalId + 1);
    }
    const queues = [...this.queues.values()];
    const metaRecords = await this.store.getMany(queues.map((queue) => queueMetaKey(queue.internalId)));
    queues.forEach((queue, index) => {
      const record = metaRecords[index];
      if (record === undefined) return;
      try {
        queue.nextOffset = Math.max(queue.nextOffset, decodeQueueMeta(record).nextOffset);
      } catch (error) {
        this.markCorrupted(queue, `queue meta is corrupt: ${describe(error)}`);
      }
    });
    // A failed index write leaves records the index lacks: index them now, as open would.
    // (Every index stage has settled, so no failure adds to the acknowledged ones meanwhile.)
    const acknowledged = this.unindexedAcknowledged;
    await this.replayRecordLog();
    this.resyncNeeded = false;
    this.unindexedAcknowledged = [];
    for (const markVisible of acknowledged) markVisible();
  }

  // Open-time checks.

  private async checkLayoutMarker(): Promise<void> {
    const marker = await this.store.get(layoutMarkerKey());
    if (marker === undefined) {
      const anyEntry = await this.store.iterate({ limit: 1, keysOnly: true });
      if (anyEntry.length > 0) {
        throw new QuiverError(QuiverErrorCode.StoreUnavailable, 'store holds data but no layout marker: refusing to open it');
      }
      await this.store.write(
        [
          { type: 'put', key: layoutMarkerKey(), value: encodeLayoutMarker() },
          { type: 'put', key: storeMetaKey(), value: encodeStoreMeta({ nextQueueInternalId: 0 }) },
        ],
        { sync: true },
      );
      return;
    }
    let version: number;
    try {
      version = decodeLayoutMarker(marker);
    } catch (error) {
      throw new QuiverError(QuiverErrorCode.StoreUnavailable, 'layout marker is corrupt: refusing to open the store', { cause: error });
    }
    if (!LAYOUT_VERSIONS_READABLE.includes(version)) {
      throw new QuiverError(QuiverErrorCode.StoreUnavailable, `store layout version ${version} is not one of the supported ${LAYOUT_VERSIONS_READABLE.join(', ')}`);
    }
    if (this.recordLog === undefined && (await this.store.get(recordLogPositionKey())) !== undefined) {
      throw new QuiverError(QuiverErrorCode.StoreUnavailable, 'store keeps its message records in a record log: open it with that record log');
    }
    // Layout 2 only adds to layout 1 (the record log, pointers): upgrading is rewriting the marker.
    if (version !== LAYOUT_VERSION) await this.store.write([{ type: 'put', key: layoutMarkerKey(), value: encodeLayoutMarker() }], { sync: true });
  }

  /**
   * replayRecordLog indexes the record-log entries at and after the index's position (those a
   * crash or a failed write kept from the index), a page per write, and moves the position past
   * them. A message record whose offset is below its queue's next offset was superseded (a failed
   * write's record, its offset handed out again) and is skipped; one above it means records
   * were lost, and marks the queue corrupted. An operations record goes with the message records
   * before it (its append's): it is replayed only if the last of them was. An undecodable entry
   * names no queue: it is reported as unattributed damage, and any queue it belonged to shows the
   * gap at its next record.
   */
  private async replayRecordLog(): Promise<void> {
    const recordLog = this.recordLog;
    if (recordLog === undefined) return;
    const positionRecord = await this.store.get(recordLogPositionKey());
    let position = 0;
    if (positionRecord !== undefined) {
      try {
        position = decodeRecordLogPosition(positionRecord);
      } catch (error) {
        throw new QuiverError(QuiverErrorCode.StoreUnavailable, `record-log position is corrupt: ${describe(error)}`, { cause: error });
      }
    }
    const lastSequence = await recordLog.lastSequence();
    this.nextSequence = Math.max(this.nextSequence, position, lastSequence + 1);
    let previousMessageReplayed = false;
    while (position <= lastSequence) {
      const page = await recordLog.readFrom(position, REPLAY_PAGE_ENTRIES);
      if (page.length === 0) break;
      const operations: KeyValueOperation[] = [];
      const nextOffsets = new Map<QueueState, number>();
      const created: QueueState[] = [];
      let nextQueueInternalId = this.nextQueueInternalId;
      for (const entry of page) {
        const entrySequence = entry.sequence;
        position = entrySequence + 1;
        const replayed = previousMessageReplayed;
        previousMessageReplayed = false;
        try {
          if (isOperationsRecord(entry.record)) {
            if (replayed) operations.push(...decodeOperationsRecord(entry.record));
            continue;
          }
          const message = decodeMessageRecord(entry.record);
          const key = queueKey(message.topic, message.queueId);
          if (this.corrupted.has(key)) continue;
          let queue = this.queues.get(key) ?? created.find((candidate) => candidate.topic === message.topic && candidate.queueId === message.queueId);
          if (queue === undefined) {
            assert(nextQueueInternalId <= QUEUE_INTERNAL_ID_MAX, 'internal queue ids exhausted');
            queue = { internalId: nextQueueInternalId++, topic: message.topic, queueId: message.queueId, minOffset: 0, nextOffset: 0 };
            created.push(queue);
            operations.push({ type: 'put', key: queueRegistryKey(queue.topic, queue.queueId), value: encodeQueueRegistryRecord(queue.internalId) });
          }
          const expected = nextOffsets.get(queue) ?? queue.nextOffset;
          if (message.queueOffset < expected) continue;
          if (message.queueOffset > expected) {
            if (!created.includes(queue)) this.markCorrupted(queue, `record log holds offset ${message.queueOffset} but offsets from ${expected} are missing`, expected);
            continue;
          }
          operations.push({ type: 'put', key: messageKey(queue.internalId, message.queueOffset), value: encodeMessagePointer(entrySequence) });
          pushIndexOperations(operations, queue, message, message.queueOffset, message.storeTimestampMs);
          nextOffsets.set(queue, message.queueOffset + 1);
          previousMessageReplayed = true;
        } catch (error) {
          if (!(error instanceof RecordDecodeError)) throw error;
          this.unattributed.push({ reason: `record-log entry ${entrySequence} is corrupt: ${error.message}`, detectedAtMs: this.clock.nowMs() });
        }
      }
      for (const [queue, nextOffset] of nextOffsets) {
        operations.push({ type: 'put', key: queueMetaKey(queue.internalId), value: encodeQueueMeta({ ...queue, nextOffset }) });
      }
      if (nextQueueInternalId !== this.nextQueueInternalId) {
        operations.push({ type: 'put', key: storeMetaKey(), value: encodeStoreMeta({ nextQueueInternalId }) });
      }
      operations.push({ type: 'put', key: recordLogPositionKey(), value: encodeRecordLogPosition(position) });
      await this.store.write(operations, { sync: true });
      for (const queue of created) this.registerQueue(queue);
      this.nextQueueInternalId = nextQueueInternalId;
      for (const [queue, nextOffset] of nextOffsets) queue.nextOffset = nextOffset;
    }
  }

  private async loadQueues(): Promise<void> {
    const storeMetaRecord = await this.store.get(storeMetaKey());
    let storeMetaNext = 0;
    if (storeMetaRecord !== undefined) {
      try {
        storeMetaNext = decodeStoreMeta(storeMetaRecord).nextQueueInternalId;
      } catch {
        // The ids in use are recovered from the registry and meta below; the store meta only adds ids whose records were all lost.
      }
    }

    const registry = new Map<number, { topic: string; queueId: number }>();
    const registryDefects: Array<{ topic: string; queueId: number; reason: string }> = [];
    for (const entry of await this.scanAll(queueRegistryPrefix())) {
      const identity = decodeQueueRegistryKey(entry.key);
      try {
        const internalId = decodeQueueRegistryRecord(entry.value);
        if (registry.has(internalId)) {
          registryDefects.push({ ...identity, reason: `queue registry maps two queues to internal id ${internalId}` });
        } else {
          registry.set(internalId, identity);
        }
      } catch (error) {
        registryDefects.push({ ...identity, reason: `queue registry record is corrupt: ${describe(error)}` });
      }
    }

    const metas = new Map<number, ReturnType<typeof decodeQueueMeta> | Error>();
    for (const entry of await this.scanAll(queueMetaPrefix())) {
      const internalId = decodeQueueMetaKey(entry.key);
      try {
        metas.set(internalId, decodeQueueMeta(entry.value));
      } catch (error) {
        metas.set(internalId, error instanceof Error ? error : new Error(String(error)));
      }
    }

    let maxInternalId = -1;
    for (const internalId of [...registry.keys(), ...metas.keys()]) maxInternalId = Math.max(maxInternalId, internalId);
    this.nextQueueInternalId = Math.max(storeMetaNext, maxInternalId + 1);

    for (let internalId = 0; internalId < this.nextQueueInternalId; internalId++) {
      const identity = registry.get(internalId);
      const meta = metas.get(internalId);
      if (identity !== undefined && meta !== undefined && !(meta instanceof Error)) {
        const queue: QueueState = { internalId, topic: identity.topic, queueId: identity.queueId, minOffset: meta.minOffset, nextOffset: meta.nextOffset };
        this.registerQueue(queue);
        if (meta.topic !== identity.topic || meta.queueId !== identity.queueId) {
          this.markCorrupted(queue, `queue meta names ${meta.topic}/${meta.queueId}, registry names ${identity.topic}/${identity.queueId}`);
        }
        continue;
      }
      await this.recordDamagedQueue(internalId, identity, meta);
    }
    for (const defect of registryDefects) {
      const queue = this.queues.get(queueKey(defect.topic, defect.queueId));
      if (queue !== undefined) {
        this.markCorrupted(queue, defect.reason);
      } else if (!this.corrupted.has(queueKey(defect.topic, defect.queueId))) {
        // Fence the queue by name even though nothing else of it is left: a fresh queue under the same name would restart at offset 0.
        this.corrupted.set(queueKey(defect.topic, defect.queueId), { topic: defect.topic, queueId: defect.queueId, reason: defect.reason, detectedAtMs: this.clock.nowMs() });
      }
    }
    for (const queue of this.queues.values()) {
      if (!this.corrupted.has(queueKey(queue.topic, queue.queueId))) await this.checkQueueExtent(queue);
    }
  }

  /** recordDamagedQueue handles an internal id whose registry entry or meta is missing or corrupt. */
  private async recordDamagedQueue(
    internalId: number,
    identity: { topic: string; queueId: number } | undefined,
    meta: ReturnType<typeof decodeQueueMeta> | Error | undefined,
  ): Promise<void> {
    const reason =
      identity === undefined && meta === undefined
        ? 'queue registry entry and meta are both missing'
        : identity === undefined
          ? 'queue registry entry is missing'
          : meta === undefined
            ? 'queue meta is missing'
            : `queue meta is corrupt: ${describe(meta)}`;
    let named = identity ?? (meta !== undefined && !(meta instanceof Error) ? { topic: meta.topic, queueId: meta.queueId } : undefined);
    if (named === undefined) {
      // Name the queue from any record it still holds, so status can say which queue is damaged.
      const first = await this.store.iterate({ gte: queueMessagesPrefix(internalId), lt: prefixUpperBound(queueMessagesPrefix(internalId)), limit: 1 });
      const [firstRecord] = first[0] !== undefined ? await this.resolvePointers([first[0].value]) : [undefined];
      if (firstRecord !== undefined) {
        try {
          const message = decodeMessageRecord(firstRecord);
          named = { topic: message.topic, queueId: message.queueId };
        } catch {
          // Leave the queue unnamed; its internal id is still reported.
        }
      }
    }
    if (named === undefined) {
      this.unattributed.push({ queueInternalId: internalId, reason, detectedAtMs: this.clock.nowMs() });
      return;
    }
    const existing = this.queues.get(queueKey(named.topic, named.queueId));
    if (existing !== undefined) {
      this.markCorrupted(existing, `${reason} (internal id ${internalId} also claims this queue)`);
      return;
    }
    const nextOffset = meta !== undefined && !(meta instanceof Error) ? meta.nextOffset : 0;
    const minOffset = meta !== undefined && !(meta instanceof Error) ? meta.minOffset : 0;
    const queue: QueueState = { internalId, topic: named.topic, queueId: named.queueId, minOffset, nextOffset };
    this.registerQueue(queue);
    this.markCorrupted(queue, reason);
  }

  /** checkQueueExtent checks that the first and last committed records are there and valid and nothing lies beyond. */
  private async checkQueueExtent(queue: QueueState): Promise<void> {
    if (queue.nextOffset > queue.minOffset) {
      const offsets = queue.nextOffset - 1 === queue.minOffset ? [queue.minOffset] : [queue.minOffset, queue.nextOffset - 1];
      const records = await this.resolvePointers(await this.store.getMany(offsets.map((offset) => messageKey(queue.internalId, offset))));
      for (let index = 0; index < offsets.length; index++) {
        const offset = offsets[index]!;
        const record = records[index];
        if (record === undefined) {
          this.markCorrupted(queue, `message at offset ${offset} is missing below the committed next offset ${queue.nextOffset}`, offset);
          return;
        }
        try {
          this.decodeChecked(queue, offset, record);
        } catch {
          return;
        }
      }
    }
    const beyond = await this.store.iterate({
      gte: messageKey(queue.internalId, queue.nextOffset),
      lt: prefixUpperBound(queueMessagesPrefix(queue.internalId)),
      limit: 1,
      keysOnly: true,
    });
    if (beyond[0] !== undefined) {
      const offset = decodeMessageKey(beyond[0].key).offset;
      this.markCorrupted(queue, `message at offset ${offset} lies beyond the committed next offset ${queue.nextOffset}`, offset);
    }
  }

  // Shared helpers.

  /** fetchIndexed reads the records index entries point to, skipping entries left by failed writes. */
  private async fetchIndexed(locations: ReadonlyArray<{ queueInternalId: number; offset: number }>): Promise<StoredMessage[]> {
    const live = locations.filter((location) => {
      const queue = this.queuesByInternalId.get(location.queueInternalId);
      return queue !== undefined && location.offset >= queue.minOffset && location.offset < queue.nextOffset;
    });
    const records = await this.resolvePointers(await this.store.getMany(live.map((location) => messageKey(location.queueInternalId, location.offset))));
    const messages: StoredMessage[] = [];
    live.forEach((location, index) => {
      const queue = this.queuesByInternalId.get(location.queueInternalId)!;
      this.throwIfCorrupted(queue);
      const record = records[index];
      if (record === undefined) {
        throw this.markCorrupted(queue, `message at offset ${location.offset} is missing below the committed next offset ${queue.nextOffset}`, location.offset);
      }
      messages.push(this.decodeChecked(queue, location.offset, record));
    });
    return messages;
  }

  /**
   * resolvePointers replaces the record-log pointers among `values` ('M' values) with the records
   * they point to, in place; a missing entry becomes undefined. Inline records pass through, and
   * so does a pointer that does not decode: decodeChecked reports it as a corrupt record.
   */
  private async resolvePointers(values: Array<Buffer | undefined>): Promise<Array<Buffer | undefined>> {
    const recordLog = this.recordLog;
    if (recordLog === undefined) return values;
    const positions: number[] = [];
    const sequences: number[] = [];
    for (let index = 0; index < values.length; index++) {
      const value = values[index];
      if (value === undefined || !isMessagePointer(value)) continue;
      try {
        sequences.push(decodeMessagePointer(value));
        positions.push(index);
      } catch (error) {
        if (!(error instanceof RecordDecodeError)) throw error;
      }
    }
    if (sequences.length === 0) return values;
    const records = await recordLog.getMany(sequences);
    for (let index = 0; index < positions.length; index++) values[positions[index]!] = records[index];
    return values;
  }

  /** decodeChecked decodes a record read at `offset` of `queue` and checks it is that message; a defect marks the queue. */
  private decodeChecked(queue: QueueState, offset: number, record: Uint8Array): StoredMessage {
    let message: StoredMessage;
    try {
      message = decodeMessageRecord(record);
    } catch (error) {
      if (error instanceof RecordDecodeError) throw this.markCorrupted(queue, `message at offset ${offset} is corrupt: ${error.message}`, offset);
      throw error;
    }
    if (message.topic !== queue.topic || message.queueId !== queue.queueId || message.queueOffset !== offset) {
      throw this.markCorrupted(
        queue,
        `record at offset ${offset} holds ${message.topic}/${message.queueId}@${message.queueOffset}`,
        offset,
      );
    }
    return message;
  }

  private registerQueue(queue: QueueState): void {
    this.queues.set(queueKey(queue.topic, queue.queueId), queue);
    this.queuesByInternalId.set(queue.internalId, queue);
  }

  /** markCorrupted stops the queue from serving, records why (the first defect found wins), and returns the error to throw. */
  private markCorrupted(queue: QueueState, reason: string, offset?: number): QuiverError {
    const key = queueKey(queue.topic, queue.queueId);
    if (!this.corrupted.has(key)) {
      // Damage is rare: forget every remembered record rather than account for one queue's share.
      this.recent?.clear();
      this.sequenceRuns?.clear();
      const entry: CorruptedQueue = { topic: queue.topic, queueId: queue.queueId, queueInternalId: queue.internalId, reason, detectedAtMs: this.clock.nowMs() };
      if (offset !== undefined) entry.offset = offset;
      this.corrupted.set(key, entry);
    }
    return this.corruptedError(queue.topic, queue.queueId);
  }

  private corruptedError(topic: string, queueId: number): QuiverError {
    const entry = this.corrupted.get(queueKey(topic, queueId));
    return new QuiverError(QuiverErrorCode.QueueCorrupted, `queue ${topic}/${queueId} is corrupted: ${entry?.reason ?? 'unknown'}`);
  }

  private throwIfCorrupted(queue: QueueState): void {
    if (this.corrupted.has(queueKey(queue.topic, queue.queueId))) throw this.corruptedError(queue.topic, queue.queueId);
  }

  private checkOpen(): void {
    if (this.closed) throw new QuiverError(QuiverErrorCode.Closed, 'queue log is closed');
  }

  /** scanAll reads every entry under a prefix. Used at open, on the small registry and meta ranges. */
  private async scanAll(prefix: Buffer): Promise<Array<{ key: Buffer; value: Buffer }>> {
    const all: Array<{ key: Buffer; value: Buffer }> = [];
    await forEachPage(this.store, prefix, (page) => {
      all.push(...page);
    });
    return all;
  }
}

const EMPTY = Buffer.alloc(0);

/** pushIndexOperations adds a stored message's message-ID index key and its key-index keys. */
function pushIndexOperations(
  operations: KeyValueOperation[],
  queue: QueueState,
  message: { messageId: string; keys: readonly string[] },
  offset: number,
  storeTimestampMs: number,
): void {
  operations.push({ type: 'put', key: messageIdIndexKey(message.messageId, queue.internalId, offset), value: EMPTY });
  if (message.keys.length > 0) {
    for (const indexedKey of new Set(message.keys)) {
      operations.push({ type: 'put', key: keyIndexKey(queue.topic, indexedKey, storeTimestampMs, queue.internalId, offset), value: EMPTY });
    }
  }
}

/**
 * SequenceRuns remembers the record-log sequences of recent appends: per queue, runs of offsets
 * whose records were written at consecutive sequences (an append is one run; one that continues
 * its queue's last run extends it), in three parallel arrays searched by bisection. At most
 * `runsMax` runs are kept in all: past it, every queue drops its older half, so memory stays
 * bounded however many queues there are, and the queues that append most keep the most.
 */
export class SequenceRuns {
  private readonly byQueue = new Map<number, { firstOffsets: number[]; firstSequences: number[]; counts: number[] }>();
  private runCount = 0;

  constructor(private readonly runsMax: number) {
    assert(Number.isSafeInteger(runsMax) && runsMax > 1, `runsMax ${runsMax} is not a count above 1`);
  }

  /** size is the number of runs kept. */
  get size(): number {
    return this.runCount;
  }

  add(queueInternalId: number, firstOffset: number, firstSequence: number, count: number): void {
    let runs = this.byQueue.get(queueInternalId);
    if (runs === undefined) {
      runs = { firstOffsets: [], firstSequences: [], counts: [] };
      this.byQueue.set(queueInternalId, runs);
    }
    const last = runs.counts.length - 1;
    if (last >= 0 && runs.firstOffsets[last]! + runs.counts[last]! === firstOffset && runs.firstSequences[last]! + runs.counts[last]! === firstSequence) {
      runs.counts[last]! += count;
      return;
    }
    runs.firstOffsets.push(firstOffset);
    runs.firstSequences.push(firstSequence);
    runs.counts.push(count);
    this.runCount += 1;
    if (this.runCount > this.runsMax) this.halve();
  }

  /** sequenceOf is the record-log sequence of a queue's offset, if a remembered run holds it. */
  sequenceOf(queueInternalId: number, offset: number): number | undefined {
    const runs = this.byQueue.get(queueInternalId);
    if (runs === undefined) return undefined;
    let low = 0;
    let high = runs.counts.length - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const first = runs.firstOffsets[middle]!;
      if (offset < first) high = middle - 1;
      else if (offset >= first + runs.counts[middle]!) low = middle + 1;
      else return runs.firstSequences[middle]! + (offset - first);
    }
    return undefined;
  }

  clear(): void {
    this.byQueue.clear();
    this.runCount = 0;
  }

  /** halve drops the older half of every queue's runs (all of a queue's single run): one pass per runsMax / 2 additions. */
  private halve(): void {
    this.runCount = 0;
    for (const [queueInternalId, runs] of this.byQueue) {
      const dropped = Math.ceil(runs.counts.length / 2);
      if (dropped === runs.counts.length) {
        this.byQueue.delete(queueInternalId);
        continue;
      }
      runs.firstOffsets.splice(0, dropped);
      runs.firstSequences.splice(0, dropped);
      runs.counts.splice(0, dropped);
      this.runCount += runs.counts.length;
    }
  }
}

/** RECENT_COMPACT_MIN is how many spent slots an array of RecentRecords gathers before it may be compacted. */
export const RECENT_COMPACT_MIN = 1024;

/**
 * RecordTail holds where one queue's remembered records lie in the ring: the record at offset
 * firstOffset + i starts at absolute ring position starts[head + i] and has lengths[head + i] bytes.
 */
interface RecordTail {
  firstOffset: number;
  starts: number[];
  lengths: number[];
  head: number;
}

/** RecentRecordsFootprint describes what RecentRecords holds, for specs: the ring and every array slot, spent or not. */
export interface RecentRecordsFootprint {
  ringBytes: number;
  remembered: number;
  /** queues holds, per queue internal id, its remembered records and the slots of its position and length arrays. */
  queues: Map<number, { remembered: number; slots: number }>;
  orderSlots: number;
}

/**
 * RecentRecords remembers the encoded records of the latest committed messages by queue and
 * offset, copied into one ring Buffer allocated once. Positions are absolute (they only grow; the
 * ring position is the absolute one modulo the ring size), and a record never straddles the end
 * of the ring: one that does not fit there starts the next lap. A record's bytes stay intact until
 * a record ending more than one ring size past its start is written, so adding evicts, oldest
 * first, every record that the new one would overwrite. Eviction in commit order across all queues
 * keeps each queue's remembered offsets a contiguous run ending at its next offset.
 *
 * Nothing per record is retained but numbers in arrays (compacted in place), so remembering
 * leaves no long-lived per-record garbage: the memory is the ring plus those arrays.
 */
export class RecentRecords {
  private ring: Buffer | undefined;
  /** tails holds a tail for every queue remembered since the last clear, even one whose records are all evicted. */
  private readonly tails = new Map<number, RecordTail>();
  /** order names the tail of every remembered record, oldest first, from orderHead on. */
  private readonly order: RecordTail[] = [];
  private orderHead = 0;
  /** writeAt is the absolute position the next record is written at (or past, at a new lap). */
  private writeAt = 0;

  constructor(private readonly ringBytes: number) {}

  /** add copies the records of offsets firstOffset, firstOffset + 1, ... of a queue into the ring, evicting what they overwrite. */
  add(queueInternalId: number, firstOffset: number, records: readonly Uint8Array[]): void {
    const size = this.ringBytes;
    this.ring ??= Buffer.allocUnsafeSlow(size);
    let tail = this.tails.get(queueInternalId);
    if (tail !== undefined && tail.firstOffset + (tail.starts.length - tail.head) !== firstOffset) {
      // Never expected (a commit continues its queues' runs); remember afresh rather than leave a gap.
      this.clear();
      tail = undefined;
    }
    for (let index = 0; index < records.length; index++) {
      const record = records[index]!;
      const length = record.byteLength;
      if (length > size) {
        // Not remembered; the queue's run must stay contiguous, and forgetting everything is simplest.
        this.clear();
        tail = undefined;
        continue;
      }
      if (tail === undefined) {
        tail = { firstOffset: firstOffset + index, starts: [], lengths: [], head: 0 };
        this.tails.set(queueInternalId, tail);
      }
      let start = this.writeAt;
      const ringStart = start % size;
      if (ringStart + length > size) start += size - ringStart;
      const overwrittenBelow = start + length - size;
      while (this.orderHead < this.order.length) {
        const oldest = this.order[this.orderHead]!;
        if (oldest.starts[oldest.head]! >= overwrittenBelow) break;
        this.evictOldest();
      }
      this.ring.set(record, start % size);
      this.writeAt = start + length;
      tail.starts.push(start);
      tail.lengths.push(length);
      this.order.push(tail);
    }
  }

  /**
   * copyOut puts copies of the remembered records of offsets from, from + 1, ... into the matching
   * slots of `into` (views into one new Buffer, never into the ring); returns how many.
   */
  copyOut(queueInternalId: number, from: number, into: Array<Buffer | undefined>): number {
    const tail = this.tails.get(queueInternalId);
    if (tail === undefined || this.ring === undefined) return 0;
    const start = Math.max(from, tail.firstOffset);
    const end = Math.min(from + into.length, tail.firstOffset + (tail.starts.length - tail.head));
    if (start >= end) return 0;
    const first = tail.head + (start - tail.firstOffset);
    const last = first + (end - start);
    let bytes = 0;
    for (let slot = first; slot < last; slot++) bytes += tail.lengths[slot]!;
    const copy = Buffer.allocUnsafe(bytes);
    let at = 0;
    for (let slot = first; slot < last; slot++) {
      const length = tail.lengths[slot]!;
      const ringStart = tail.starts[slot]! % this.ringBytes;
      this.ring.copy(copy, at, ringStart, ringStart + length);
      into[start - from + (slot - first)] = copy.subarray(at, at + length);
      at += length;
    }
    return end - start;
  }

  /** clear forgets every record; the ring stays allocated. */
  clear(): void {
    this.tails.clear();
    this.order.length = 0;
    this.orderHead = 0;
  }

  /** release forgets every record and lets the ring go. */
  release(): void {
    this.clear();
    this.ring = undefined;
  }

  footprint(): RecentRecordsFootprint {
    const queues = new Map<number, { remembered: number; slots: number }>();
    let remembered = 0;
    for (const [queueInternalId, tail] of this.tails) {
      const count = tail.starts.length - tail.head;
      remembered += count;
      queues.set(queueInternalId, { remembered: count, slots: Math.max(tail.starts.length, tail.lengths.length) });
    }
    return { ringBytes: this.ring?.length ?? 0, remembered, queues, orderSlots: this.order.length };
  }

  private evictOldest(): void {
    const tail = this.order[this.orderHead]!;
    this.orderHead += 1;
    tail.head += 1;
    tail.firstOffset += 1;
    if (tail.head === tail.starts.length) {
      tail.starts.length = 0;
      tail.lengths.length = 0;
      tail.head = 0;
    } else if (tail.head >= RECENT_COMPACT_MIN && tail.head * 2 >= tail.starts.length) {
      // Each compaction moves fewer slots than were spent since the last: amortized O(1) per record.
      compactInPlace(tail.starts, tail.head);
      compactInPlace(tail.lengths, tail.head);
      tail.head = 0;
    }
    if (this.orderHead === this.order.length) {
      this.order.length = 0;
      this.orderHead = 0;
    } else if (this.orderHead >= RECENT_COMPACT_MIN && this.orderHead * 2 >= this.order.length) {
      compactInPlace(this.order, this.orderHead);
      this.orderHead = 0;
    }
  }
}

/** compactInPlace drops the first `spent` slots of an array without allocating a new one. */
function compactInPlace(array: unknown[], spent: number): void {
  array.copyWithin(0, spent);
  array.length -= spent;
}

/** nextLoopTurn resolves in the check phase of the event loop, after the pending I/O callbacks ran. */
function nextLoopTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function queueKey(topic: string, queueId: number): string {
  return `${queueId}:${topic}`;
}

/** estimateRecordBytes sizes a message's record and index keys for batch bounds; strings count at UTF-8's worst case. */
function estimateRecordBytes(message: MessageToStore): number {
  const utf8Max = (value: string): number => 3 * value.length;
  let bytes = RECORD_OVERHEAD_BYTES_ESTIMATE + message.body.byteLength + 2 * utf8Max(message.messageId);
  for (const key of message.keys) bytes += 2 * utf8Max(key) + RECORD_OVERHEAD_BYTES_ESTIMATE;
  for (const [name, value] of Object.entries(message.userProperties)) bytes += 4 + utf8Max(name) + utf8Max(value);
  return bytes;
}

function checkLookupCount(maxCount: number): void {
  if (!Number.isInteger(maxCount) || maxCount < 1 || maxCount > LOOKUP_MESSAGES_MAX) {
    throw new QuiverError(QuiverErrorCode.BadRequest, `a lookup returns 1 to ${LOOKUP_MESSAGES_MAX} messages, asked ${maxCount}`);
  }
}

function asStoreError(error: unknown, operation: string): QuiverError {
  if (error instanceof QuiverError) return error;
  return new QuiverError(QuiverErrorCode.StoreUnavailable, `${operation} failed`, { cause: error });
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
