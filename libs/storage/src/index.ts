/**
 * @quiver/storage: the store node's storage engine. A KeyValueStore (LevelDB, or its
 * in-memory twin) holds everything; the QueueLog keeps each queue's messages in it, with
 * group commit and per-record checksums; layout.ts says where every byte goes.
 * Only this lib imports classic-level.
 */
export type { KeyValueStore, KeyValueOperation, KeyValueEntry, KeyRange, IterateOptions, WriteOptions } from './kv/key-value-store';
export { LevelKeyValueStore } from './level/level-key-value-store';
export type { LevelKeyValueStoreOptions } from './level/level-key-value-store';
export { MemoryKeyValueStore } from './memory/memory-key-value-store';
export { forEachPage } from './kv/scan';
export type { QueueLog, AppendOptions, AppendedMessages, KeyQuery, FlushMode, CorruptedQueue } from './queue-log/queue-log';
export { KeyValueQueueLog } from './queue-log/key-value-queue-log';
export type { RecordLog, SequencedRecord } from './record-log/record-log';
export { KeyValueRecordLog } from './record-log/key-value-record-log';
export { FileRecordLog, RECORD_LOG_SEGMENT_BYTES_TARGET, RECORD_LOG_INDEX_CACHE_BYTES_MAX, RECORD_LOG_OPEN_FILES_MAX } from './record-log/file-record-log';
export type { FileRecordLogOptions } from './record-log/file-record-log';
export type { SegmentDirectory, SegmentFile } from './record-log/segment-files';
export { NodeSegmentDirectory } from './record-log/segment-files';
export { moveRecordLog } from './record-log/move-record-log';
export type { KeyValueQueueLogOptions } from './queue-log/key-value-queue-log';
export { ByteReader, ByteWriter, RecordDecodeError } from './bytes';
export { KeyPrefix, LAYOUT_VERSION, RECORD_HEADER_BYTES, frameRecord, unframeRecord, frameU64Record, unframeU64Record, prefixUpperBound } from './layout';
export {
  TIMER_LOG_TOPIC,
  TIMER_LOG_QUEUE_ID,
  timerIndexPrefix,
  timerIndexKey,
  timerIndexDueBound,
  decodeTimerIndexKey,
  encodeTimerIndexRecord,
  decodeTimerIndexRecord,
} from './layout';
export type { TimerIndexKey, TimerTarget } from './layout';
export {
  HALF_LOG_TOPIC,
  HALF_LOG_QUEUE_ID,
  TransactionState,
  transactionKey,
  encodeTransactionRecord,
  decodeTransactionRecord,
  transactionCheckPrefix,
  transactionCheckKey,
  transactionCheckDueBound,
  decodeTransactionCheckKey,
} from './layout';
export type { TransactionRecord } from './layout';
export { encodeMessageRecord, decodeMessageRecord } from './message-record';
export {
  STRING_FIELD_BYTES_MAX,
  MESSAGE_BODY_BYTES_MAX,
  MESSAGE_KEY_COUNT_MAX,
  MESSAGE_PROPERTY_COUNT_MAX,
  APPEND_MESSAGES_MAX,
  APPEND_BYTES_MAX,
  GROUP_COMMIT_MESSAGES_MAX,
  GROUP_COMMIT_BYTES_MAX,
  APPEND_PENDING_REQUESTS_MAX,
  READ_MESSAGES_MAX,
  ITERATE_ENTRIES_MAX,
  LOOKUP_MESSAGES_MAX,
} from './limits';
