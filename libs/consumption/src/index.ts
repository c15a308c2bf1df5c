/**
 * @quiver/consumption: pop/ack state per consumer group (PROTOCOL.md 7.1-7.5) over the store
 * node's KeyValueStore, and the tag filter. No gRPC here.
 */
export { KeyValuePopState } from './key-value-pop-state';
export { moveConsumerState } from './consumer-state-move';
export type { ConsumerStateMove } from './consumer-state-move';
export type { KeyValuePopStateOptions, PopStateRequest, ChangedInvisibility } from './key-value-pop-state';
export type { StartPosition } from '@quiver/core';
export { queueOffsetAt, startOffset, checkStartPosition } from './start-offsets';
export { compileFilter } from './tag-filter';
export type { MessageFilter } from './tag-filter';
export {
  POP_BATCH_MESSAGES_MAX,
  POP_QUEUE_COUNT_MAX,
  IN_FLIGHT_PER_QUEUE_MAX,
  IN_FLIGHT_TOTAL_MAX,
  QUEUE_STATES_MAX,
  POP_SCAN_MESSAGES_MAX,
  POP_READ_CHUNK_MESSAGES,
  INVISIBLE_DURATION_MS_MAX,
  ACK_ENTRIES_MAX,
  FILTER_EXPRESSION_BYTES_MAX,
  GROUP_TOPIC_WAITERS_MAX,
  YOUNG_QUEUE_MESSAGES_MAX,
} from './limits';
