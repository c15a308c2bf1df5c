import { v2 } from '@quiver/protocol';
import { RawClient, type Deployment } from '@quiver/testing';
import type { SimpleConsumer } from 'rocketmq-client-nodejs';
import { adminPost, deployments, drainSimple, sleep, startProducer, startSimpleConsumer, uniqueName } from './support';

/**
 * Offsets through the official client (PROTOCOL.md 7.2, 7.14): a new group starts at the latest
 * offset as of the moment it is first known, or where it says; an admin reset to a time replays
 * from there, also across kill -9 of the store nodes; PullMessage gives every puller every
 * message (broadcast), with committed offsets and offset queries by time.
 */

const bodiesOf = (messages: Array<{ body: Buffer }>): string[] => [...new Set(messages.map((message) => message.body.toString('utf8')))].sort();
const named = (prefix: string, count: number): string[] => Array.from({ length: count }, (_, index) => `${prefix}-${index}`).sort();

/**
 * receiveFor receives and acks until `expected` distinct bodies arrived or `ms` passed (with
 * expected 0: for all of `ms`, to show what does not arrive). Receive failures while a process
 * restarts are retried shortly: the client reconnects.
 */
async function receiveFor(consumer: SimpleConsumer, ms: number, expected = 0): Promise<string[]> {
  const bodies = new Set<string>();
  const deadline = Date.now() + ms;
  while (Date.now() < deadline && (expected === 0 || bodies.size < expected)) {
    let batch: Awaited<ReturnType<SimpleConsumer['receive']>>;
    try {
      batch = await consumer.receive(32, 30_000);
    } catch {
      await sleep(250);
      continue;
    }
    for (const message of batch) {
      bodies.add(message.body.toString('utf8'));
      await consumer.ack(message);
    }
  }
  return [...bodies].sort();
}

describe.each(deployments)('offsets and replay - %s', (_name, start) => {
  let deployment: Deployment;

  beforeAll(async () => {
    deployment = await start();
  }, 60_000);

  afterAll(async () => {
    await deployment?.close();
  });

  it('start - a new group gets what is sent once it is known, never what was sent before', async () => {
    const topic = uniqueName('start_latest');
    await adminPost(deployment, '/v1/topics', { name: topic, messageType: 'NORMAL', queueCount: 2 });
    const producer = await startProducer(deployment.endpoints[0]!, topic);
    try {
      for (const body of named('before', 5)) await producer.send({ topic, body: Buffer.from(body) });
      // The consumer starts (heartbeat and settings make its group known) before anything else is sent.
      const consumer = await startSimpleConsumer(deployment.endpoints[deployment.endpoints.length - 1]!, uniqueName('latest_group'), topic);
      try {
        for (const body of named('after', 5)) await producer.send({ topic, body: Buffer.from(body) });
        expect(bodiesOf(await drainSimple(consumer, 5, 30_000))).toEqual(named('after', 5));
        expect(await receiveFor(consumer, 4_000)).toEqual([]);
      } finally {
        await consumer.shutdown();
      }
    } finally {
      await producer.shutdown();
    }
  }, 90_000);

  it('start - a group created to start at the earliest offset gets what was sent before it existed', async () => {
    const topic = uniqueName('start_earliest');
    const group = uniqueName('earliest_group');
    await adminPost(deployment, '/v1/topics', { name: topic, messageType: 'NORMAL', queueCount: 2 });
    const producer = await startProducer(deployment.endpoints[0]!, topic);
    try {
      for (const body of named('old', 6)) await producer.send({ topic, body: Buffer.from(body) });
      await adminPost(deployment, '/v1/groups', { name: group, startPolicy: 'EARLIEST' });
      const consumer = await startSimpleConsumer(deployment.endpoints[0]!, group, topic);
      try {
        expect(bodiesOf(await drainSimple(consumer, 6, 30_000))).toEqual(named('old', 6));
      } finally {
        await consumer.shutdown();
      }
    } finally {
      await producer.shutdown();
    }
  }, 90_000);

  it('reset - resetting a group to a time replays what was stored from then on, also after kill -9 of the store nodes', async () => {
    const topic = uniqueName('replay');
    const group = uniqueName('replay_group');
    await adminPost(deployment, '/v1/topics', { name: topic, messageType: 'NORMAL', queueCount: 2 });
    const consumer = await startSimpleConsumer(deployment.endpoints[0]!, group, topic);
    const producer = await startProducer(deployment.endpoints[0]!, topic);
    try {
      for (const body of named('first', 5)) await producer.send({ topic, body: Buffer.from(body) });
      await sleep(50);
      const replayFrom = new Date();
      await sleep(50);
      for (const body of named('second', 5)) await producer.send({ topic, body: Buffer.from(body) });
      expect(bodiesOf(await drainSimple(consumer, 10, 30_000))).toEqual([...named('first', 5), ...named('second', 5)].sort());

      const reset = (await adminPost(deployment, `/v1/groups/${group}/offsets/reset`, { topic, timestamp: replayFrom.toISOString() })) as {
        queues: Array<{ storeNode: string; queueId: number; offset: number }>;
      };
      expect(reset.queues.length).toBe(2 * (deployment.kind === 'cluster' ? 2 : 1));
      await deployment.crashAndRestartStoreNodes();

      expect(await receiveFor(consumer, 60_000, 5)).toEqual(named('second', 5));
      expect(await receiveFor(consumer, 3_000)).toEqual([]);
    } finally {
      await producer.shutdown();
      await consumer.shutdown();
    }
  }, 180_000);

  it('pull - every puller sees every message (broadcast); committed offsets read back after kill -9; offsets resolve by time', async () => {
    const topic = uniqueName('pull');
    await adminPost(deployment, '/v1/topics', { name: topic, messageType: 'NORMAL', queueCount: 2 });
    const beforeSends = Date.now() - 1;
    const producer = await startProducer(deployment.endpoints[0]!, topic);
    const raw = new RawClient(deployment.endpoints[0]!);
    try {
      for (const body of named('pulled', 12)) await producer.send({ topic, body: Buffer.from(body), tag: body.endsWith('1') ? 'odd' : 'plain' });
      const route = await raw.queryRoute({ topic: { resourceNamespace: '', name: topic } });
      expect(route.status?.code).toBe(v2.Code.OK);
      const queues = route.messageQueues;

      /** pullAll reads every queue from its beginning to its end, as one broadcast consumer instance does. */
      const pullAll = async (group: string, filter?: v2.FilterExpression): Promise<string[]> => {
        const bodies: string[] = [];
        for (const messageQueue of queues) {
          const begin = await raw.queryOffset({ messageQueue, queryOffsetPolicy: v2.QueryOffsetPolicy.BEGINNING });
          const end = await raw.queryOffset({ messageQueue, queryOffsetPolicy: v2.QueryOffsetPolicy.END });
          expect(begin.status?.code).toBe(v2.Code.OK);
          let offset = begin.offset;
          for (let pulls = 0; offset < end.offset && pulls < 20; pulls++) {
            const frames = await raw.pullMessage({
              group: { resourceNamespace: '', name: group },
              messageQueue,
              offset,
              batchSize: 4,
              ...(filter ? { filterExpression: filter } : {}),
              longPollingTimeout: { seconds: 1, nanos: 0 },
            });
            expect(frames[0]?.content?.$case).toBe('status');
            for (const frame of frames) {
              if (frame.content?.$case === 'message') bodies.push(Buffer.from(frame.content.value.body).toString('utf8'));
              if (frame.content?.$case === 'nextOffset') offset = frame.content.value;
            }
          }
          const committed = await raw.updateOffset({ group: { resourceNamespace: '', name: group }, messageQueue, offset });
          expect(committed.status?.code).toBe(v2.Code.OK);
        }
        return bodies.sort();
      };

      expect(await pullAll('instance_a')).toEqual(named('pulled', 12));
      expect(await pullAll('instance_b')).toEqual(named('pulled', 12));
      expect(await pullAll('instance_c', { type: v2.FilterType.TAG, expression: 'odd' })).toEqual(named('pulled', 12).filter((body) => body.endsWith('1')));

      const byTime = await raw.queryOffset({ messageQueue: queues[0]!, queryOffsetPolicy: v2.QueryOffsetPolicy.TIMESTAMP, timestamp: { seconds: Math.floor(beforeSends / 1000), nanos: 0 } });
      expect(byTime.status?.code).toBe(v2.Code.OK);
      expect(byTime.offset).toBe(0);
      const future = await raw.queryOffset({ messageQueue: queues[0]!, queryOffsetPolicy: v2.QueryOffsetPolicy.TIMESTAMP, timestamp: { seconds: Math.floor(Date.now() / 1000) + 3600, nanos: 0 } });
      const end = await raw.queryOffset({ messageQueue: queues[0]!, queryOffsetPolicy: v2.QueryOffsetPolicy.END });
      expect(future.offset).toBe(end.offset);

      await deployment.crashAndRestartStoreNodes();
      for (const messageQueue of queues) {
        // Until the proxy reconnects to a restarted store node, calls answer STORE_UNAVAILABLE (retriable).
        let read = await raw.getOffset({ group: { resourceNamespace: '', name: 'instance_a' }, messageQueue });
        for (let retries = 0; read.status?.code !== v2.Code.OK && retries < 40; retries++) {
          await sleep(250);
          read = await raw.getOffset({ group: { resourceNamespace: '', name: 'instance_a' }, messageQueue });
        }
        const queueEnd = await raw.queryOffset({ messageQueue, queryOffsetPolicy: v2.QueryOffsetPolicy.END });
        expect(read.status?.code).toBe(v2.Code.OK);
        expect(read.offset).toBe(queueEnd.offset);
      }

      // A queue that is not in the route, and an offset past the end, are refused.
      const unknownBroker = await raw.getOffset({ group: { resourceNamespace: '', name: 'instance_a' }, messageQueue: { ...queues[0]!, broker: { name: 'nowhere', id: 0 } } });
      expect(unknownBroker.status?.code).toBe(v2.Code.BAD_REQUEST);
      const pastEnd = await raw.updateOffset({ group: { resourceNamespace: '', name: 'instance_a' }, messageQueue: queues[0]!, offset: 1_000_000 });
      expect(pastEnd.status?.code).toBe(v2.Code.BAD_REQUEST);
    } finally {
      raw.close();
      // In standalone the restart took the producer's connection down too: its goodbye may not arrive.
      await producer.shutdown().catch(() => undefined);
    }
  }, 180_000);
});
