import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as hdr from 'hdr-histogram-js';
import { Producer, SimpleConsumer } from 'rocketmq-client-nodejs';
import { v2 } from '@quiver/protocol';
import { RawClient, startStandalone, wireMessage, type Deployment } from '@quiver/testing';
import { startNullServer } from './null-server';
import { cpuSeconds, rssMiB } from './resources';

/**
 * Quiver benchmark: 1 KiB messages, sync flush (every send acknowledged after fsync), client and
 * server on this machine. Workloads:
 *   ceiling-*   the official client against a server that stores nothing (same run)
 *   send-*      the official client against Quiver standalone, one message per SendMessage
 *   batch-100   a lean gRPC driver, 100 messages per SendMessage
 *   consume     the official SimpleConsumer: receive batches of 32, one ack per message
 *   consume-batch  the lean driver: receive batches of 32, one AckMessage per batch
 * Usage: npm run bench -- [--suite quick|standard] [--json FILE]
 * Every loop is bounded by a message count and a time budget.
 */

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };
const MESSAGE_BYTES = 1024;
const WINDOW = 64;

interface Suite {
  syncMessages: number;
  windowMessages: number;
  batchMessages: number;
  budgetMs: number;
}

const suites: Record<string, Suite> = {
  quick: { syncMessages: 2_000, windowMessages: 15_000, batchMessages: 100_000, budgetMs: 40_000 },
  standard: { syncMessages: 20_000, windowMessages: 100_000, batchMessages: 1_000_000, budgetMs: 300_000 },
};

interface Result {
  workload: string;
  messages: number;
  seconds: number;
  perSecond: number;
  latencyMs?: { p50: number; p99: number; p999: number; max: number };
  /** serverCpuSecondsPerMillion is the server processes' CPU time per million messages. */
  serverCpuSecondsPerMillion?: number;
  serverRssMiB?: number;
}

function histogram(): hdr.Histogram {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
}

function latencyOf(recorded: hdr.Histogram): Result['latencyMs'] {
  const ms = (us: number): number => Math.round(us) / 1000;
  return { p50: ms(recorded.getValueAtPercentile(50)), p99: ms(recorded.getValueAtPercentile(99)), p999: ms(recorded.getValueAtPercentile(99.9)), max: ms(recorded.maxValue) };
}

function progress(label: string, done: number, total: number): void {
  if (!process.stderr.isTTY) return;
  const width = 30;
  const filled = Math.min(width, Math.round((done / total) * width));
  process.stderr.write(`\r${label.padEnd(14)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`);
  if (done >= total) process.stderr.write('\n');
}

/** measure runs a workload and adds the server's CPU and RSS readings to its result. */
async function measure(pids: number[], run: () => Promise<Result>): Promise<Result> {
  const cpuBefore = cpuSeconds(pids);
  const result = await run();
  if (pids.length === 0) return result;
  return { ...result, serverCpuSecondsPerMillion: ((cpuSeconds(pids) - cpuBefore) / result.messages) * 1e6, serverRssMiB: rssMiB(pids) };
}

async function officialSend(endpoint: string, topic: string, name: string, count: number, inFlight: number, budgetMs: number): Promise<Result> {
  const producer = new Producer({ endpoints: endpoint, namespace: '', topic, logger: quiet });
  await producer.startup();
  const recorded = histogram();
  const body = Buffer.alloc(MESSAGE_BYTES, 0x61);
  const deadline = Date.now() + budgetMs;
  let next = 0;
  let done = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < count && Date.now() < deadline) {
        next++;
        const t0 = process.hrtime.bigint();
        await producer.send({ topic, body });
        recorded.recordValue(Number(process.hrtime.bigint() - t0) / 1000);
        done++;
        if (done % 500 === 0) progress(name, done, count);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  progress(name, count, count);
  await producer.shutdown();
  return { workload: name, messages: done, seconds, perSecond: done / seconds, latencyMs: latencyOf(recorded) };
}

async function batchSend(endpoint: string, topic: string, count: number, batchSize: number, inFlight: number, budgetMs: number): Promise<Result> {
  const client = new RawClient(endpoint);
  const body = Buffer.alloc(MESSAGE_BYTES, 0x62);
  const recorded = histogram();
  const deadline = Date.now() + budgetMs;
  let next = 0;
  let done = 0;
  const started = process.hrtime.bigint();
  try {
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (next < count && Date.now() < deadline) {
          next += batchSize;
          const messages = Array.from({ length: batchSize }, () => wireMessage(topic, body));
          const t0 = process.hrtime.bigint();
          const response = await client.sendMessage({ messages });
          recorded.recordValue(Number(process.hrtime.bigint() - t0) / 1000);
          if (response.status?.code !== v2.Code.OK) throw new Error(`batch send failed: ${response.status?.code} ${response.status?.message}`);
          done += batchSize;
          progress('batch-100', done, count);
        }
      }),
    );
  } finally {
    client.close();
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { workload: `batch-${batchSize}`, messages: done, seconds, perSecond: done / seconds, latencyMs: latencyOf(recorded) };
}

async function officialConsume(endpoint: string, topic: string, group: string, count: number, budgetMs: number): Promise<Result> {
  const consumer = new SimpleConsumer({ endpoints: endpoint, namespace: '', consumerGroup: group, subscriptions: new Map([[topic, '*']]), awaitDuration: 5_000, logger: quiet });
  await consumer.startup();
  const deadline = Date.now() + budgetMs;
  let done = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (done < count && Date.now() < deadline) {
        const batch = await consumer.receive(32, 30_000);
        await Promise.all(batch.map((message) => consumer.ack(message)));
        done += batch.length;
        progress('consume', Math.min(done, count), count);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await consumer.shutdown();
  return { workload: 'consume', messages: done, seconds, perSecond: done / seconds };
}

async function batchConsume(endpoint: string, topic: string, group: string, count: number, budgetMs: number): Promise<Result> {
  const client = new RawClient(endpoint);
  const resource = (name: string) => ({ name, resourceNamespace: '' });
  const deadline = Date.now() + budgetMs;
  let done = 0;
  const started = process.hrtime.bigint();
  try {
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (done < count && Date.now() < deadline) {
          const frames = await client.receiveMessage({
            group: resource(group),
            messageQueue: { topic: resource(topic), id: 0, permission: v2.Permission.READ_WRITE, acceptMessageTypes: [] },
            filterExpression: { type: v2.FilterType.TAG, expression: '*' },
            batchSize: 32,
            invisibleDuration: { seconds: 30, nanos: 0 },
            autoRenew: false,
            longPollingTimeout: { seconds: 5, nanos: 0 },
          });
          const entries = frames.flatMap((frame) =>
            frame.content?.$case === 'message'
              ? [{ messageId: frame.content.value.systemProperties!.messageId, receiptHandle: frame.content.value.systemProperties!.receiptHandle! }]
              : [],
          );
          if (entries.length === 0) continue;
          const ack = await client.ackMessage({ group: resource(group), topic: resource(topic), entries });
          if (ack.status?.code !== v2.Code.OK) throw new Error(`batch ack failed: ${ack.status?.code} ${ack.status?.message}`);
          done += entries.length;
          progress('consume-batch', Math.min(done, count), count);
        }
      }),
    );
  } finally {
    client.close();
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { workload: 'consume-batch', messages: done, seconds, perSecond: done / seconds };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { suite: { type: 'string', default: 'quick' }, json: { type: 'string' } } });
  const suite = suites[values.suite ?? 'quick'];
  if (!suite) throw new Error(`unknown suite ${values.suite}; one of ${Object.keys(suites).join(', ')}`);
  const runId = Date.now().toString(36);
  const results: Result[] = [];

  const nullServer = await startNullServer();
  try {
    results.push(await officialSend(nullServer.endpoint, `ceiling_${runId}`, 'ceiling-sync', suite.syncMessages, 1, suite.budgetMs));
    results.push(await officialSend(nullServer.endpoint, `ceiling_${runId}`, `ceiling-${WINDOW}`, suite.windowMessages, WINDOW, suite.budgetMs));
  } finally {
    await nullServer.close();
  }

  const deployment: Deployment = await startStandalone();
  const endpoint = deployment.endpoints[0]!;
  const pids = deployment.processIds();
  try {
    const topic = `bench_${runId}`;
    const batchTopic = `bench_batch_${runId}`;
    results.push(await measure(pids, () => officialSend(endpoint, topic, 'send-sync', suite.syncMessages, 1, suite.budgetMs)));
    results.push(await measure(pids, () => officialSend(endpoint, topic, `send-${WINDOW}`, suite.windowMessages, WINDOW, suite.budgetMs)));
    const sent = results.slice(-2).reduce((sum, result) => sum + result.messages, 0);
    results.push(await measure(pids, () => officialConsume(endpoint, topic, `bench_group_${runId}`, sent, suite.budgetMs)));
    results.push(await measure(pids, () => batchSend(endpoint, batchTopic, suite.batchMessages, 100, 8, suite.budgetMs)));
    const batched = results[results.length - 1]!.messages;
    results.push(await measure(pids, () => batchConsume(endpoint, batchTopic, `bench_batch_group_${runId}`, batched, suite.budgetMs)));
  } finally {
    await deployment.close();
  }
  printTable(results);
  if (values.json) writeFileSync(values.json, JSON.stringify({ suite: values.suite, messageBytes: MESSAGE_BYTES, results }, null, 2));
}

function printTable(results: Result[]): void {
  const ceiling = (name: string) => results.find((result) => result.workload === name);
  const ratio = (result: Result): string => {
    const reference = result.workload === 'send-sync' ? ceiling('ceiling-sync') : result.workload === `send-${WINDOW}` ? ceiling(`ceiling-${WINDOW}`) : undefined;
    return reference ? `${((100 * result.perSecond) / reference.perSecond).toFixed(0)}%` : '-';
  };
  const fixed = (value: number | undefined, digits = 2): string => (value === undefined ? '-' : value.toFixed(digits));
  const rows = results.map((result) => [
    result.workload,
    String(result.messages),
    result.perSecond.toFixed(0),
    ratio(result),
    fixed(result.latencyMs?.p50),
    fixed(result.latencyMs?.p99),
    fixed(result.latencyMs?.p999),
    fixed(result.latencyMs?.max),
    fixed(result.serverCpuSecondsPerMillion, 0),
    fixed(result.serverRssMiB, 0),
  ]);
  const header = ['workload', 'messages', 'msg/s', 'of ceiling', 'p50 ms', 'p99 ms', 'p99.9 ms', 'max ms', 'cpu s/M msg', 'rss MiB'];
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]): string => cells.map((cell, i) => cell.padStart(widths[i]!)).join('  ');
  process.stdout.write([line(header), ...rows.map(line)].join('\n') + '\n');
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
