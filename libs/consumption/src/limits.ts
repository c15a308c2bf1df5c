/**
 * limits holds every bound of libs/consumption, each with the reason for its number.
 * Relationships between them are asserted in `limits.spec.ts`.
 */

/** POP_BATCH_MESSAGES_MAX is Apache's receive batch maximum (PROTOCOL.md 7.7): clients ask for at most 32. */
export const POP_BATCH_MESSAGES_MAX = 32;

/** POP_QUEUE_COUNT_MAX bounds the queues one pop visits; Apache's default is 8 per topic, this leaves room for wide topics. */
export const POP_QUEUE_COUNT_MAX = 1024;

/**
 * IN_FLIGHT_PER_QUEUE_MAX bounds the handed-out, unacked messages of one group on one queue. When a
 * queue reaches it, pop stops handing out that queue's new messages until acks or redeliveries
 * make room: slow consumers then cannot grow the in-memory index (RocketMQ issue #3277) or the
 * redelivery work without bound. 64 full batches.
 */
export const IN_FLIGHT_PER_QUEUE_MAX = 64 * POP_BATCH_MESSAGES_MAX;

/** IN_FLIGHT_TOTAL_MAX bounds all in-flight records of the node: about 100 bytes each in memory, so about 100 MB. */
export const IN_FLIGHT_TOTAL_MAX = 1_000_000;

/** QUEUE_STATES_MAX bounds the (group, topic, queue) states the node keeps in memory; beyond it new ones get TOO_MANY_REQUESTS. */
export const QUEUE_STATES_MAX = 200_000;

/**
 * POP_SCAN_MESSAGES_MAX bounds the stored messages one pop reads per queue, counting filtered-out
 * ones: a selective tag filter over a deep backlog then costs bounded work per pop, and the cursor
 * still advances so the next pop continues.
 */
export const POP_SCAN_MESSAGES_MAX = 1024;

/** POP_READ_CHUNK_MESSAGES is how many messages a pop reads from the log at a time: one full batch. */
export const POP_READ_CHUNK_MESSAGES = POP_BATCH_MESSAGES_MAX;

/** INVISIBLE_DURATION_MS_MAX is Apache's 12 h maximum for receive and change-invisible-duration. */
export const INVISIBLE_DURATION_MS_MAX = 12 * 60 * 60 * 1000;

/** ACK_ENTRIES_MAX bounds the entries of one ack: Node acks one at a time, Java batches up to a receive batch; this is generous. */
export const ACK_ENTRIES_MAX = 1024;

/**
 * ACK_COALESCED_ENTRIES_MAX bounds the entries of acks written together: acks that arrive while a
 * (group, topic) is busy share one state write (the official clients ack one message per call,
 * 32 or more at once), up to one full ack's worth.
 */
export const ACK_COALESCED_ENTRIES_MAX = ACK_ENTRIES_MAX;

/** FILTER_EXPRESSION_BYTES_MAX bounds a tag expression; tags are short and Apache caps a tag with the properties at 16 KiB. */
export const FILTER_EXPRESSION_BYTES_MAX = 16 * 1024;

/**
 * GROUP_TOPIC_WAITERS_MAX bounds the calls waiting for one (group, topic)'s serializer; beyond it
 * they fail fast with TOO_MANY_REQUESTS instead of queueing without bound.
 */
export const GROUP_TOPIC_WAITERS_MAX = 4096;

/**
 * POP_GENERATION_RESERVATION_BLOCK is how many pop generations one durable reservation covers:
 * one fsync per million hand-outs, and a restart skips at most that many numbers of the 2^53.
 */
export const POP_GENERATION_RESERVATION_BLOCK = 1_000_000;

/**
 * YOUNG_QUEUE_MESSAGES_MAX is how many messages a queue that still begins at offset 0 may hold
 * and count as young for the YOUNG_EARLIEST start policy (Apache's "still in memory" exception,
 * made deterministic).
 */
export const YOUNG_QUEUE_MESSAGES_MAX = 10_000;
