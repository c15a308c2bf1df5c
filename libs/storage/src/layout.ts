/**
 * layout is the store node's on-disk layout in one place: every key prefix of the node's
 * LevelDBs (including those libs/consumption owns), how keys are built, and the record format.
 * The node keeps two: messages, indexes, timers and transactions in one, consumer state ('C',
 * 'F', 'G', 'O') in another, so that pop and ack writes never queue behind an append's fsync
 * in LevelDB's single writer queue. Data directories from before the split kept consumer state
 * in the first; libs/consumption moves it at open (consumer-state-move.ts).
 * A change to any of it bumps LAYOUT_VERSION or the record's format version and adds a
 * fixture to `layout.spec.ts` / `message-record.spec.ts`.
 *
 * Keys are binary. Numbers are big-endian so keys sort by them; strings are a u16 byte length
 * then UTF-8 (length-prefixed, so no string can run into the next field and a prefix scan for
 * one exact string never matches a longer one).
 *
 *   'V'                                                    -> layout marker record (payload: layoutVersion u8)
 *   'S'                                                    -> store meta record {nextQueueInternalId u32}
 *   'R' topic:str16 queueId:u32                            -> queue registry record {queueInternalId u32}
 *   'Q' queueInternalId:u32                                -> queue meta record {topic str16, queueId u32, minOffset u64, nextOffset u64}
 *   'M' queueInternalId:u32 offset:u64                     -> message record (see message-record.ts for the payload),
 *                                                             or a record-log pointer {sequence u64} (layout 2, below)
 *   'P'                                                    -> record-log position {nextSequence u64} (layout 2, below)
 *   'I' messageId:str16 queueInternalId:u32 offset:u64     -> empty (message-id index)
 *   'K' topic:str16 key:str16 storeTimestampMs:u64 queueInternalId:u32 offset:u64 -> empty (key index)
 *   'C' group:str16 topic:str16 queueId:u32                -> pop cursor record        (libs/consumption)
 *   'F' group:str16 topic:str16 queueId:u32 offset:u64     -> pop in-flight record     (libs/consumption)
 *   'G'                                                    -> pop generation record    (libs/consumption)
 *   'O'                                                    -> empty: a move of consumer state is past its copy (libs/consumption)
 *   'T' dueMs:u64 timerOffset:u64                          -> timer index record {topic str16, queueId u32}
 *   'X' transactionId:str16                                -> transaction record {topic str16, queueId u32, halfOffset u64,
 *                                                             bornMs u64, checkCount u32, nextCheckMs u64, state u8}
 *   'Y' topic:str16 nextCheckMs:u64 transactionId:str16    -> empty (check schedule of unresolved transactions)
 *
 * Delay messages wait in the timer log, queue TIMER_LOG_QUEUE_ID of the system topic
 * TIMER_LOG_TOPIC (ordinary message records), each with one 'T' key naming its due time, its
 * offset in the timer log and its target queue. The 'T' keys sort by due time, so the node's
 * timer reads the next due entries in pages; a fired or recalled timer's key is deleted.
 *
 * Half (transaction) messages wait in the half log, queue HALF_LOG_QUEUE_ID of the system topic
 * HALF_LOG_TOPIC, each with one 'X' record by transaction ID (= message ID) and, while it is
 * unresolved, one 'Y' key naming when its producer is asked to check it next (by topic, since a
 * proxy checks only the topics its own producers publish). A resolved
 * transaction keeps its 'X' record (state committed or rolled back, no 'Y' key) so a repeated
 * EndTransaction is answered without side effects.
 *
 * Record log (layout 2). A store node keeps message records apart from everything else, in a
 * third LevelDB written only in append order:
 *
 *   'L' sequence:u64                                       -> message record, or an operations record (below)
 *
 * LevelDB compacts a table file whose key range overlaps others by rewriting them all; with the
 * records of many queues keyed by queue and offset, every flush overlapped every level and the
 * compaction thread spent more CPU than the server's main thread under sustained sends
 * (docs/performance.md, session 7). Keys that only grow never overlap, so LevelDB moves their
 * files down the levels without rewriting them. A queue's 'M' key then holds a pointer to the
 * record's sequence. The record log is written (and fsynced) first; the index store's write that
 * follows is not fsynced, and holds the 'P' position: entries at or after it are replayed into
 * the index at open (a message record yields its 'M' pointer, 'I' and 'K' keys and its queue's
 * meta; an operations record, the operations an append wrote alongside its messages, replays
 * them as written). A store without a record log (layout 1, and the specs' single store) keeps
 * records inline under 'M' and writes everything in one batch, and so does a store node for a
 * batch smaller than RECORD_LOG_BATCH_BYTES_MIN (limits.ts); readers accept both.
 *
 * Record (every value except the empty index values):
 *   formatVersion:u8 crc32c:u32 payload
 * where crc32c covers the payload. LevelDB silently drops corrupt blocks of its write-ahead
 * log (RELIABILITY.md 1.2), so every record carries its own checksum and every queue is dense:
 * a reader that finds a bad checksum or a hole below the committed next offset reports the
 * queue corrupted instead of serving around it.
 */
import { crc32c } from './crc32c';
import { assert } from '@quiver/core';

import { ByteReader, ByteWriter, RecordDecodeError } from './bytes';
import type { KeyValueOperation } from './kv/key-value-store';

/** LAYOUT_VERSION is the version of this whole key layout, kept under the 'V' key. */
export const LAYOUT_VERSION = 2;
/** LAYOUT_VERSIONS_READABLE are the layout versions open accepts; a layout 1 store is upgraded by rewriting its marker. */
export const LAYOUT_VERSIONS_READABLE: readonly number[] = [1, 2];

/**
 * KeyPrefix is the registry of first key bytes. Every lib that stores into the node's LevelDB
 * takes its prefix from here, so two owners can never share one.
 */
export const KeyPrefix = {
  LayoutMarker: 0x56, // 'V'
  StoreMeta: 0x53, // 'S'
  QueueRegistry: 0x52, // 'R'
  QueueMeta: 0x51, // 'Q'
  Message: 0x4d, // 'M'
  RecordLogPosition: 0x50, // 'P'
  RecordLog: 0x4c, // 'L' (record log store only)
  MessageIdIndex: 0x49, // 'I'
  KeyIndex: 0x4b, // 'K'
  PopCursor: 0x43, // 'C'
  PopInFlight: 0x46, // 'F'
  PopGeneration: 0x47, // 'G'
  TimerIndex: 0x54, // 'T'
  Transaction: 0x58, // 'X'
  TransactionCheck: 0x59, // 'Y'
  ConsumerStateMove: 0x4f, // 'O'
} as const;
export type KeyPrefix = (typeof KeyPrefix)[keyof typeof KeyPrefix];

/** RecordFormat is the format version byte of each record kind this lib owns. */
export const RecordFormat = {
  LayoutMarker: 1,
  StoreMeta: 1,
  QueueRegistry: 1,
  QueueMeta: 1,
  Message: 1,
  /** MessagePointer is an 'M' value naming a record-log sequence; distinct from every Message format version. */
  MessagePointer: 0xf0,
  /** Operations is a record-log entry holding the operations an append wrote alongside its messages. */
  Operations: 0xf1,
  RecordLogPosition: 1,
  TimerIndex: 1,
  Transaction: 1,
} as const;

/** RECORD_HEADER_BYTES is the format version byte plus the crc32c. */
export const RECORD_HEADER_BYTES = 5;

/** frameRecord prefixes a payload with its format version and checksum. */
export function frameRecord(formatVersion: number, payload: Uint8Array): Buffer {
  const record = Buffer.allocUnsafe(RECORD_HEADER_BYTES + payload.byteLength);
  record.set(payload, RECORD_HEADER_BYTES);
  return sealRecord(record, formatVersion);
}

/**
 * sealRecord fills in the header of a record whose payload was written in place after
 * RECORD_HEADER_BYTES reserved bytes, so large payloads are not copied to be framed.
 */
export function sealRecord(record: Buffer, formatVersion: number): Buffer {
  if (!(Number.isInteger(formatVersion) && formatVersion > 0 && formatVersion <= 0xff)) assert(false, `bad format version ${formatVersion}`);
  assert(record.length >= RECORD_HEADER_BYTES, 'a record holds at least its header');
  record[0] = formatVersion;
  record.writeUInt32BE(crc32c(record.subarray(RECORD_HEADER_BYTES)), 1);
  return record;
}

/**
 * unframeRecord checks a record's format version and checksum and returns its payload (a view,
 * not a copy). Throws RecordDecodeError when either does not match.
 */
export function unframeRecord(record: Uint8Array, expectedFormatVersion: number): Buffer {
  const bytes = Buffer.from(record.buffer, record.byteOffset, record.byteLength);
  if (bytes.length < RECORD_HEADER_BYTES) throw new RecordDecodeError(`record of ${bytes.length} bytes is shorter than its header`);
  const formatVersion = bytes.readUInt8(0);
  if (formatVersion !== expectedFormatVersion) {
    throw new RecordDecodeError(`record format version ${formatVersion}, expected ${expectedFormatVersion}`);
  }
  const payload = bytes.subarray(RECORD_HEADER_BYTES);
  const expectedChecksum = bytes.readUInt32BE(1);
  const actualChecksum = crc32c(payload);
  if (actualChecksum !== expectedChecksum) {
    throw new RecordDecodeError(`record checksum ${actualChecksum.toString(16)} does not match stored ${expectedChecksum.toString(16)}`);
  }
  return payload;
}

/** frameU64Record frames a record whose whole payload is one u64 (a pointer, a position, a reservation). */
export function frameU64Record(formatVersion: number, value: number): Buffer {
  // Written in place: one of these goes with every logged message (its pointer).
  if (!(Number.isSafeInteger(value) && value >= 0)) assert(false, `u64 out of safe range: ${value}`);
  const record = Buffer.allocUnsafe(RECORD_HEADER_BYTES + 8);
  record.writeUInt32BE(Math.floor(value / 0x1_0000_0000), RECORD_HEADER_BYTES);
  record.writeUInt32BE(value >>> 0, RECORD_HEADER_BYTES + 4);
  return sealRecord(record, formatVersion);
}

/** unframeU64Record is frameU64Record's inverse; throws RecordDecodeError on a bad format, checksum or length. */
export function unframeU64Record(record: Uint8Array, expectedFormatVersion: number): number {
  const reader = new ByteReader(unframeRecord(record, expectedFormatVersion));
  const value = reader.u64();
  reader.expectEnd();
  return value;
}

/** prefixUpperBound is the smallest key greater than every key starting with `prefix`, for `lt` range bounds. */
export function prefixUpperBound(prefix: Uint8Array): Buffer {
  const bound = Buffer.from(prefix);
  for (let index = bound.length - 1; index >= 0; index--) {
    if (bound[index] !== 0xff) {
      bound[index] = (bound[index] ?? 0) + 1;
      return bound.subarray(0, index + 1);
    }
  }
  assert(false, 'prefixUpperBound of an all-0xff prefix has no bound');
}

// Layout marker and store meta.

export function layoutMarkerKey(): Buffer {
  return Buffer.from([KeyPrefix.LayoutMarker]);
}

export function encodeLayoutMarker(): Buffer {
  return frameRecord(RecordFormat.LayoutMarker, new ByteWriter(1).u8(LAYOUT_VERSION).finish());
}

/** decodeLayoutMarker returns the layout version stored in the marker. */
export function decodeLayoutMarker(record: Uint8Array): number {
  const reader = new ByteReader(unframeRecord(record, RecordFormat.LayoutMarker));
  const version = reader.u8();
  reader.expectEnd();
  return version;
}

export interface StoreMeta {
  /** nextQueueInternalId is the internal id the next new queue gets; ids are never reused. */
  nextQueueInternalId: number;
}

export function storeMetaKey(): Buffer {
  return Buffer.from([KeyPrefix.StoreMeta]);
}

export function encodeStoreMeta(meta: StoreMeta): Buffer {
  return frameRecord(RecordFormat.StoreMeta, new ByteWriter(4).u32(meta.nextQueueInternalId).finish());
}

export function decodeStoreMeta(record: Uint8Array): StoreMeta {
  const reader = new ByteReader(unframeRecord(record, RecordFormat.StoreMeta));
  const nextQueueInternalId = reader.u32();
  reader.expectEnd();
  return { nextQueueInternalId };
}

// Record log (layout 2).

/** recordLogKey is the key of a record-log entry. */
export function recordLogKey(sequence: number): Buffer {
  return new ByteWriter(9).u8(KeyPrefix.RecordLog).u64(sequence).finish();
}

export function recordLogPrefix(): Buffer {
  return Buffer.from([KeyPrefix.RecordLog]);
}

export function decodeRecordLogKey(key: Uint8Array): number {
  const reader = new ByteReader(key);
  if (reader.u8() !== KeyPrefix.RecordLog) throw new RecordDecodeError('not a record-log key');
  const sequence = reader.u64();
  reader.expectEnd();
  return sequence;
}

/** encodeMessagePointer is the 'M' value of a message whose record is in the record log. */
export function encodeMessagePointer(sequence: number): Buffer {
  return frameU64Record(RecordFormat.MessagePointer, sequence);
}

/** isMessagePointer tells a pointer from an inline message record by its format byte. */
export function isMessagePointer(value: Uint8Array): boolean {
  return value.length > 0 && value[0] === RecordFormat.MessagePointer;
}

export function decodeMessagePointer(value: Uint8Array): number {
  return unframeU64Record(value, RecordFormat.MessagePointer);
}

export function recordLogPositionKey(): Buffer {
  return Buffer.from([KeyPrefix.RecordLogPosition]);
}

/** encodeRecordLogPosition records that every record-log entry below `nextSequence` is in the index. */
export function encodeRecordLogPosition(nextSequence: number): Buffer {
  return frameU64Record(RecordFormat.RecordLogPosition, nextSequence);
}

export function decodeRecordLogPosition(record: Uint8Array): number {
  return unframeU64Record(record, RecordFormat.RecordLogPosition);
}

/** isOperationsRecord tells an operations entry of the record log from a message record. */
export function isOperationsRecord(value: Uint8Array): boolean {
  return value.length > 0 && value[0] === RecordFormat.Operations;
}

/** encodeOperationsRecord: count:u32, then per operation type:u8 (1 put, 2 del) key:bytes32 [value:bytes32]. */
export function encodeOperationsRecord(operations: readonly KeyValueOperation[]): Buffer {
  const writer = new ByteWriter(64).u32(operations.length);
  for (const operation of operations) {
    writer.u8(operation.type === 'put' ? 1 : 2).bytes32(operation.key);
    if (operation.type === 'put') writer.bytes32(operation.value);
  }
  return frameRecord(RecordFormat.Operations, writer.finish());
}

export function decodeOperationsRecord(record: Uint8Array): KeyValueOperation[] {
  const reader = new ByteReader(unframeRecord(record, RecordFormat.Operations));
  const count = reader.u32();
  const operations: KeyValueOperation[] = [];
  for (let index = 0; index < count; index++) {
    const type = reader.u8();
    const key = reader.bytes32();
    if (type === 1) operations.push({ type: 'put', key, value: reader.bytes32() });
    else if (type === 2) operations.push({ type: 'del', key });
    else throw new RecordDecodeError(`operation type ${type}`);
  }
  reader.expectEnd();
  return operations;
}

// Queue registry: (topic, queueId) -> internal queue id.

export function queueRegistryPrefix(): Buffer {
  return Buffer.from([KeyPrefix.QueueRegistry]);
}

export function queueRegistryKey(topic: string, queueId: number): Buffer {
  return new ByteWriter(32).u8(KeyPrefix.QueueRegistry).string16(topic).u32(queueId).finish();
}

export function decodeQueueRegistryKey(key: Uint8Array): { topic: string; queueId: number } {
  const reader = new ByteReader(key);
  if (reader.u8() !== KeyPrefix.QueueRegistry) throw new RecordDecodeError('not a queue registry key');
  const topic = reader.string16();
  const queueId = reader.u32();
  reader.expectEnd();
  return { topic, queueId };
}

export function encodeQueueRegistryRecord(queueInternalId: number): Buffer {
  return frameRecord(RecordFormat.QueueRegistry, new ByteWriter(4).u32(queueInternalId).finish());
}

export function decodeQueueRegistryRecord(record: Uint8Array): number {
  const reader = new ByteReader(unframeRecord(record, RecordFormat.QueueRegistry));
  const queueInternalId = reader.u32();
  reader.expectEnd();
  return queueInternalId;
}

// Queue meta: the committed extent of one queue.

export interface QueueMeta {
  topic: string;
  queueId: number;
  /** minOffset is the first retained offset. */
  minOffset: number;
  /** nextOffset is the offset the next appended message gets: every offset in [minOffset, nextOffset) is stored. */
  nextOffset: number;
}

export function queueMetaPrefix(): Buffer {
  return Buffer.from([KeyPrefix.QueueMeta]);
}

export function queueMetaKey(queueInternalId: number): Buffer {
  return new ByteWriter(5).u8(KeyPrefix.QueueMeta).u32(queueInternalId).finish();
}

export function decodeQueueMetaKey(key: Uint8Array): number {
  const reader = new ByteReader(key);
  if (reader.u8() !== KeyPrefix.QueueMeta) throw new RecordDecodeError('not a queue meta key');
  const queueInternalId = reader.u32();
  reader.expectEnd();
  return queueInternalId;
}

export function encodeQueueMeta(meta: QueueMeta): Buffer {
  assert(meta.minOffset <= meta.nextOffset, `queue meta min ${meta.minOffset} > next ${meta.nextOffset}`);
  const payload = new ByteWriter(64).string16(meta.topic).u32(meta.queueId).u64(meta.minOffset).u64(meta.nextOffset).finish();
  return frameRecord(RecordFormat.QueueMeta, payload);
}

export function decodeQueueMeta(record: Uint8Array): QueueMeta {
  const reader = new ByteReader(unframeRecord(record, RecordFormat.QueueMeta));
  const meta = { topic: reader.string16(), queueId: reader.u32(), minOffset: reader.u64(), nextOffset: reader.u64() };
  reader.expectEnd();
  if (meta.minOffset > meta.nextOffset) throw new RecordDecodeError(`queue meta min ${meta.minOffset} > next ${meta.nextOffset}`);
  return meta;
}

// Messages: one record per (queue, offset).

export function messageKey(queueInternalId: number, offset: number): Buffer {
  return new ByteWriter(13).u8(KeyPrefix.Message).u32(queueInternalId).u64(offset).finish();
}

/** queueMessagesPrefix is the prefix of every message key of one queue. */
export function queueMessagesPrefix(queueInternalId: number): Buffer {
  return new ByteWriter(5).u8(KeyPrefix.Message).u32(queueInternalId).finish();
}

export function decodeMessageKey(key: Uint8Array): { queueInternalId: number; offset: number } {
  const reader = new ByteReader(key);
  if (reader.u8() !== KeyPrefix.Message) throw new RecordDecodeError('not a message key');
  const queueInternalId = reader.u32();
  const offset = reader.u64();
  reader.expectEnd();
  return { queueInternalId, offset };
}

// Message-id index.

export function messageIdIndexPrefix(messageId: string): Buffer {
  return new ByteWriter(48).u8(KeyPrefix.MessageIdIndex).string16(messageId).finish();
}

export function messageIdIndexKey(messageId: string, queueInternalId: number, offset: number): Buffer {
  return new ByteWriter(64).u8(KeyPrefix.MessageIdIndex).string16(messageId).u32(queueInternalId).u64(offset).finish();
}

export function decodeMessageIdIndexKey(key: Uint8Array): { messageId: string; queueInternalId: number; offset: number } {
  const reader = new ByteReader(key);
  if (reader.u8() !== KeyPrefix.MessageIdIndex) throw new RecordDecodeError('not a message-id index key');
  const result = { messageId: reader.string16(), queueInternalId: reader.u32(), offset: reader.u64() };
  reader.expectEnd();
  return result;
}

// Key index.

export function keyIndexPrefix(topic: string, key: string): Buffer {
  return new ByteWriter(64).u8(KeyPrefix.KeyIndex).string16(topic).string16(key).finish();
}

/** keyIndexTimeBound is the key-index position of (topic, key) at `storeTimestampMs`, for time-range scans. */
export function keyIndexTimeBound(topic: string, key: string, storeTimestampMs: number): Buffer {
  return new ByteWriter(72).u8(KeyPrefix.KeyIndex).string16(topic).string16(key).u64(storeTimestampMs).finish();
}

export function keyIndexKey(topic: string, key: string, storeTimestampMs: number, queueInternalId: number, offset: number): Buffer {
  return new ByteWriter(96)
    .u8(KeyPrefix.KeyIndex)
    .string16(topic)
    .string16(key)
    .u64(storeTimestampMs)
    .u32(queueInternalId)
    .u64(offset)
    .finish();
}

export function decodeKeyIndexKey(indexKey: Uint8Array): {
  topic: string;
  key: string;
  storeTimestampMs: number;
  queueInternalId: number;
  offset: number;
} {
  const reader = new ByteReader(indexKey);
  if (reader.u8() !== KeyPrefix.KeyIndex) throw new RecordDecodeError('not a key index key');
  const result = {
    topic: reader.string16(),
    key: reader.string16(),
    storeTimestampMs: reader.u64(),
    queueInternalId: reader.u32(),
    offset: reader.u64(),
  };
  reader.expectEnd();
  return result;
}

// Timer index: delay messages waiting in the timer log, by due time.

/** TIMER_LOG_TOPIC is the system topic whose queue TIMER_LOG_QUEUE_ID holds every waiting delay message of a node (RocketMQ's name). */
export const TIMER_LOG_TOPIC = 'rmq_sys_wheel_timer';
export const TIMER_LOG_QUEUE_ID = 0;

export interface TimerIndexKey {
  dueMs: number;
  /** timerOffset is the message's offset in the timer log. */
  timerOffset: number;
}

/** TimerTarget is the queue a delay message is appended to when it falls due. */
export interface TimerTarget {
  topic: string;
  queueId: number;
}

export function timerIndexPrefix(): Buffer {
  return Buffer.from([KeyPrefix.TimerIndex]);
}

export function timerIndexKey(timer: TimerIndexKey): Buffer {
  return new ByteWriter(17).u8(KeyPrefix.TimerIndex).u64(timer.dueMs).u64(timer.timerOffset).finish();
}

/** timerIndexDueBound is the position after every timer due at or before `dueMs`, for `lt` range bounds. */
export function timerIndexDueBound(dueMs: number): Buffer {
  return new ByteWriter(9).u8(KeyPrefix.TimerIndex).u64(dueMs + 1).finish();
}

export function decodeTimerIndexKey(key: Uint8Array): TimerIndexKey {
  const reader = new ByteReader(key);
  if (reader.u8() !== KeyPrefix.TimerIndex) throw new RecordDecodeError('not a timer index key');
  const result = { dueMs: reader.u64(), timerOffset: reader.u64() };
  reader.expectEnd();
  return result;
}

export function encodeTimerIndexRecord(target: TimerTarget): Buffer {
  return frameRecord(RecordFormat.TimerIndex, new ByteWriter(32).string16(target.topic).u32(target.queueId).finish());
}

export function decodeTimerIndexRecord(record: Uint8Array): TimerTarget {
  const reader = new ByteReader(unframeRecord(record, RecordFormat.TimerIndex));
  const target = { topic: reader.string16(), queueId: reader.u32() };
  reader.expectEnd();
  return target;
}

// Transactions: half messages waiting in the half log for EndTransaction or an orphan check.

/** HALF_LOG_TOPIC is the system topic whose queue HALF_LOG_QUEUE_ID holds every half message of a node (RocketMQ's name). */
export const HALF_LOG_TOPIC = 'RMQ_SYS_TRANS_HALF_TOPIC';
export const HALF_LOG_QUEUE_ID = 0;

/** TransactionState is where a transaction is: waiting for its resolution, or resolved one way. */
export const TransactionState = { Pending: 0, Committed: 1, RolledBack: 2 } as const;
export type TransactionState = (typeof TransactionState)[keyof typeof TransactionState];

/** TransactionRecord is what a store node keeps of one transaction, under its 'X' key. */
export interface TransactionRecord {
  /** topic and queueId are the target queue a commit appends the message to. */
  topic: string;
  queueId: number;
  /** halfOffset is the message's offset in the half log. */
  halfOffset: number;
  bornMs: number;
  /** checkCount counts the orphan checks sent to producers so far. */
  checkCount: number;
  /** nextCheckMs is when the producer is asked next (meaningful while pending). */
  nextCheckMs: number;
  state: TransactionState;
}

export function transactionKey(transactionId: string): Buffer {
  return new ByteWriter(3 + Buffer.byteLength(transactionId)).u8(KeyPrefix.Transaction).string16(transactionId).finish();
}

export function encodeTransactionRecord(record: TransactionRecord): Buffer {
  const payload = new ByteWriter(64)
    .string16(record.topic)
    .u32(record.queueId)
    .u64(record.halfOffset)
    .u64(record.bornMs)
    .u32(record.checkCount)
    .u64(record.nextCheckMs)
    .u8(record.state)
    .finish();
  return frameRecord(RecordFormat.Transaction, payload);
}

export function decodeTransactionRecord(bytes: Uint8Array): TransactionRecord {
  const reader = new ByteReader(unframeRecord(bytes, RecordFormat.Transaction));
  const record = {
    topic: reader.string16(),
    queueId: reader.u32(),
    halfOffset: reader.u64(),
    bornMs: reader.u64(),
    checkCount: reader.u32(),
    nextCheckMs: reader.u64(),
    state: reader.u8(),
  };
  reader.expectEnd();
  if (record.state !== TransactionState.Pending && record.state !== TransactionState.Committed && record.state !== TransactionState.RolledBack) {
    throw new RecordDecodeError(`unknown transaction state ${record.state}`);
  }
  return { ...record, state: record.state as TransactionState };
}

/** transactionCheckPrefix is the start of `topic`'s check schedule. */
export function transactionCheckPrefix(topic: string): Buffer {
  return new ByteWriter(3 + Buffer.byteLength(topic)).u8(KeyPrefix.TransactionCheck).string16(topic).finish();
}

export function transactionCheckKey(topic: string, nextCheckMs: number, transactionId: string): Buffer {
  return new ByteWriter(64).u8(KeyPrefix.TransactionCheck).string16(topic).u64(nextCheckMs).string16(transactionId).finish();
}

/** transactionCheckDueBound is the position after every check of `topic` due at or before `nowMs`, for `lt` range bounds. */
export function transactionCheckDueBound(topic: string, nowMs: number): Buffer {
  return new ByteWriter(64).u8(KeyPrefix.TransactionCheck).string16(topic).u64(nowMs + 1).finish();
}

export function decodeTransactionCheckKey(key: Uint8Array): { topic: string; nextCheckMs: number; transactionId: string } {
  const reader = new ByteReader(key);
  if (reader.u8() !== KeyPrefix.TransactionCheck) throw new RecordDecodeError('not a transaction check key');
  const result = { topic: reader.string16(), nextCheckMs: reader.u64(), transactionId: reader.string16() };
  reader.expectEnd();
  return result;
}
