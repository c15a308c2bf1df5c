import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as hdr from 'hdr-histogram-js';
import { Producer, SimpleConsumer } from 'rocketmq-client-nodejs';
import { startStandalone, type Deployment } from '@quiver/testing';

/**
 * Quiver benchmark, first cut: 1 KiB messages through the official Node.js client against a
 * standalone server (sync flush: every send is acknowledged after fsync).
 *   send-sync   one send at a time: throughput and latency percentiles
 *   send-64     64 sends in flight
 *   consume     a SimpleConsumer receiving batches of 32 and acking every message
 * Usage: npm run bench -- [--suite quick|standard] [--endpoint host:port] [--json FILE]
 * Every loop is bounded by a message count and a time budget.
 */

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };
const MESSAGE_BYTES = 1024;

interface Suite {
  syncMessages: number;
  windowMessages: number;
  window: number;
  budgetMs: number;
}

const suites: Record<string, Suite> = {
  quick: { syncMessages: 3_000, windowMessages: 20_000, window: 64, budgetMs: 60_000 },
  standard: { syncMessages: 20_000, windowMessages: 100_000, window: 64, budgetMs: 300_000 },
};

interface Result {
  workload: string;
  messages: number;
  seconds: number;
  perSecond: number;
  latencyMs?: { p50: number; p99: number; p999: number; max: number };
}

function latencyOf(histogram: hdr.Histogram): Result['latencyMs'] {
  const ms = (us: number): number => Math.round(us) / 1000;
  return {
    p50: ms(histogram.getValueAtPercentile(50)),
    p99: ms(histogram.getValueAtPercentile(99)),
    p999: ms(histogram.getValueAtPercentile(99.9)),
    max: ms(histogram.maxValue),
  };
}

function progress(label: string, done: number, total: number): void {
  if (!process.stderr.isTTY) return;
  const width = 30;
  const filled = Math.round((done / total) * width);
  process.stderr.write(`\r${label.padEnd(10)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`);
  if (done >= total) process.stderr.write('\n');
}

async function sendWorkload(endpoint: string, topic: string, name: string, count: number, inFlight: number, budgetMs: number): Promise<Result> {
  const producer = new Producer({ endpoints: endpoint, namespace: '', topic, logger: quiet });
  await producer.startup();
  const histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
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
        histogram.recordValue(Number(process.hrtime.bigint() - t0) / 1000);
        done++;
        if (done % 500 === 0) progress(name, done, count);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  progress(name, count, count);
  await producer.shutdown();
  return { workload: name, messages: done, seconds, perSecond: done / seconds, latencyMs: latencyOf(histogram) };
}

async function consumeWorkload(endpoint: string, topic: string, group: string, count: number, budgetMs: number): Promise<Result> {
  const consumer = new SimpleConsumer({ endpoints: endpoint, namespace: '', consumerGroup: group, subscriptions: new Map([[topic, '*']]), awaitDuration: 5_000, logger: quiet });
  await consumer.startup();
  const deadline = Date.now() + budgetMs;
  let done = 0;
  const started = process.hrtime.bigint();
  // Four receivers, as a consumer process would run, each acking what it received.
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

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { suite: { type: 'string', default: 'quick' }, endpoint: { type: 'string' }, json: { type: 'string' } } });
  const suite = suites[values.suite ?? 'quick'];
  if (!suite) throw new Error(`unknown suite ${values.suite}; one of ${Object.keys(suites).join(', ')}`);
  let deployment: Deployment | undefined;
  const endpoint = values.endpoint ?? (deployment = await startStandalone()).endpoints[0]!;
  const runId = Date.now().toString(36);
  const topic = `bench_${runId}`;
  const group = `bench_group_${runId}`;
  try {
    // Register the consumer group first so it sees every message sent.
    const consumerProbe = new SimpleConsumer({ endpoints: endpoint, namespace: '', consumerGroup: group, subscriptions: new Map([[topic, '*']]), logger: quiet });
    await consumerProbe.startup();
    await consumerProbe.shutdown();
    const results: Result[] = [];
    results.push(await sendWorkload(endpoint, topic, 'send-sync', suite.syncMessages, 1, suite.budgetMs));
    results.push(await sendWorkload(endpoint, topic, `send-${suite.window}`, suite.windowMessages, suite.window, suite.budgetMs));
    const sent = results.reduce((sum, result) => sum + result.messages, 0);
    results.push(await consumeWorkload(endpoint, topic, group, sent, suite.budgetMs));
    printTable(results);
    if (values.json) writeFileSync(values.json, JSON.stringify({ suite: values.suite, messageBytes: MESSAGE_BYTES, endpoint, results }, null, 2));
  } finally {
    await deployment?.close();
  }
}

function printTable(results: Result[]): void {
  const rows = results.map((result) => [
    result.workload,
    String(result.messages),
    result.perSecond.toFixed(0),
    result.latencyMs ? result.latencyMs.p50.toFixed(2) : '-',
    result.latencyMs ? result.latencyMs.p99.toFixed(2) : '-',
    result.latencyMs ? result.latencyMs.p999.toFixed(2) : '-',
    result.latencyMs ? result.latencyMs.max.toFixed(2) : '-',
  ]);
  const header = ['workload', 'messages', 'msg/s', 'p50 ms', 'p99 ms', 'p99.9 ms', 'max ms'];
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
