import fc from 'fast-check';
import type { TopicRoute } from '@quiver/client';
import { jumpConsistentHash, queueForMessageGroup, RoundRobinQueueSelector, writableQueues } from './queue-selector';

const route: TopicRoute = {
  name: 't',
  messageType: 'NORMAL',
  placements: [
    { storeNode: 'b', address: 'b:1', queueCount: 2, live: true },
    { storeNode: 'a', address: 'a:1', queueCount: 2, live: true },
    { storeNode: 'c', address: 'c:1', queueCount: 2, live: false },
  ],
};

describe('routing - queue selection', () => {
  it('writable queues skip dead store nodes and are ordered by node then id', () => {
    expect(writableQueues(route)).toEqual([
      { storeNode: 'a', queueId: 0 },
      { storeNode: 'a', queueId: 1 },
      { storeNode: 'b', queueId: 0 },
      { storeNode: 'b', queueId: 1 },
    ]);
  });

  it('round robin visits every writable queue equally', () => {
    const selector = new RoundRobinQueueSelector();
    const counts = new Map<string, number>();
    for (let i = 0; i < 400; i++) {
      const queue = selector.select(route)!;
      const key = `${queue.storeNode}/${queue.queueId}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect([...counts.values()]).toEqual([100, 100, 100, 100]);
  });

  it('no live queue selects nothing', () => {
    expect(new RoundRobinQueueSelector().select({ ...route, placements: [] })).toBeUndefined();
  });

  it('a message group always maps to the same queue', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 63 }), (group) => {
        expect(queueForMessageGroup(route, group)).toEqual(queueForMessageGroup(route, group));
      }),
    );
  });

  it('jump hash stays in range and moves few keys when a bucket is added', () => {
    let moved = 0;
    for (let key = 0n; key < 1000n; key++) {
      const before = jumpConsistentHash(key * 7919n, 10);
      const after = jumpConsistentHash(key * 7919n, 11);
      expect(before).toBeGreaterThanOrEqual(0);
      expect(before).toBeLessThan(10);
      if (before !== after) moved++;
    }
    // Ideal is 1000/11 ≈ 91 keys; a plain modulo would move about 900.
    expect(moved).toBeLessThan(200);
  });
});
