import { ConsumeResult, type MessageView } from 'rocketmq-client-nodejs';
import type { Deployment } from '@quiver/testing';
import { adminPost, deployments, e2eSeed, runBounded, seededRandom, sendUntilAcked, sleep, startListeningPushConsumer, startProducer, uniqueName, waitFor } from './support';

/**
 * FIFO through the official client: 20 message groups × 500 messages sent concurrently (each
 * group in order), consumed by a FIFO push consumer whose listener fails at random. Every group
 * must be consumed strictly in send order: a message is first offered only after its
 * predecessor succeeded, and nothing that succeeded is offered again.
 */
const MESSAGE_GROUPS = 20;
const MESSAGES_PER_GROUP = 500;
const FAILURE_RATE = 0.05;

/**
 * Crash scenario: message groups are sent (each in order, a failed send retried until
 * acknowledged) and consumed by a FIFO push consumer while every store node is killed with
 * SIGKILL and restarted. At-least-once allows a message to be offered again after the crash; a
 * message offered before an earlier one of its group succeeded is a violation, as above.
 */
const CRASH_MESSAGE_GROUPS = 8;
const CRASH_MESSAGES_PER_GROUP = 60;
const CRASH_FAILURE_RATE = 0.03;

/**
 * FifoOrderCheck is a FIFO push consumer's listener over bodies `<message group>:<sequence>`. It
 * records a violation for a message offered before its group's previous one succeeded, for one
 * offered again after it succeeded (unless `redeliveryAllowed()`: at-least-once after a crash;
 * those are counted), and for one carrying another message group; it fails messages at random
 * with `failureRate`.
 */
class FifoOrderCheck {
  readonly succeeded = new Map<string, number>();
  readonly violations: string[] = [];
  invocations = 0;
  failures = 0;
  redeliveries = 0;

  constructor(
    private readonly random: () => number,
    private readonly failureRate: number,
    private readonly redeliveryAllowed: () => boolean = () => false,
  ) {}

  readonly consume = (message: MessageView): ConsumeResult => {
    this.invocations++;
    const [messageGroup, text] = message.body.toString('utf8').split(':');
    const sequence = Number(text);
    const done = this.succeeded.get(messageGroup!) ?? -1;
    if (sequence > done + 1) this.violations.push(`${messageGroup}:${sequence} offered before ${messageGroup}:${done + 1} succeeded`);
    else if (sequence <= done) {
      // At-least-once: an offer whose ack a crash lost (or a send retried after it) comes again.
      if (this.redeliveryAllowed()) this.redeliveries++;
      else this.violations.push(`${messageGroup}:${sequence} offered again after it succeeded`);
    }
    if (message.messageGroup !== messageGroup) this.violations.push(`${messageGroup}:${sequence} arrived with message group ${message.messageGroup}`);
    if (this.random() < this.failureRate) {
      this.failures++;
      return ConsumeResult.FAILURE;
    }
    if (sequence === done + 1) this.succeeded.set(messageGroup!, sequence);
    return ConsumeResult.SUCCESS;
  };

  /** consumed counts the messages that succeeded, each once. */
  consumed(): number {
    return [...this.succeeded.values()].reduce((sum, last) => sum + last + 1, 0);
  }

  /** unfinished lists the groups g0..g<groups-1> not consumed to `perGroup` messages, at their last success. */
  unfinished(groups: number, perGroup: number): string {
    return Array.from({ length: groups }, (_, g) => `g${g}:${this.succeeded.get(`g${g}`) ?? -1}`)
      .filter((entry) => !entry.endsWith(`:${perGroup - 1}`))
      .join(' ');
  }
}

describe.each(deployments)('%s - FIFO message groups through the official client', (name, start) => {
  let deployment: Deployment;

  beforeAll(async () => {
    deployment = await start();
  }, 120_000);

  afterAll(async () => {
    await deployment?.close();
  }, 60_000);

  it(`${MESSAGE_GROUPS} groups × ${MESSAGES_PER_GROUP} messages are consumed in send order despite random failures`, async () => {
    const seed = e2eSeed();
    const random = seededRandom(seed);
    const topic = uniqueName('fifo');
    const group = uniqueName('fifo_group');
    await adminPost(deployment, '/v1/topics', { name: topic, messageType: 'FIFO', queueCount: 4 });
    await adminPost(deployment, '/v1/groups', { name: group, fifo: true });

    const check = new FifoOrderCheck(random, FAILURE_RATE);
    const consumer = await startListeningPushConsumer(deployment.endpoints[deployment.endpoints.length - 1]!, group, topic, check.consume);
    const producer = await startProducer(deployment.endpoints[0]!, topic);
    try {
      await runBounded(MESSAGE_GROUPS, MESSAGE_GROUPS, async (g) => {
        for (let sequence = 0; sequence < MESSAGES_PER_GROUP; sequence++) {
          await producer.send({ topic, messageGroup: `g${g}`, body: Buffer.from(`g${g}:${sequence}`) });
        }
      });
      const total = MESSAGE_GROUPS * MESSAGES_PER_GROUP;
      await waitFor(
        () =>
          `every group consumed to its end (seed ${seed}; unfinished groups at their last success: ${check.unfinished(MESSAGE_GROUPS, MESSAGES_PER_GROUP)}; invocations ${check.invocations})`,
        () => check.consumed() >= total || check.violations.length > 0,
        300_000,
        200,
      );
      expect({ seed, violations: check.violations.slice(0, 10) }).toEqual({ seed, violations: [] });
      for (let g = 0; g < MESSAGE_GROUPS; g++) expect(check.succeeded.get(`g${g}`)).toBe(MESSAGES_PER_GROUP - 1);
      // The random failures really happened and were retried in place.
      expect(check.failures).toBeGreaterThan(0);
      expect(check.invocations).toBeGreaterThanOrEqual(total + check.failures);
    } finally {
      await producer.shutdown();
      await consumer.shutdown();
    }
  }, 600_000);
  it(`kill -9 - ${CRASH_MESSAGE_GROUPS} groups × ${CRASH_MESSAGES_PER_GROUP} messages sent and consumed across a crash and restart of the store nodes arrive, never out of order`, async () => {
    const seed = e2eSeed();
    const random = seededRandom(seed);
    const topic = uniqueName('fifo_crash');
    const group = uniqueName('fifo_crash_group');
    await adminPost(deployment, '/v1/topics', { name: topic, messageType: 'FIFO', queueCount: 4 });
    await adminPost(deployment, '/v1/groups', { name: group, fifo: true });
    const total = CRASH_MESSAGE_GROUPS * CRASH_MESSAGES_PER_GROUP;

    let crashed = false;
    const check = new FifoOrderCheck(random, CRASH_FAILURE_RATE, () => crashed);
    const consumer = await startListeningPushConsumer(deployment.endpoints[deployment.endpoints.length - 1]!, group, topic, check.consume);
    const producer = await startProducer(deployment.endpoints[0]!, topic);
    const startedMs = Date.now();
    let sent = 0;
    let failedSends = 0;
    try {
      // Each group is sent in order, paced so that sending spans the crash.
      const sending = runBounded(CRASH_MESSAGE_GROUPS, CRASH_MESSAGE_GROUPS, async (g) => {
        for (let sequence = 0; sequence < CRASH_MESSAGES_PER_GROUP; sequence++) {
          failedSends += await sendUntilAcked(producer, { topic, messageGroup: `g${g}`, body: Buffer.from(`g${g}:${sequence}`) });
          sent++;
          await sleep(20 + Math.floor(random() * 40));
        }
      });
      sending.catch(() => undefined); // awaited below; this only keeps an early failure from going unhandled
      // Crash once a seeded share of the messages is sent and consumption is under way.
      const crashAfterSent = Math.floor(total * (0.3 + 0.3 * random()));
      await waitFor(
        () => `sending and consuming under way (seed ${seed}; sent ${sent}, consumed ${check.consumed()})`,
        () => (sent >= crashAfterSent && check.consumed() >= total / 10) || check.violations.length > 0,
        60_000,
        10,
      );
      const consumedAtCrash = check.consumed();
      const sentAtCrash = sent;
      crashed = true;
      const crashStartedMs = Date.now();
      await deployment.crashAndRestartStoreNodes();
      const restartedMs = Date.now();
      await sending;
      const sentAllMs = Date.now();

      await waitFor(
        () =>
          `every group consumed to its end after the crash (seed ${seed}; unfinished groups at their last success: ${check.unfinished(CRASH_MESSAGE_GROUPS, CRASH_MESSAGES_PER_GROUP)})`,
        () => check.consumed() >= total || check.violations.length > 0,
        150_000,
        100,
      );
      console.log(
        `${name}: FIFO kill -9 (seed ${seed}): crashed after ${sentAtCrash}/${total} sent and ${consumedAtCrash} consumed, ` +
          `${crashStartedMs - startedMs} ms in; restart took ${restartedMs - crashStartedMs} ms; all sent ${sentAllMs - restartedMs} ms after it, ` +
          `all consumed ${Date.now() - restartedMs} ms after it; ${failedSends} failed send attempts retried, ${check.redeliveries} redeliveries, ${check.failures} listener failures`,
      );
      expect({ seed, violations: check.violations.slice(0, 10) }).toEqual({ seed, violations: [] });
      for (let g = 0; g < CRASH_MESSAGE_GROUPS; g++) expect(check.succeeded.get(`g${g}`)).toBe(CRASH_MESSAGES_PER_GROUP - 1);
      // The crash really happened mid-run.
      expect(consumedAtCrash).toBeLessThan(total);
      expect(sentAtCrash).toBeLessThan(total);
    } finally {
      await producer.shutdown();
      await consumer.shutdown();
    }
  }, 240_000);
});
