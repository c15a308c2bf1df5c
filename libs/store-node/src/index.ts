/**
 * @quiver/store-node: the store node. `openLocalStore` opens its storage and returns its
 * LocalStoreService (the StoreService a proxy calls in-process in standalone, or through the
 * internal gRPC server in a cluster).
 */
export { LocalStoreService } from './local-store.service';
export type { LocalStoreServiceOptions } from './local-store.service';
export { openLocalStore, LEVELDB_DIRECTORY, CONSUMER_STATE_DIRECTORY, RECORD_LOG_DIRECTORY } from './local-store';
export type { OpenLocalStoreOptions, LocalStore } from './local-store';
// run-store-node.ts (the cluster process: internal gRPC server and name-server heartbeat) is written by the transport work.
export { runStoreNode, storeNodeMain } from './run-store-node';
export { DeadLetterProperty, DEAD_LETTER_QUEUE_ID, deadLetterCopy } from './dead-letter';
export {
  TOPIC_NAME_BYTES_MAX,
  GROUP_NAME_BYTES_MAX,
  QUEUE_ID_MAX,
  MESSAGE_ID_BYTES_MAX,
  MESSAGE_METADATA_BYTES_MAX,
  POLL_TIMEOUT_MS_MAX,
  PARKED_POLLS_MAX,
  DEAD_LETTER_FORWARD_HOLD_MS,
} from './limits';
