import { FilterExpression, SimpleConsumer, type MessageView } from 'rocketmq-client-nodejs';
import { FilterType } from 'rocketmq-client-nodejs/proto/apache/rocketmq/v2/definition_pb';
import type { Deployment } from '@quiver/testing';
import { deployments, drainSimple, quietLogger, startProducer, uniqueName } from './support';

const SENT = 50;
const SQL = "a > 5 AND color IN ('red','blue')";

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

function bodiesOf(messages: MessageView[]): string[] {
  return [...new Set(messages.map((message) => message.body.toString('utf8')))].sort();
}

describe.each(deployments)('%s - filters through the official client', (_name, start) => {
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
});
