/**
 * limits holds every bound of libs/storage, each with the reason for its number. Bounds that
 * relate to each other are asserted in `limits.spec.ts`.
 */

/** STRING_FIELD_BYTES_MAX is the largest UTF-8 string a record or key holds: its length is a u16. */
export const STRING_FIELD_BYTES_MAX = 0xffff;

/** MESSAGE_BODY_BYTES_MAX is Apache RocketMQ's default max_body_size (4 MiB); the proxy rejects larger bodies first. */
export const MESSAGE_BODY_BYTES_MAX = 4 * 1024 * 1024;

/** MESSAGE_KEY_COUNT_MAX bounds the key-index entries one message adds to a write batch; the count is a u16 on disk. */
export const MESSAGE_KEY_COUNT_MAX = 64;

/** MESSAGE_PROPERTY_COUNT_MAX is Apache's 128 user properties plus room for properties the server adds (DLQ origin, ...). */
export const MESSAGE_PROPERTY_COUNT_MAX = 256;

/** APPEND_MESSAGES_MAX bounds one append request; a producer batch larger than this is split by the caller. */
export const APPEND_MESSAGES_MAX = 1024;

/** APPEND_BYTES_MAX bounds one append request's encoded records: two maximum bodies plus their metadata. */
export const APPEND_BYTES_MAX = 2 * MESSAGE_BODY_BYTES_MAX + 1024 * 1024;

/**
 * GROUP_COMMIT_MESSAGES_MAX bounds the messages merged into one write batch: large enough that one
 * fsync acks many producers, small enough that one batch's LevelDB write stays in the low milliseconds.
 */
export const GROUP_COMMIT_MESSAGES_MAX = 4096;

/** GROUP_COMMIT_BYTES_MAX bounds one write batch's encoded size; LevelDB holds a batch in memory twice while writing it. */
export const GROUP_COMMIT_BYTES_MAX = 16 * 1024 * 1024;

/**
 * APPEND_PENDING_REQUESTS_MAX bounds the appends waiting for the group commit; beyond it appends fail fast with
 * TOO_MANY_REQUESTS instead of queueing without bound (RocketMQ issues #10052, #3277: unbounded queues ran out of memory).
 */
export const APPEND_PENDING_REQUESTS_MAX = 8192;

/** READ_MESSAGES_MAX bounds one read; a pop reads at most a batch (32) at a time, queries a page. */
export const READ_MESSAGES_MAX = 1024;

/**
 * RECENT_RECORDS_BYTES_MAX is the size of the queue log's ring of recently committed records, which
 * serves consumers that keep up without a LevelDB call: such a consumer reads within a batch or two
 * of the tail, and the ring is fixed memory the node holds for its whole life, so it stays small.
 */
export const RECENT_RECORDS_BYTES_MAX = 8 * 1024 * 1024;

/**
 * SEQUENCE_RUNS_MAX bounds the runs of recent appends (offsets at consecutive record-log sequences,
 * about 24 bytes each, over all queues) whose sequences the queue log remembers, so a read of them
 * skips the index's pointers: one LevelDB call instead of two. Past it each queue keeps its newer half.
 */
export const SEQUENCE_RUNS_MAX = 65_536;

/**
 * RECORD_LOG_BATCH_BYTES_MIN is the smallest group-commit batch (estimated bytes) whose records go
 * to the record log; smaller ones are written inline with the index in one fsynced write. Below it
 * the log's second write, a thread-pool hop per batch, cost more server CPU per message (single
 * sends through a cluster, docs/performance.md session 7) than the compaction it saves at that rate.
 */
export const RECORD_LOG_BATCH_BYTES_MIN = 32 * 1024;

/** ITERATE_ENTRIES_MAX bounds one key-value range scan, so every scan's memory is bounded; callers page. */
export const ITERATE_ENTRIES_MAX = 10_000;

/** LOOKUP_MESSAGES_MAX bounds a lookup by message ID or key: a producer retry or a hot key can match many messages. */
export const LOOKUP_MESSAGES_MAX = 64;

/** QUEUE_INTERNAL_ID_MAX is the largest internal queue id: ids are u32 in keys. */
export const QUEUE_INTERNAL_ID_MAX = 0xffff_ffff;

/** QUEUE_ID_MAX is the largest queue id a key holds (u32); topics have far fewer queues. */
export const QUEUE_ID_MAX = 0xffff_ffff;
