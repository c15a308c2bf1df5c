import { ConsumeResult, PushConsumer, type MessageView } from 'rocketmq-client-nodejs';
import type { Deployment } from '@quiver/testing';
import { adminPost, deployments, quietLogger, runBounded, startProducer, uniqueName, waitFor } from './support';

/**
 * FIFO through the official client: 20 message groups × 500 messages sent concurrently (each
 * group in order), consumed by a FIFO push consumer whose listener fails at random. Every group
 * must be consumed strictly in send order: a message is first offered only after its
 * predecessor succeeded, and nothing that succeeded is offered again.
 */
const MESSAGE_GROUPS = 20;
const MESSAGES_PER_GROUP = 500;
const FAILURE_RATE = 0.05;

/** mulberry32: a small seeded PRNG, so a failing run can be replayed with its seed. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe.each(deployments)('%s - FIFO message groups through the official client', (_name, start) => {
  let deployment: Deployment;

  beforeAll(async () => {
    deployment = await start();
  }, 120_000);

  afterAll(async () => {
    await deployment?.close();
  }, 60_000);

  it(`${MESSAGE_GROUPS} groups × ${MESSAGES_PER_GROUP} messages are consumed in send order despite random failures`, async () => {
    const seed = Number(process.env['QUIVER_E2E_SEED'] ?? Date.now() % 1_000_000);
    const random = seededRandom(seed);
    const topic = uniqueName('fifo');
    const group = uniqueName('fifo_group');
    await adminPost(deployment, '/v1/topics', { name: topic, messageType: 'FIFO', queueCount: 4 });
    await adminPost(deployment, '/v1/groups', { name: group, fifo: true });

    const succeeded = new Map<string, number>();
    const violations: string[] = [];
    let invocations = 0;
    let failures = 0;
    const consumer = new PushConsumer({
      endpoints: deployment.endpoints[deployment.endpoints.length - 1]!,
      namespace: '',
      consumerGroup: group,
      subscriptions: new Map([[topic, '*']]),
      logger: quietLogger,
      messageListener: {
        consume: (message: MessageView) => {
          invocations++;
          const [messageGroup, text] = message.body.toString('utf8').split(':');
          const sequence = Number(text);
          const done = succeeded.get(messageGroup!) ?? -1;
          if (sequence <= done) violations.push(`${messageGroup}:${sequence} offered again after it succeeded`);
          else if (sequence !== done + 1) violations.push(`${messageGroup}:${sequence} offered before ${messageGroup}:${done + 1} succeeded`);
          if (message.messageGroup !== messageGroup) violations.push(`${messageGroup}:${sequence} arrived with message group ${message.messageGroup}`);
          if (random() < FAILURE_RATE) {
            failures++;
            return ConsumeResult.FAILURE;
          }
          if (sequence === done + 1) succeeded.set(messageGroup!, sequence);
          return ConsumeResult.SUCCESS;
        },
      },
    });
    await consumer.startup();
    const producer = await startProducer(deployment.endpoints[0]!, topic);
    try {
      await runBounded(MESSAGE_GROUPS, MESSAGE_GROUPS, async (g) => {
        for (let sequence = 0; sequence < MESSAGES_PER_GROUP; sequence++) {
          await producer.send({ topic, messageGroup: `g${g}`, body: Buffer.from(`g${g}:${sequence}`) });
        }
      });
      const total = MESSAGE_GROUPS * MESSAGES_PER_GROUP;
      const progressOf = (): string =>
        Array.from({ length: MESSAGE_GROUPS }, (_, g) => `g${g}:${succeeded.get(`g${g}`) ?? -1}`)
          .filter((entry) => !entry.endsWith(`:${MESSAGES_PER_GROUP - 1}`))
          .join(' ');
      await waitFor(
        () => `every group consumed to its end (seed ${seed}; unfinished groups at their last success: ${progressOf()}; invocations ${invocations})`,
        () => [...succeeded.values()].reduce((sum, last) => sum + last + 1, 0) >= total || violations.length > 0,
        300_000,
        200,
      );
      expect({ seed, violations: violations.slice(0, 10) }).toEqual({ seed, violations: [] });
      for (let g = 0; g < MESSAGE_GROUPS; g++) expect(succeeded.get(`g${g}`)).toBe(MESSAGES_PER_GROUP - 1);
      // The random failures really happened and were retried in place.
      expect(failures).toBeGreaterThan(0);
      expect(invocations).toBeGreaterThanOrEqual(total + failures);
    } finally {
      await producer.shutdown();
      await consumer.shutdown();
    }
  }, 600_000);
});
