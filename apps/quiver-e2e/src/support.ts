import { Producer, PushConsumer, SimpleConsumer, ConsumeResult, type MessageView } from 'rocketmq-client-nodejs';
import { adminPost as postToAdmin, startCluster, startStandalone, type Deployment } from '@quiver/testing';

/** quietLogger keeps the official client's own logging out of test output. */
export const quietLogger = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };

export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6).toString(36)}`;
}

export async function startProducer(endpoint: string, topic: string): Promise<Producer> {
  const producer = new Producer({ endpoints: endpoint, namespace: '', topic, logger: quietLogger });
  await producer.startup();
  return producer;
}

export async function startSimpleConsumer(endpoint: string, group: string, topic: string, awaitDurationMs = 5_000): Promise<SimpleConsumer> {
  const consumer = new SimpleConsumer({
    endpoints: endpoint,
    namespace: '',
    consumerGroup: group,
    subscriptions: new Map([[topic, '*']]),
    awaitDuration: awaitDurationMs,
    logger: quietLogger,
  });
  await consumer.startup();
  return consumer;
}

/** startPushConsumer collects every message its listener sees, acking each (SUCCESS). */
export async function startPushConsumer(
  endpoint: string,
  group: string,
  topic: string,
  seen: MessageView[],
): Promise<PushConsumer> {
  return startListeningPushConsumer(endpoint, group, topic, (message) => {
    seen.push(message);
    return ConsumeResult.SUCCESS;
  });
}

/** startListeningPushConsumer starts a push consumer of `topic` (all tags) whose listener is `consume`. */
export async function startListeningPushConsumer(
  endpoint: string,
  group: string,
  topic: string,
  consume: (message: MessageView) => ConsumeResult,
): Promise<PushConsumer> {
  const consumer = new PushConsumer({
    endpoints: endpoint,
    namespace: '',
    consumerGroup: group,
    subscriptions: new Map([[topic, '*']]),
    logger: quietLogger,
    messageListener: { consume },
  });
  await consumer.startup();
  return consumer;
}

/** waitFor polls `condition` until it holds or the budget runs out, then reports `what`. */
export async function waitFor(what: string | (() => string), condition: () => boolean | Promise<boolean>, timeoutMs: number, intervalMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** runBounded runs `count` tasks with at most `inFlight` at once. */
export async function runBounded(count: number, inFlight: number, task: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(inFlight, count) }, async () => {
      while (next < count) {
        const index = next++;
        await task(index);
      }
    }),
  );
}

/**
 * drainSimple receives and acks with a SimpleConsumer until `expected` distinct bodies arrived
 * or `timeoutMs` passed; returns every message received (duplicates included).
 */
export async function drainSimple(consumer: SimpleConsumer, expected: number, timeoutMs: number, invisibleMs = 30_000): Promise<MessageView[]> {
  const received: MessageView[] = [];
  const distinct = new Set<string>();
  const deadline = Date.now() + timeoutMs;
  while (distinct.size < expected && Date.now() < deadline) {
    const batch = await consumer.receive(32, invisibleMs);
    await Promise.all(
      batch.map(async (message) => {
        received.push(message);
        distinct.add(message.body.toString('utf8'));
        await consumer.ack(message);
      }),
    );
  }
  return received;
}

/** Scenarios run against one standalone process and against a cluster of separate processes. */
export const deployments: Array<[string, () => Promise<Deployment>]> = [
  ['standalone', () => startStandalone()],
  ['cluster (1 name server, 2 store nodes, 2 proxies)', () => startCluster({ storeNodes: 2, proxies: 2 })],
];

/** adminPost calls the admin HTTP API of the deployment's first proxy and fails on any error status. */
export async function adminPost(deployment: Deployment, path: string, body: unknown): Promise<unknown> {
  return postToAdmin(deployment.adminUrls[0]!, path, body);
}

/** seededRandom is mulberry32: a small seeded PRNG, so a failing run can be replayed with its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** e2eSeed is QUIVER_E2E_SEED when set, else a fresh one; tests print it so a failure can be replayed. */
export function e2eSeed(): number {
  return Number(process.env['QUIVER_E2E_SEED'] ?? Date.now() % 1_000_000);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * sendUntilAcked sends one message, retrying failed sends (a store node or proxy being killed
 * and restarted) every `pauseMs` until one is acknowledged or `attempts` ran out; returns how
 * many attempts failed. A failed attempt may still have been stored, so callers must accept a
 * second copy of the message (at-least-once).
 */
export async function sendUntilAcked(producer: Producer, message: Parameters<Producer['send']>[0], attempts = 120, pauseMs = 250): Promise<number> {
  for (let failed = 0; ; failed++) {
    try {
      await producer.send(message);
      return failed;
    } catch (error) {
      if (failed + 1 >= attempts) throw error;
      await sleep(pauseMs);
    }
  }
}
