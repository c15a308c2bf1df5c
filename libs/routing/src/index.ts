export { RoundRobinQueueSelector, writableQueues, queueForMessageGroup, fnv1a64, jumpConsistentHash } from './queue-selector';
export type { QueueAddress } from './queue-selector';
