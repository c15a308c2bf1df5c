import type { TopicRoute } from '@quiver/client';

/** QueueAddress names one queue of a topic: the store node that owns it and its id there. */
export interface QueueAddress {
  storeNode: string;
  queueId: number;
}

/**
 * writableQueues lists a route's queues on live store nodes in a stable order (store node,
 * then queue id), the order every proxy agrees on.
 */
export function writableQueues(route: TopicRoute): QueueAddress[] {
  const queues: QueueAddress[] = [];
  for (const placement of [...route.placements].sort((a, b) => (a.storeNode < b.storeNode ? -1 : a.storeNode > b.storeNode ? 1 : 0))) {
    if (!placement.live) continue;
    for (let queueId = 0; queueId < placement.queueCount; queueId++) {
      queues.push({ storeNode: placement.storeNode, queueId });
    }
  }
  return queues;
}

/**
 * RoundRobinQueueSelector spreads sends over every writable queue of a topic, ignoring the
 * queue the client picked (the official clients address queues inconsistently).
 */
export class RoundRobinQueueSelector {
  private counter = 0;

  constructor(start = 0) {
    this.counter = start;
  }

  select(route: TopicRoute): QueueAddress | undefined {
    const queues = writableQueues(route);
    if (queues.length === 0) return undefined;
    this.counter = (this.counter + 1) % 0x7fffffff;
    return queues[this.counter % queues.length];
  }
}

/**
 * queueForMessageGroup maps a message group to one queue with a jump consistent hash over the
 * writable queues, so every proxy sends a group to the same queue and adding queues moves
 * only a fraction of groups.
 */
export function queueForMessageGroup(route: TopicRoute, messageGroup: string): QueueAddress | undefined {
  const queues = writableQueues(route);
  if (queues.length === 0) return undefined;
  return queues[jumpConsistentHash(fnv1a64(messageGroup), queues.length)];
}

/** fnv1a64 hashes UTF-8 text to 64 bits (FNV-1a). */
export function fnv1a64(text: string): bigint {
  let hash = 0xcbf29ce484222325n;
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= BigInt(byte);
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return hash;
}

/** jumpConsistentHash is Lamping and Veach's jump hash: a bucket in [0, buckets). */
export function jumpConsistentHash(key: bigint, buckets: number): number {
  let k = key;
  let b = -1;
  let j = 0;
  while (j < buckets) {
    b = j;
    k = (k * 2862933555777941757n + 1n) & 0xffffffffffffffffn;
    j = Math.floor((b + 1) * (Number(1n << 31n) / Number((k >> 33n) + 1n)));
  }
  return b;
}
