import type { MessageView } from 'rocketmq-client-nodejs';
import { RawClient, wireMessage, type Deployment } from '@quiver/testing';
import { v2 } from '@quiver/protocol';
import { deployments, drainSimple, runBounded, startProducer, startPushConsumer, startSimpleConsumer, uniqueName, waitFor } from './support';

const SENT_THROUGH_CLIENT = 10_000;
const RAW_BATCHES = 20;
const RAW_BATCH_SIZE = 25;
/** Crash under batched sends: senders, messages per SendMessage and body size (a batch is about 60 KiB). */
const CRASH_SENDERS = 4;
const CRASH_BATCH_SIZE = 100;
const CRASH_BODY_BYTES = 600;

describe.each(deployments)('%s - normal messages through the official client', (_name, start) => {
  let deployment: Deployment;
  const endpoint = (index: number): string => deployment.endpoints[index % deployment.endpoints.length]!;

  beforeAll(async () => {
    deployment = await start();
  }, 120_000);

  afterAll(async () => {
    await deployment?.close();
  }, 60_000);

  it('every sent message reaches a simple and a push consumer group exactly by content', async () => {
    const topic = uniqueName('e2e_normal');
    const simple = await startSimpleConsumer(endpoint(1), uniqueName('simple'), topic);
    const pushed: MessageView[] = [];
    const push = await startPushConsumer(endpoint(0), uniqueName('push'), topic, pushed);
    const producer = await startProducer(endpoint(0), topic);
    const expected = new Map<string, { tag: string; keys: string[]; properties: Record<string, string> }>();
    try {
      await runBounded(SENT_THROUGH_CLIENT, 64, async (i) => {
        const body = `client-${i}`;
        const tag = `tag-${i % 4}`;
        const properties = { index: String(i), origin: 'official-client' };
        expected.set(body, { tag, keys: [`key-${i}`, `k2-${i}`], properties });
        const receipt = await producer.send({ topic, body: Buffer.from(body), tag, keys: [`key-${i}`, `k2-${i}`], properties: new Map(Object.entries(properties)) });
        expect(receipt.messageId).toBeTruthy();
      });
      const raw = new RawClient(endpoint(1));
      try {
        for (let b = 0; b < RAW_BATCHES; b++) {
          const messages = Array.from({ length: RAW_BATCH_SIZE }, (_, j) => {
            const body = `batch-${b}-${j}`;
            expected.set(body, { tag: 'batched', keys: [`bk-${b}-${j}`], properties: { batch: String(b) } });
            return wireMessage(topic, Buffer.from(body), { tag: 'batched', keys: [`bk-${b}-${j}`], properties: { batch: String(b) } });
          });
          const response = await raw.sendMessage({ messages });
          expect(response.status?.code).toBe(v2.Code.OK);
          expect(response.entries).toHaveLength(RAW_BATCH_SIZE);
          response.entries.forEach((entry, j) => {
            expect(entry.status?.code).toBe(v2.Code.OK);
            expect(entry.messageId).toBe(messages[j]!.systemProperties!.messageId);
            expect(entry.transactionId).toBe(entry.messageId);
          });
        }
      } finally {
        raw.close();
      }
      const total = SENT_THROUGH_CLIENT + RAW_BATCHES * RAW_BATCH_SIZE;
      expect(expected.size).toBe(total);

      const received = await drainSimple(simple, total, 240_000);
      const distinct = new Map(received.map((message) => [message.body.toString('utf8'), message]));
      expect(distinct.size).toBe(total);
      for (const [body, message] of distinct) {
        const want = expected.get(body);
        expect(want).toBeDefined();
        expect(message.tag).toBe(want!.tag);
        expect(message.keys).toEqual(want!.keys);
        expect(Object.fromEntries(message.properties)).toEqual(want!.properties);
        expect(message.deliveryAttempt).toBeGreaterThanOrEqual(1);
        expect(message.topic).toBe(topic);
      }

      await waitFor('the push consumer to see every message', () => new Set(pushed.map((m) => m.body.toString('utf8'))).size >= total, 240_000);
      const pushedBodies = new Set(pushed.map((message) => message.body.toString('utf8')));
      expect([...pushedBodies].sort()).toEqual([...expected.keys()].sort());
    } finally {
      await producer.shutdown();
      await simple.shutdown();
      await push.shutdown();
    }
  }, 600_000);

  it('an unacked message comes back after its invisible duration with the next delivery attempt', async () => {
    const topic = uniqueName('e2e_redeliver');
    const consumer = await startSimpleConsumer(endpoint(0), uniqueName('g'), topic);
    const producer = await startProducer(endpoint(0), topic);
    try {
      const sent = await producer.send({ topic, body: Buffer.from('come back') });
      const [first] = await receiveUntil(consumer, 1, 10_000);
      expect(first?.messageId).toBe(sent.messageId);
      expect(first?.deliveryAttempt).toBe(1);
      const receivedAt = Date.now();
      const [again] = await receiveUntil(consumer, 1, 10_000, 30_000);
      expect(Date.now() - receivedAt).toBeGreaterThanOrEqual(9_000);
      expect(again?.messageId).toBe(sent.messageId);
      expect(again?.deliveryAttempt).toBe(2);
      await consumer.ack(again!);
    } finally {
      await producer.shutdown();
      await consumer.shutdown();
    }
  }, 120_000);

  it('changeInvisibleDuration brings a message back sooner, and the new handle acks it for good', async () => {
    const topic = uniqueName('e2e_change');
    const consumer = await startSimpleConsumer(endpoint(1), uniqueName('g'), topic);
    const producer = await startProducer(endpoint(0), topic);
    try {
      const sent = await producer.send({ topic, body: Buffer.from('change me') });
      const [first] = await receiveUntil(consumer, 1, 60_000);
      await consumer.changeInvisibleDuration(first!, 1_000);
      const [again] = await receiveUntil(consumer, 1, 60_000, 20_000);
      expect(again?.messageId).toBe(sent.messageId);
      expect(again?.deliveryAttempt).toBe(2);
      await consumer.changeInvisibleDuration(again!, 30_000);
      await consumer.ack(again!);
      expect(await consumer.receive(32, 10_000)).toEqual([]);
    } finally {
      await producer.shutdown();
      await consumer.shutdown();
    }
  }, 120_000);

  it('a message received through one proxy is acked through another and never returns', async () => {
    const topic = uniqueName('e2e_crossack');
    const group = uniqueName('g');
    const producer = await startProducer(endpoint(0), topic);
    const receiver = new RawClient(endpoint(0));
    const acker = new RawClient(endpoint(1));
    try {
      // The consumer's heartbeat makes its group known: it gets what is sent from then on.
      await receiver.heartbeat({ group: { name: group, resourceNamespace: '' }, clientType: v2.ClientType.SIMPLE_CONSUMER });
      await producer.send({ topic, body: Buffer.from('cross') });
      const message = await rawReceiveOne(receiver, topic, group);
      const ack = await acker.ackMessage({
        group: { name: group, resourceNamespace: '' },
        topic: { name: topic, resourceNamespace: '' },
        entries: [{ messageId: message.systemProperties!.messageId, receiptHandle: message.systemProperties!.receiptHandle! }],
      });
      expect(ack.status?.code).toBe(v2.Code.OK);
      expect(ack.entries[0]?.status?.code).toBe(v2.Code.OK);
      await new Promise((resolve) => setTimeout(resolve, 11_000));
      const frames = await acker.receiveMessage(receiveRequest(topic, group, 5_000), 15_000);
      expect(frames.filter((frame) => frame.content?.$case === 'message')).toHaveLength(0);
    } finally {
      receiver.close();
      acker.close();
      await producer.shutdown();
    }
  }, 120_000);

  it('after kill -9 of the store nodes every acknowledged send is delivered and nothing acked comes back', async () => {
    const topic = uniqueName('e2e_crash');
    const group = uniqueName('g');
    const consumer = await startSimpleConsumer(endpoint(1), group, topic);
    const producer = await startProducer(endpoint(0), topic);
    const total = 300;
    try {
      await runBounded(total, 16, async (i) => {
        await producer.send({ topic, body: Buffer.from(`crash-${i}`) });
      });
      const acked = new Set((await drainSimple(consumer, 150, 60_000)).map((message) => message.body.toString('utf8')));
      // A few more received but not acked: they must come back after the crash.
      const inFlight = await consumer.receive(20, 10_000);
      expect(acked.size).toBeGreaterThanOrEqual(150);

      await deployment.crashAndRestartStoreNodes();

      const remaining = total - acked.size;
      const after = await drainSimple(consumer, remaining, 120_000);
      const afterBodies = new Set(after.map((message) => message.body.toString('utf8')));
      for (const body of acked) expect(afterBodies.has(body)).toBe(false);
      const all = new Set([...acked, ...afterBodies]);
      expect(all.size).toBe(total);
      for (const message of inFlight) expect(afterBodies.has(message.body.toString('utf8'))).toBe(true);
    } finally {
      await producer.shutdown();
      await consumer.shutdown();
    }
  }, 300_000);

  it('batched sends cut off by kill -9 of the store nodes: every acknowledged batch is delivered after the restart, and the queues keep serving', async () => {
    const topic = uniqueName('e2e_crash_batch');
    const consumer = await startSimpleConsumer(endpoint(1), uniqueName('g'), topic);
    const raw = new RawClient(endpoint(0));
    // Batches large enough for the record log (RECORD_LOG_BATCH_BYTES_MIN), several in flight: pipelined commits.
    const body = (sender: number, batch: number, index: number): string => `cb-${sender}-${batch}-${index}-`.padEnd(CRASH_BODY_BYTES, 'x');
    const attempted = new Set<string>();
    const acknowledged = new Set<string>();
    let acknowledgedAfterRestart = 0;
    let restarted = false;
    try {
      const crash = (async () => {
        await waitFor('batches acknowledged before the crash', () => acknowledged.size >= 10 * CRASH_BATCH_SIZE, 60_000);
        await deployment.crashAndRestartStoreNodes();
        restarted = true;
      })();
      // Awaited below, after the senders; until then a failure must not count as unhandled.
      crash.catch(() => undefined);
      const deadline = Date.now() + 120_000;
      await Promise.all(
        Array.from({ length: CRASH_SENDERS }, async (_, sender) => {
          for (let batch = 0; Date.now() < deadline && (!restarted || acknowledgedAfterRestart < 5); batch++) {
            const messages = Array.from({ length: CRASH_BATCH_SIZE }, (_, index) => wireMessage(topic, Buffer.from(body(sender, batch, index))));
            for (const message of messages) attempted.add(message.body.toString('utf8'));
            const wasRestarted = restarted;
            const response = await raw.sendMessage({ messages }).catch(() => undefined);
            if (response?.status?.code !== v2.Code.OK) continue;
            for (const message of messages) acknowledged.add(message.body.toString('utf8'));
            if (wasRestarted) acknowledgedAfterRestart += 1;
          }
        }),
      );
      await crash;
      expect(acknowledgedAfterRestart).toBeGreaterThanOrEqual(5);

      const received = new Set<string>();
      await waitFor(
        'every acknowledged message delivered',
        async () => {
          for (const message of await consumer.receive(32, 30_000)) {
            received.add(message.body.toString('utf8'));
            await consumer.ack(message);
          }
          return [...acknowledged].every((sent) => received.has(sent));
        },
        180_000,
        0,
      );
      for (const delivered of received) expect(attempted.has(delivered)).toBe(true);
    } finally {
      raw.close();
      await consumer.shutdown();
    }
  }, 420_000);
});

/** receiveUntil keeps receiving (without acking) until `count` messages arrived. */
async function receiveUntil(
  consumer: Awaited<ReturnType<typeof startSimpleConsumer>>,
  count: number,
  invisibleMs: number,
  timeoutMs = 30_000,
): Promise<MessageView[]> {
  const got: MessageView[] = [];
  await waitFor(`${count} message(s)`, async () => {
    got.push(...(await consumer.receive(count - got.length, invisibleMs)));
    return got.length >= count;
  }, timeoutMs, 0);
  return got;
}

function receiveRequest(topic: string, group: string, pollMs: number): v2.ReceiveMessageRequest {
  return {
    group: { name: group, resourceNamespace: '' },
    messageQueue: { topic: { name: topic, resourceNamespace: '' }, id: 0, permission: v2.Permission.READ_WRITE, acceptMessageTypes: [] },
    filterExpression: { type: v2.FilterType.TAG, expression: '*' },
    batchSize: 32,
    invisibleDuration: { seconds: 10, nanos: 0 },
    autoRenew: false,
    longPollingTimeout: { seconds: Math.ceil(pollMs / 1000), nanos: 0 },
  };
}

async function rawReceiveOne(client: RawClient, topic: string, group: string): Promise<v2.Message> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const frames = await client.receiveMessage(receiveRequest(topic, group, 5_000), 15_000);
    const message = frames.find((frame) => frame.content?.$case === 'message');
    if (message?.content?.$case === 'message') return message.content.value;
  }
  throw new Error('no message received');
}
