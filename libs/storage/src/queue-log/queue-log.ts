import type { MessageToStore, StoredMessage } from '@quiver/core';

import type { KeyValueOperation } from '../kv/key-value-store';

/**
 * QueueLog is the store node's message log: per (topic, queueId) a dense sequence of offsets
 * from the queue's minimum to its next offset. Appends are durable when they resolve (fsynced
 * in sync flush mode). A queue whose stored records fail their checksum or have a hole below
 * the committed next offset is CORRUPTED: every later read or append of it throws
 * QuiverError QUEUE_CORRUPTED and it is listed by `corruptedQueues()`; nothing is ever
 * skipped.
 */
export interface QueueLog {
  /**
   * append stores `messages` at the end of the queue, atomically, and resolves with their dense
   * offsets once durable and readable (with `acknowledge: 'durable'`, once durable; appends of
   * later batches may then resolve first). Throws BAD_REQUEST for an empty or oversized request,
   * TOO_MANY_REQUESTS when too many appends wait, QUEUE_CORRUPTED for a corrupted queue,
   * STORE_UNAVAILABLE when the write fails (the messages may or may not be stored).
   */
  append(topic: string, queueId: number, messages: readonly MessageToStore[], options?: AppendOptions): Promise<AppendedMessages>;

  /**
   * read returns up to `maxCount` messages from `fromOffset` (raised to the queue's minimum
   * offset) in offset order, stopping at the committed next offset. Throws QUEUE_CORRUPTED
   * when a record in the range is missing or fails its checks. The returned messages share no
   * memory with the log (their bodies may be views into one buffer of the read).
   */
  read(topic: string, queueId: number, fromOffset: number, maxCount: number): Promise<StoredMessage[]>;

  /** nextOffset is the offset the next appended message gets; 0 for an unknown queue. */
  nextOffset(topic: string, queueId: number): number;

  /** minOffset is the first retained offset; 0 for an unknown queue. */
  minOffset(topic: string, queueId: number): number;

  /** queueExists is true once a message was appended to the queue. */
  queueExists(topic: string, queueId: number): boolean;

  /** findByMessageId returns the stored messages with this ID (a producer retry stores one twice), oldest queue first. */
  findByMessageId(messageId: string, maxCount: number): Promise<StoredMessage[]>;

  /** findByKey returns a topic's messages carrying `key`, stored in [beginTimestampMs, endTimestampMs), oldest first. */
  findByKey(topic: string, key: string, query: KeyQuery): Promise<StoredMessage[]>;

  /** corruptedQueues lists the queues that stopped serving, for status reporting. */
  corruptedQueues(): CorruptedQueue[];

  /** isQueueCorrupted is true when the queue stopped serving. */
  isQueueCorrupted(topic: string, queueId: number): boolean;

  /** close waits for appends already accepted, then rejects new calls with CLOSED. It does not close the key-value store. */
  close(): Promise<void>;
}

export interface AppendOptions {
  /**
   * alongside returns key-value operations written in the same atomic batch as the messages,
   * given their offsets: the timer index of delay messages is written with them, and a fired
   * timer's index key is deleted with its delivery. It runs synchronously inside the commit and
   * must not throw. Keys must use a prefix of layout.ts that the queue log does not own.
   */
  alongside?: (offsets: readonly number[]) => KeyValueOperation[];
  /**
   * acknowledge is when the append resolves: 'visible' (the default) once its messages are
   * durable and readable; 'durable' once they are durable, which may be a write earlier (the
   * index write that makes them readable follows; `AppendedMessages.visible` tells when it
   * landed). Not allowed with `alongside`, whose operations callers read back after the append.
   */
  acknowledge?: 'visible' | 'durable';
}

export interface AppendedMessages {
  /** offsets holds one offset per message, in order, dense. */
  offsets: number[];
  storeTimestampMs: number;
  /**
   * visible resolves once the messages are readable (read, nextOffset, the lookups); it never
   * rejects. Already resolved unless the append asked for `acknowledge: 'durable'`. After a failed
   * index write it resolves when the log has re-indexed the durable records, which it tries at
   * once and again before its next append.
   */
  visible: Promise<void>;
}

export interface KeyQuery {
  beginTimestampMs: number;
  endTimestampMs: number;
  maxCount: number;
}

/** FlushMode is when an append resolves: after an fsync (`sync`), or once LevelDB took it (`async`, may be lost on power loss). */
export type FlushMode = 'sync' | 'async';

export interface CorruptedQueue {
  /** topic and queueId are absent only when the damage left no record naming the queue. */
  topic?: string;
  queueId?: number;
  /** queueInternalId is the queue's id in the layout's keys, when known. */
  queueInternalId?: number;
  /** offset is the first offset found damaged, when one is known. */
  offset?: number;
  reason: string;
  detectedAtMs: number;
}
