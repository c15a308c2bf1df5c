import type { MessageView, SimpleConsumer } from 'rocketmq-client-nodejs';
import type { Deployment } from '@quiver/testing';
import { adminPost, deployments, startProducer, startSimpleConsumer, uniqueName } from './support';

/**
 * Delay messages through the official client (PROTOCOL.md 7.11): never delivered before their
 * delivery time, recallable before it, and still delivered after the store node is killed and
 * restarted while they wait. Lateness is printed, never asserted (timings belong in tools/bench).
 */
interface Received {
  message: MessageView;
  receivedAtMs: number;
}

/** receiveUntil receives and acks until `expected` messages arrived or `timeoutMs` passed, noting when each arrived. */
async function receiveUntil(consumer: SimpleConsumer, expected: number, timeoutMs: number): Promise<Received[]> {
  const received: Received[] = [];
  const endMs = Date.now() + timeoutMs;
  while (received.length < expected && Date.now() < endMs) {
    let batch: MessageView[];
    try {
      batch = await consumer.receive(16, 30_000);
    } catch {
      // A store node or proxy restarting: the client reconnects; try again shortly.
      await new Promise((resolve) => setTimeout(resolve, 200));
      continue;
    }
    for (const message of batch) {
      received.push({ message, receivedAtMs: Date.now() });
      await consumer.ack(message);
    }
  }
  return received;
}

describe.each(deployments)('%s - delay messages through the official client', (name, start) => {
  let deployment: Deployment;

  beforeAll(async () => {
    deployment = await start();
  }, 120_000);

  afterAll(async () => {
    await deployment?.close();
  }, 60_000);

  it('delay and deliveryTimestamp - each message arrives not before its due time, with its delivery timestamp; a recalled one never arrives', async () => {
    const topic = uniqueName('delay');
    await adminPost(deployment, '/v1/topics', { name: topic, messageType: 'DELAY' });
    const consumer = await startSimpleConsumer(deployment.endpoints[0]!, uniqueName('delay_group'), topic);
    const producer = await startProducer(deployment.endpoints[deployment.endpoints.length - 1]!, topic);
    try {
      const dueByMessageId = new Map<string, number>();
      for (const delayMs of [1_500, 3_000, 500]) {
        const dueMs = Date.now() + delayMs;
        const receipt = await producer.send({ topic, body: Buffer.from(`delay ${delayMs}`), deliveryTimestamp: new Date(dueMs) });
        expect(receipt.recallHandle).not.toBe('');
        dueByMessageId.set(receipt.messageId, dueMs);
      }
      const sentAtMs = Date.now();
      const viaDelay = await producer.send({ topic, body: Buffer.from('delay via delay'), delay: 2_000 });
      dueByMessageId.set(viaDelay.messageId, sentAtMs + 2_000);

      const recalled = await producer.send({ topic, body: Buffer.from('recalled'), deliveryTimestamp: new Date(Date.now() + 2_500) });
      const recall = await producer.recallMessage(topic, recalled.recallHandle);
      expect(recall.messageId).toBe(recalled.messageId);
      await expect(producer.recallMessage(topic, recalled.recallHandle)).rejects.toThrow();
      await expect(producer.recallMessage(topic, 'not-a-handle')).rejects.toThrow();

      const received = await receiveUntil(consumer, dueByMessageId.size, 20_000);
      // Keep receiving past the recalled message's due time: it must never come.
      received.push(...(await receiveUntil(consumer, 1, 3_000)));
      expect(received.map((entry) => entry.message.messageId).sort()).toEqual([...dueByMessageId.keys()].sort());
      const lateness: number[] = [];
      for (const { message, receivedAtMs } of received) {
        const dueMs = dueByMessageId.get(message.messageId)!;
        expect(message.deliveryTimestamp).toBeDefined();
        // delay is turned into a timestamp by the client, a few ms after our own reading of the clock.
        expect(Math.abs(message.deliveryTimestamp!.getTime() - dueMs)).toBeLessThan(1_000);
        expect(receivedAtMs).toBeGreaterThanOrEqual(message.deliveryTimestamp!.getTime());
        lateness.push(receivedAtMs - message.deliveryTimestamp!.getTime());
      }
      console.log(`${name}: delay message lateness (receive time - delivery timestamp) ms: ${lateness.join(', ')}`);
    } finally {
      await producer.shutdown();
      await consumer.shutdown();
    }
  }, 120_000);

  it('recall after delivery - the delivered message cannot be recalled', async () => {
    const topic = uniqueName('delay_late_recall');
    await adminPost(deployment, '/v1/topics', { name: topic, messageType: 'DELAY' });
    const consumer = await startSimpleConsumer(deployment.endpoints[0]!, uniqueName('delay_group'), topic);
    const producer = await startProducer(deployment.endpoints[0]!, topic);
    try {
      const receipt = await producer.send({ topic, body: Buffer.from('soon'), delay: 300 });
      const received = await receiveUntil(consumer, 1, 20_000);
      expect(received.map((entry) => entry.message.messageId)).toEqual([receipt.messageId]);
      await expect(producer.recallMessage(topic, receipt.recallHandle)).rejects.toThrow();
    } finally {
      await producer.shutdown();
      await consumer.shutdown();
    }
  }, 60_000);

  it('restart - delay messages pending when the store nodes are killed still arrive, not early', async () => {
    const topic = uniqueName('delay_restart');
    await adminPost(deployment, '/v1/topics', { name: topic, messageType: 'DELAY' });
    const consumer = await startSimpleConsumer(deployment.endpoints[0]!, uniqueName('delay_group'), topic);
    const producer = await startProducer(deployment.endpoints[0]!, topic);
    const dueByMessageId = new Map<string, number>();
    try {
      for (let index = 0; index < 6; index++) {
        const dueMs = Date.now() + 6_000 + index * 200;
        const receipt = await producer.send({ topic, body: Buffer.from(`restart ${index}`), deliveryTimestamp: new Date(dueMs) });
        dueByMessageId.set(receipt.messageId, dueMs);
      }
      await deployment.crashAndRestartStoreNodes();

      const received = await receiveUntil(consumer, dueByMessageId.size, 60_000);
      expect(received.map((entry) => entry.message.messageId).sort()).toEqual([...dueByMessageId.keys()].sort());
      const lateness = received.map(({ message, receivedAtMs }) => {
        expect(receivedAtMs).toBeGreaterThanOrEqual(dueByMessageId.get(message.messageId)!);
        return receivedAtMs - dueByMessageId.get(message.messageId)!;
      });
      console.log(`${name}: delay message lateness after a store restart ms: ${lateness.join(', ')}`);
    } finally {
      await producer.shutdown();
      await consumer.shutdown();
    }
  }, 180_000);
});
