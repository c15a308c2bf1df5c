/**
 * limits holds the bounds libs/store-node applies at its edge (the StoreService it implements
 * is what a proxy calls, locally or over the internal protocol), each with the reason for its
 * number. Storage and consumption bounds live in their own libs and are reused here.
 */
import { POP_QUEUE_COUNT_MAX } from '@quiver/consumption';

/** TOPIC_NAME_BYTES_MAX admits every name a proxy derives: Apache caps topics at 127 chars and groups at 255, and `%DLQ%<group>` adds 5. */
export const TOPIC_NAME_BYTES_MAX = 512;

/** GROUP_NAME_BYTES_MAX is twice Apache's 255-character group limit, so any valid group passes. */
export const GROUP_NAME_BYTES_MAX = 512;

/** QUEUE_ID_MAX is the largest queue id: a pop visits at most POP_QUEUE_COUNT_MAX queues, 0-based. */
export const QUEUE_ID_MAX = POP_QUEUE_COUNT_MAX - 1;

/** MESSAGE_ID_BYTES_MAX admits v1 IDs (34 hex chars) and legacy IPv6 IDs (56) with room to spare; IDs are opaque otherwise. */
export const MESSAGE_ID_BYTES_MAX = 128;

/**
 * MESSAGE_METADATA_BYTES_MAX bounds a message's strings together (tag, keys, properties, hosts,
 * trace context): Apache allows 16 KiB of user properties with tag and keys; the rest leaves room
 * for properties the server adds (dead-letter origin) and stays within one u16 string field.
 */
export const MESSAGE_METADATA_BYTES_MAX = 60 * 1024;

/** POLL_TIMEOUT_MS_MAX is three times Apache's 20 s long-polling clamp: proxies clamp first, this only stops absurd waits. */
export const POLL_TIMEOUT_MS_MAX = 60_000;

/**
 * PARKED_POLLS_MAX bounds the long polls waiting on this node; each costs one timer and a few
 * closures. Beyond it a poll gets TOO_MANY_REQUESTS (PROTOCOL.md 7.7), which the Node client
 * retries after 20 ms, instead of the node growing without bound (RocketMQ issue #10052).
 */
export const PARKED_POLLS_MAX = 10_000;

/**
 * DEAD_LETTER_FORWARD_HOLD_MS is how long a message being forwarded to its dead-letter queue is
 * kept invisible: far longer than the copy and ack take, so nobody receives it meanwhile, and
 * short enough that a failed forward is redelivered soon.
 */
export const DEAD_LETTER_FORWARD_HOLD_MS = 60_000;

/** DELIVERY_ATTEMPTS_DEFAULT applies when a pop names no maximum: Apache's 16 retries + 1. */
export const DELIVERY_ATTEMPTS_DEFAULT = 17;

/**
 * TIMER_FIRE_PAGE_ENTRIES is how many due timers one step of a fire pass reads and delivers
 * together: enough to fill a group commit, small enough that a burst of millions of due timers
 * is never held in memory at once.
 */
export const TIMER_FIRE_PAGE_ENTRIES = 256;

/** TIMER_RETRY_DELAY_MS is the pause before a fire pass that failed (store unavailable) runs again. */
export const TIMER_RETRY_DELAY_MS = 1_000;

/**
 * TIMER_WAKE_DELAY_MS_MAX caps one wait of the node's timer: Node's setTimeout holds at most
 * 2^31-1 ms (about 24.8 days) and delays reach 40 days; a wake that finds nothing due re-arms.
 */
export const TIMER_WAKE_DELAY_MS_MAX = 60 * 60 * 1000;

/**
 * TRANSACTION_CHECK_IMMUNITY_MS_DEFAULT is how long after its born time a half message waits
 * before its producer is first asked to check it, unless the message says otherwise: Apache's 6 s.
 */
export const TRANSACTION_CHECK_IMMUNITY_MS_DEFAULT = 6_000;

/** TRANSACTION_CHECK_IMMUNITY_MS_MAX caps a message's own `orphaned_transaction_recovery_duration`: one hour, as Apache's proxy. */
export const TRANSACTION_CHECK_IMMUNITY_MS_MAX = 60 * 60 * 1000;

/** TRANSACTION_CHECK_INTERVAL_MS is the pause between two orphan checks of one transaction: Apache's 30 s. */
export const TRANSACTION_CHECK_INTERVAL_MS = 30_000;

/** TRANSACTION_CHECKS_MAX is how many orphan checks a transaction gets before it is rolled back: Apache's 15. */
export const TRANSACTION_CHECKS_MAX = 15;

/** ORPHANED_TRANSACTIONS_PAGE_MAX bounds one orphan listing, so a scan never holds a topic's backlog of half messages in memory. */
export const ORPHANED_TRANSACTIONS_PAGE_MAX = 64;
