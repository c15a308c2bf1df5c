import { FilterExpression, SimpleConsumer, type MessageView } from 'rocketmq-client-nodejs';
import { FilterType } from 'rocketmq-client-nodejs/proto/apache/rocketmq/v2/definition_pb';
import type { Deployment } from '@quiver/testing';
import { deployments, drainSimple, e2eSeed, quietLogger, seededRandom, sendUntilAcked, sleep, startProducer, uniqueName, waitFor } from './support';

const SENT = 50;
const SQL = "a > 5 AND color IN ('red','blue')";
/** Messages of the crash scenario, sent (each retried until acknowledged) across a kill -9 and restart of the store nodes. */
const CRASH_SENT = 240;
/** Invisible time of the crash scenario's receives: the least allowed, so an ack lost in the crash is redelivered soon. */
const CRASH_INVISIBLE_MS = 10_000;

interface Sent {
  body: string;
  tag?: string;
  properties: Record<string, string>;
}

/** sentMessage gives message `index` a varied tag and properties, some of them missing. */
function sentMessage(index: number): Sent {
  const properties: Record<string, string> = {};
  if (index % 7 !== 0) properties.a = index % 9 === 0 ? 'not-a-number' : String(index % 10);
  if (index % 11 !== 0) properties.color = ['red', 'blue', 'green', 'RED'][Math.floor(index / 3) % 4]!;
  const tag = index % 5 === 0 ? undefined : ['A', 'B', 'C'][index % 3];
  return tag === undefined ? { body: `filtered-${index}`, properties } : { body: `filtered-${index}`, tag, properties };
}

/** matchesSql restates SQL in plain code: a missing or non-numeric `a` never matches. */
function matchesSql(message: Sent): boolean {
  const a = message.properties.a;
  return a !== undefined && /^\d+$/.test(a) && Number(a) > 5 && (message.properties.color === 'red' || message.properties.color === 'blue');
}

async function startFiltered(endpoint: string, group: string, topic: string, filter: FilterExpression): Promise<SimpleConsumer> {
  const consumer = new SimpleConsumer({ endpoints: endpoint, namespace: '', consumerGroup: group, subscriptions: new Map([[topic, filter]]), awaitDuration: 5_000, logger: quietLogger });
  await consumer.startup();
  return consumer;
}

/** indexOf reads the index back from a `filtered-<index>` body. */
function indexOf(body: string): number {
  return Number(body.slice('filtered-'.length));
}

/**
 * FilteredReceiver receives and acks in a loop, riding out a store node or proxy restart (a failed
 * receive or ack is retried), and files every body as matching or not by `matches`.
 */
class FilteredReceiver {
  readonly received = new Set<string>();
  readonly unexpected: string[] = [];
  deliveries = 0;
  failedCalls = 0;
  private stopped = false;
  private readonly loop: Promise<void>;

  constructor(
    private readonly consumer: SimpleConsumer,
    private readonly matches: (message: Sent) => boolean,
    deadlineMs: number,
  ) {
    this.loop = this.run(deadlineMs);
  }

  private async run(deadlineMs: number): Promise<void> {
    while (!this.stopped && Date.now() < deadlineMs) {
      let batch: MessageView[];
      try {
        batch = await this.consumer.receive(32, CRASH_INVISIBLE_MS);
      } catch {
        this.failedCalls++;
        await sleep(200);
        continue;
      }
      for (const message of batch) {
        const body = message.body.toString('utf8');
        this.deliveries++;
        if (!this.matches(sentMessage(indexOf(body)))) this.unexpected.push(body);
        this.received.add(body);
        // A lost ack only means a redelivery once the invisible time is up.
        await this.consumer.ack(message).catch(() => this.failedCalls++);
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }
}

function bodiesOf(messages: MessageView[]): string[] {
  return [...new Set(messages.map((message) => message.body.toString('utf8')))].sort();
}

describe.each(deployments)('%s - filters through the official client', (name, start) => {
  let deployment: Deployment;
  const endpoint = (): string => deployment.endpoints[0]!;

  beforeAll(async () => {
    deployment = await start();
  }, 120_000);

  afterAll(async () => {
    await deployment?.close();
  }, 60_000);

  it('a SQL92 consumer receives exactly the matching messages, a tag consumer exactly the tagged ones', async () => {
    const topic = uniqueName('e2e_filters');
    const sql = await startFiltered(endpoint(), uniqueName('sql'), topic, new FilterExpression(SQL, FilterType.SQL));
    const tags = await startFiltered(endpoint(), uniqueName('tags'), topic, new FilterExpression('A || B', FilterType.TAG));
    const producer = await startProducer(endpoint(), topic);
    try {
      const sent = Array.from({ length: SENT }, (_, index) => sentMessage(index));
      for (const message of sent) {
        await producer.send({ topic, body: Buffer.from(message.body), ...(message.tag ? { tag: message.tag } : {}), properties: new Map(Object.entries(message.properties)) });
      }
      const sqlExpected = sent.filter(matchesSql).map((message) => message.body).sort();
      const tagExpected = sent.filter((message) => message.tag === 'A' || message.tag === 'B').map((message) => message.body).sort();
      expect(sqlExpected.length).toBeGreaterThan(5);
      expect(sqlExpected.length).toBeLessThan(SENT / 2);

      // Drain past the expected count: one more empty long poll shows nothing else is delivered.
      const sqlReceived = await drainSimple(sql, sqlExpected.length, 30_000);
      sqlReceived.push(...(await sql.receive(32, 30_000)));
      expect(bodiesOf(sqlReceived)).toEqual(sqlExpected);
      const tagReceived = await drainSimple(tags, tagExpected.length, 30_000);
      tagReceived.push(...(await tags.receive(32, 30_000)));
      expect(bodiesOf(tagReceived)).toEqual(tagExpected);
    } finally {
      await producer.shutdown();
      await sql.shutdown();
      await tags.shutdown();
    }
  }, 120_000);

  it('an invalid SQL92 expression fails the consumer at startup or at receive', async () => {
    const topic = uniqueName('e2e_filters_bad');
    const producer = await startProducer(endpoint(), topic);
    let consumer: SimpleConsumer | undefined;
    try {
      const failure = await (async () => {
        consumer = new SimpleConsumer({
          endpoints: endpoint(),
          namespace: '',
          consumerGroup: uniqueName('bad_sql'),
          subscriptions: new Map([[topic, new FilterExpression('a > AND (', FilterType.SQL)]]),
          awaitDuration: 5_000,
          logger: quietLogger,
        });
        await consumer.startup();
        await consumer.receive(1, 30_000);
      })().then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(Error);
      expect(String((failure as Error).message)).toMatch(/SQL92|40010|filter/i);
    } finally {
      await producer.shutdown();
      await consumer?.shutdown().catch(() => undefined);
    }
  }, 60_000);
  it('kill -9 - SQL92 and tag consumers keep receiving exactly the matching messages across a crash and restart of the store nodes', async () => {
    const seed = e2eSeed();
    const random = seededRandom(seed);
    const topic = uniqueName('e2e_filters_crash');
    const sql = await startFiltered(endpoint(), uniqueName('sql'), topic, new FilterExpression(SQL, FilterType.SQL));
    const tags = await startFiltered(endpoint(), uniqueName('tags'), topic, new FilterExpression('A || B', FilterType.TAG));
    const producer = await startProducer(endpoint(), topic);
    const sent = Array.from({ length: CRASH_SENT }, (_, index) => sentMessage(index));
    const sqlExpected = sent.filter(matchesSql).map((message) => message.body).sort();
    const tagExpected = sent.filter((message) => message.tag === 'A' || message.tag === 'B').map((message) => message.body).sort();
    const deadlineMs = Date.now() + 150_000;
    const sqlReceiver = new FilteredReceiver(sql, matchesSql, deadlineMs);
    const tagReceiver = new FilteredReceiver(tags, (message) => message.tag === 'A' || message.tag === 'B', deadlineMs);
    const startedMs = Date.now();
    let acknowledged = 0;
    let failedSends = 0;
    try {
      const sending = (async () => {
        for (const message of sent) {
          const options = { topic, body: Buffer.from(message.body), ...(message.tag ? { tag: message.tag } : {}), properties: new Map(Object.entries(message.properties)) };
          failedSends += await sendUntilAcked(producer, options);
          acknowledged++;
          await sleep(5 + Math.floor(random() * 20));
        }
      })();
      sending.catch(() => undefined); // awaited below; this only keeps an early failure from going unhandled
      // Crash once a seeded share of the messages is sent and both consumers have received some.
      const crashAfterSent = Math.floor(CRASH_SENT * (0.3 + 0.3 * random()));
      await waitFor(
        () => `sending and receiving under way (seed ${seed}; sent ${acknowledged}, SQL ${sqlReceiver.received.size}, tags ${tagReceiver.received.size})`,
        () => acknowledged >= crashAfterSent && sqlReceiver.received.size > 0 && tagReceiver.received.size > 0,
        60_000,
        10,
      );
      const atCrash = { sent: acknowledged, sql: sqlReceiver.received.size, tags: tagReceiver.received.size };
      const crashStartedMs = Date.now();
      await deployment.crashAndRestartStoreNodes();
      const restartedMs = Date.now();
      await sending;
      await waitFor(
        () =>
          `every matching message received after the crash (seed ${seed}; SQL ${sqlReceiver.received.size}/${sqlExpected.length}, tags ${tagReceiver.received.size}/${tagExpected.length})`,
        () => (sqlReceiver.received.size >= sqlExpected.length && tagReceiver.received.size >= tagExpected.length) || sqlReceiver.unexpected.length + tagReceiver.unexpected.length > 0,
        Math.max(0, deadlineMs - Date.now()),
        100,
      );
      const allReceivedMs = Date.now();
      // One more long poll each (awaitDuration 5 s): nothing else is delivered.
      await sleep(5_500);
      await Promise.all([sqlReceiver.stop(), tagReceiver.stop()]);
      console.log(
        `${name}: filters kill -9 (seed ${seed}): crashed after ${atCrash.sent}/${CRASH_SENT} sent, ${atCrash.sql}/${sqlExpected.length} SQL and ` +
          `${atCrash.tags}/${tagExpected.length} tag messages received, ${crashStartedMs - startedMs} ms in; restart took ${restartedMs - crashStartedMs} ms; ` +
          `all received ${allReceivedMs - restartedMs} ms after it; ${failedSends} failed send attempts retried; ` +
          `deliveries SQL ${sqlReceiver.deliveries}, tags ${tagReceiver.deliveries}; failed receives/acks SQL ${sqlReceiver.failedCalls}, tags ${tagReceiver.failedCalls}`,
      );
      expect({ seed, unexpected: [...sqlReceiver.unexpected, ...tagReceiver.unexpected].slice(0, 10) }).toEqual({ seed, unexpected: [] });
      expect([...sqlReceiver.received].sort()).toEqual(sqlExpected);
      expect([...tagReceiver.received].sort()).toEqual(tagExpected);
      // The crash really happened mid-run.
      expect(atCrash.sent).toBeLessThan(CRASH_SENT);
      expect(atCrash.sql).toBeLessThan(sqlExpected.length);
      expect(atCrash.tags).toBeLessThan(tagExpected.length);
    } finally {
      await Promise.all([sqlReceiver.stop(), tagReceiver.stop()]);
      await producer.shutdown();
      await sql.shutdown();
      await tags.shutdown();
    }
  }, 240_000);
});
