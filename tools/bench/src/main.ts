import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Producer, SimpleConsumer } from 'rocketmq-client-nodejs';
import { v2 } from '@quiver/protocol';
import { adminPost, RawClient, startCluster, startStandalone, wireMessage, type Deployment } from '@quiver/testing';
import { runMessageTypeSuite, type MessageTypeOptions } from './message-types';
import { E2E_WARMUP_MS, endToEndLatency } from './e2e-latency';
import { ackEntriesOf, leanBatchSend, leanReceiveRequest, received, resource } from './lean';
import { RSS_GOAL_MIB, soak } from './soak';
import { latencyChartSvg } from './chart';
import { startNullServer } from './null-server';
import { GRPC_SERVER_BUNDLE, runStackCeilings, STACK, STACK_WORKLOADS } from './ceilings';
import { installPeers, parsePeers, PEER_WORKLOADS, runPeer, type PeerDefinition } from './peers';
import { Claims, closedLoopSend, MESSAGE_BYTES, progress, WINDOW, type Result } from './peers/result';
import { cpuSeconds, rssMiB } from './resources';
import { monotonicMicros, summarizeProfile } from './profile';

/**
 * Quiver benchmark: 1 KiB messages, sync flush (every send acknowledged after fsync), client and
 * server on this machine. Workloads:
 *   stack ceilings, first, on an idle machine (system `stack`, src/ceilings/): grpc-unary-sync and
 *               grpc-unary-64 (raw @grpc/grpc-js unary calls against a server in a child process),
 *               grpc-client-stream (one client-streaming call), leveldb-sync-1 (one synced put at a
 *               time), leveldb-group-1000 (synced batches of 1,000 puts), fsync-1 (append + fdatasync)
 *   ceiling-*   the official client against a server that stores nothing (same run)
 *   send-*      the official client against Quiver standalone, one message per SendMessage
 *   batch-100   a lean gRPC driver, 100 messages per SendMessage
 *   consume     the official SimpleConsumer: receive batches of 32, one ack per message
 *   consume-batch  the lean driver: receive batches of 32, one AckMessage per batch
 *   e2e-1000, e2e-5000  end-to-end latency (send to receive) at a fixed rate, recorded after a warm-up (src/e2e-latency.ts)
 * With --peers redis,rabbitmq,nats (or all), the same send-sync, send-64 and consume workloads run
 * against peer brokers installed from Debian's packages (tools/bench/peers/install.sh, run when
 * a binary is missing) and started here on 127.0.0.1, one at a time, each with its own temp
 * data dir; see src/peers/. A comparison table closes the output.
 * With --cluster, send-sync, send-64 and batch-100 also run against a cluster of separate
 * processes (name server, store node, proxy) as system quiver-cluster.
 * --suite message-types (or message-types-quick) measures issue 3's figures instead: delay
 * lateness and send latency with a million timers pending, FIFO with 1,000 message groups
 * (src/message-types.ts).
 * --suite soak [--duration SECONDS] (default 600) keeps a cluster under load and samples each
 * process role's RSS (src/soak.ts).
 * Usage: npm run bench -- [--suite smoke|quick|standard|message-types|message-types-quick|soak] [--json FILE] [--peers LIST|all] [--cluster] [--chart FILE.svg] [--duration SECONDS]
 *   [--only WORKLOAD,...] [--cpu-prof DIR]   (profile the servers; each workload prints its window)
 *   [--server-node-args="FLAGS"]   (node/V8 flags for every Quiver server process, e.g. --server-node-args="--max-semi-space-size=32"; the = is needed)
 *   npm run bench -- --profile-summary FILE.cpuprofile [--window START:END]
 * Every loop is bounded by a message count and a time budget; the quick suite's whole run by
 * QUICK_TOTAL_MS (workload budgets shrink to fit it).
 */

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };
/** system name of the ceiling runs (the official client against a server that stores nothing). */
const CEILING = 'null-server';

interface Suite {
  syncMessages: number;
  windowMessages: number;
  batchMessages: number;
  /** budgetMs bounds each workload. */
  budgetMs: number;
  /** totalMs, when set, bounds the whole run: workload budgets shrink so that it fits. */
  totalMs?: number;
}

/** The quick suite's contract: the whole run, peers included, in under 5 minutes. */
const QUICK_TOTAL_MS = 270_000;

const suites: Record<string, Suite> = {
  /** smoke checks that every workload and peer runs, in about a minute; its figures mean little. */
  smoke: { syncMessages: 200, windowMessages: 2_000, batchMessages: 5_000, budgetMs: 10_000, totalMs: QUICK_TOTAL_MS },
  quick: { syncMessages: 2_000, windowMessages: 15_000, batchMessages: 100_000, budgetMs: 40_000, totalMs: QUICK_TOTAL_MS },
  standard: { syncMessages: 20_000, windowMessages: 100_000, batchMessages: 1_000_000, budgetMs: 300_000 },
};

/** The message-types suites: issue 3's measurements at full scale, and a quick check of the same. */
const messageTypeSuites: Record<string, MessageTypeOptions> = {
  'message-types': { pendingTimers: 1_000_000, fifoGroups: 1_000, fifoMessages: 20_000, probes: 200, budgetMs: 300_000, sendMessages: 2_000 },
  'message-types-quick': { pendingTimers: 20_000, fifoGroups: 100, fifoMessages: 2_000, probes: 50, budgetMs: 60_000, sendMessages: 500 },
};

/** The soak suite's default duration and sampling interval. */
const SOAK_DURATION_S_DEFAULT = 600;
const SOAK_SAMPLE_EVERY_MS = 10_000;

/** Cluster workloads added by --cluster: send-sync, send-64, batch-100. */
const CLUSTER_WORKLOADS = 3;

/** Time kept back for starting and stopping each peer server not started yet (RabbitMQ takes ~8 s). */
const PEER_START_RESERVE_MS = 15_000;
/** End-to-end latency rates (issue 4: p99 at most 2 ms at 1,000 msg/s, 5 ms at 5,000 msg/s) and how long each runs at most. */
const E2E_RATES = [1_000, 5_000] as const;
/** The workloads run against Quiver standalone. */
const STANDALONE_WORKLOADS = ['send-sync', `send-${WINDOW}`, 'consume', 'batch-100', 'consume-batch', ...E2E_RATES.map((rate) => `e2e-${rate}`)];
/** Quiver's workloads: the null server's ceiling-sync and ceiling-64, then the standalone ones. */
const QUIVER_WORKLOADS = 2 + STANDALONE_WORKLOADS.length;
const E2E_DURATION_MS_MAX = 15_000;
/** Start-up, shutdown and the slack between workloads are not in any workload's budget. */
const OVERHEAD_RESERVE_MS = 20_000;

/**
 * Budgets hands each workload its time: the suite's per-workload budget, or less when the run
 * has a total budget, splitting what is left evenly over the workloads still to run.
 */
class Budgets {
  private readonly deadline: number | undefined;

  constructor(
    private readonly suite: Suite,
    private workloadsLeft: number,
    private peersLeft: number,
  ) {
    this.deadline = suite.totalMs === undefined ? undefined : Date.now() + suite.totalMs;
  }

  next(): number {
    const left = Math.max(1, this.workloadsLeft);
    this.workloadsLeft = Math.max(0, this.workloadsLeft - 1);
    if (this.deadline === undefined) return this.suite.budgetMs;
    const available = this.deadline - Date.now() - OVERHEAD_RESERVE_MS - this.peersLeft * PEER_START_RESERVE_MS;
    return Math.max(2_000, Math.min(this.suite.budgetMs, Math.floor(available / left)));
  }

  peerStarted(): void {
    this.peersLeft = Math.max(0, this.peersLeft - 1);
  }

  /** skipped accounts for workloads that will not run (a peer that failed). */
  skipped(workloads: number): void {
    this.workloadsLeft = Math.max(0, this.workloadsLeft - workloads);
  }
}

/** only, when set (--only), names the workloads to run; a consume workload also runs the sends it drains. */
let only: Set<string> | undefined;

function wanted(...workloads: string[]): boolean {
  return only === undefined || workloads.some((workload) => only!.has(workload));
}

/**
 * measure runs a workload and adds the server's CPU and RSS readings to its result. It prints the
 * workload's window in monotonic microseconds (V8's profile clock) for `--profile-summary --window`.
 */
async function measure(pids: number[], run: () => Promise<Result>): Promise<Result> {
  const cpuBefore = cpuSeconds(pids);
  const startUs = monotonicMicros();
  const result = await run();
  process.stderr.write(`\nbench: ${result.system} ${result.workload} window ${startUs}:${monotonicMicros()}\n`);
  if (pids.length === 0 || result.messages === 0) return result;
  return { ...result, serverCpuSecondsPerMillion: ((cpuSeconds(pids) - cpuBefore) / result.messages) * 1e6, serverRssMiB: rssMiB(pids) };
}

async function officialSend(system: string, endpoint: string, topic: string, name: string, count: number, inFlight: number, budgetMs: number): Promise<Result> {
  const producer = new Producer({ endpoints: endpoint, namespace: '', topic, logger: quiet });
  await producer.startup();
  try {
    return await closedLoopSend(system, name, count, inFlight, budgetMs, (body) => producer.send({ topic, body }));
  } finally {
    await producer.shutdown();
  }
}

async function batchSend(endpoint: string, topic: string, count: number, batchSize: number, inFlight: number, budgetMs: number): Promise<Result> {
  const body = Buffer.alloc(MESSAGE_BYTES, 0x62);
  const name = `batch-${batchSize}`;
  const sent = await leanBatchSend({ endpoint, count, batchSize, inFlight, budgetMs, message: () => wireMessage(topic, body), onProgress: (done) => progress(name, done, count) });
  return { system: 'quiver', workload: name, messages: sent.messages, seconds: sent.seconds, perSecond: sent.messages / sent.seconds, latencyMs: sent.latencyMs };
}

/**
 * subscribe starts a SimpleConsumer before anything is sent: a new group starts at the latest
 * offset as of the moment the proxy first knows it, so a group first seen after the sends would
 * see none of them (as the README says, start the consumer first).
 */
async function subscribe(endpoint: string, topic: string, group: string): Promise<SimpleConsumer> {
  const consumer = new SimpleConsumer({ endpoints: endpoint, namespace: '', consumerGroup: group, subscriptions: new Map([[topic, '*']]), awaitDuration: 5_000, logger: quiet });
  await consumer.startup();
  return consumer;
}

async function officialConsume(consumer: SimpleConsumer, count: number, budgetMs: number): Promise<Result> {
  const deadline = Date.now() + budgetMs;
  const claims = new Claims(count);
  let done = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (done < count && Date.now() < deadline) {
        const wanted = claims.take(32);
        if (wanted === 0) break;
        const batch = await consumer.receive(wanted, 30_000);
        claims.giveBack(wanted - batch.length);
        await Promise.all(batch.map((message) => consumer.ack(message)));
        done += batch.length;
        progress('consume', Math.min(done, count), count);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { system: 'quiver', workload: 'consume', messages: done, seconds, perSecond: done / seconds };
}

async function batchConsume(endpoint: string, topic: string, group: string, count: number, budgetMs: number): Promise<Result> {
  const client = new RawClient(endpoint, { fastCodecs: true });
  const deadline = Date.now() + budgetMs;
  const claims = new Claims(count);
  let done = 0;
  const started = process.hrtime.bigint();
  try {
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (done < count && Date.now() < deadline) {
          const wanted = claims.take(32);
          if (wanted === 0) break;
          const entries = ackEntriesOf(received(await client.receiveMessage(leanReceiveRequest(topic, group, wanted))));
          claims.giveBack(wanted - entries.length);
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
  return { system: 'quiver', workload: 'consume-batch', messages: done, seconds, perSecond: done / seconds };
}

async function main(): Promise<void> {
  const startedAt = Date.now();
  const { values } = parseArgs({
    options: {
      suite: { type: 'string', default: 'quick' },
      json: { type: 'string' },
      peers: { type: 'string' },
      chart: { type: 'string' },
      cluster: { type: 'boolean', default: false },
      duration: { type: 'string' },
      only: { type: 'string' },
      'cpu-prof': { type: 'string' },
      'server-node-args': { type: 'string' },
      'profile-summary': { type: 'string' },
      window: { type: 'string' },
    },
  });
  if (values['profile-summary']) {
    process.stdout.write(summarizeProfile(values['profile-summary'], values.window));
    return;
  }
  only = values.only === undefined ? undefined : new Set(values.only.split(','));
  const nodeArgs = [
    ...(values['cpu-prof'] === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', values['cpu-prof']]),
    ...(values['server-node-args']?.split(/\s+/).filter((flag) => flag !== '') ?? []),
  ];
  if (values.suite === 'soak') {
    await runSoak(Number(values.duration ?? SOAK_DURATION_S_DEFAULT), values.json, startedAt);
    return;
  }
  const messageTypes = messageTypeSuites[values.suite ?? ''];
  if (messageTypes) {
    await runMessageTypes(values.suite!, messageTypes, values.json, startedAt);
    return;
  }
  const suite = suites[values.suite ?? 'quick'];
  if (!suite) throw new Error(`unknown suite ${values.suite}; one of ${Object.keys(suites).join(', ')}`);
  const peers = parsePeers(values.peers);
  // Install missing peers first: apt-get time must not eat into the workloads' budgets.
  if (peers.length > 0) installPeers(peers);
  const clusterWorkloads = values.cluster ? CLUSTER_WORKLOADS : 0;
  const budgets = new Budgets(suite, STACK_WORKLOADS + QUIVER_WORKLOADS + clusterWorkloads + PEER_WORKLOADS * peers.length, peers.length);
  const runId = Date.now().toString(36);
  const results: Result[] = [];

  // The stack's ceilings run first, before any broker starts, so nothing else competes for the CPU.
  results.push(
    ...(await runStackCeilings({
      syncMessages: suite.syncMessages,
      windowMessages: suite.windowMessages,
      batchMessages: suite.batchMessages,
      budgetMs: () => budgets.next(),
      wanted: (workload) => wanted(workload),
      measure,
      // Beside this bundle: dist/tools/bench/ (tools/build/build.mjs).
      grpcServer: { modulePath: path.join(__dirname, GRPC_SERVER_BUNDLE) },
    })),
  );

  if (wanted('ceiling-sync', `ceiling-${WINDOW}`)) {
    const nullServer = await startNullServer();
    try {
      results.push(await officialSend(CEILING, nullServer.endpoint, `ceiling_${runId}`, 'ceiling-sync', suite.syncMessages, 1, budgets.next()));
      results.push(await officialSend(CEILING, nullServer.endpoint, `ceiling_${runId}`, `ceiling-${WINDOW}`, suite.windowMessages, WINDOW, budgets.next()));
    } finally {
      await nullServer.close();
    }
  }

  // Standalone starts only when one of its workloads is wanted (not for the stack's or the null server's ceilings alone).
  if (wanted(...STANDALONE_WORKLOADS)) {
    const deployment: Deployment = await startStandalone({ nodeArgs });
    const endpoint = deployment.endpoints[0]!;
    const pids = deployment.processIds();
    try {
      const topic = `bench_${runId}`;
      const batchTopic = `bench_batch_${runId}`;
      const batchGroup = `bench_batch_group_${runId}`;
      const consumer = await subscribe(endpoint, topic, `bench_group_${runId}`);
      // The lean driver's group is made known the same way; its consumer only registers it.
      const batchRegistration = await subscribe(endpoint, batchTopic, batchGroup);
      try {
        if (wanted('send-sync', `send-${WINDOW}`, 'consume')) {
          results.push(await measure(pids, () => officialSend('quiver', endpoint, topic, 'send-sync', suite.syncMessages, 1, budgets.next())));
          results.push(await measure(pids, () => officialSend('quiver', endpoint, topic, `send-${WINDOW}`, suite.windowMessages, WINDOW, budgets.next())));
        }
        if (wanted('consume')) {
          const sent = results.slice(-2).reduce((sum, result) => sum + result.messages, 0);
          results.push(await measure(pids, () => officialConsume(consumer, sent, budgets.next())));
        }
        if (wanted('batch-100', 'consume-batch')) {
          results.push(await measure(pids, () => batchSend(endpoint, batchTopic, suite.batchMessages, 100, 8, budgets.next())));
        }
        if (wanted('consume-batch')) {
          const batched = results[results.length - 1]!.messages;
          results.push(await measure(pids, () => batchConsume(endpoint, batchTopic, batchGroup, batched, budgets.next())));
        }
        for (const rate of E2E_RATES) {
          if (!wanted(`e2e-${rate}`)) continue;
          // Half the budget sends (warm-up, at most a third of it, then the recorded run); the rest is room for draining and start-up.
          const sendingMs = Math.floor(budgets.next() / 2);
          const warmupMs = Math.min(E2E_WARMUP_MS, Math.floor(sendingMs / 3));
          const durationMs = Math.min(E2E_DURATION_MS_MAX, sendingMs - warmupMs);
          results.push(await measure(pids, () => endToEndLatency(endpoint, `bench_e2e_${rate}_${runId}`, `bench_e2e_group_${rate}_${runId}`, rate, durationMs, warmupMs)));
        }
      } finally {
        await consumer.shutdown();
        await batchRegistration.shutdown();
      }
    } finally {
      await deployment.close();
    }
  }
  if (values.cluster) {
    const cluster = await startCluster({ storeNodes: 1, proxies: 1, nodeArgs });
    const clusterEndpoint = cluster.endpoints[0]!;
    const clusterPids = cluster.processIds();
    const topic = `bench_cluster_${runId}`;
    try {
      await createTopic(cluster.adminUrls[0]!, topic);
      await createTopic(cluster.adminUrls[0]!, `${topic}_batch`);
      if (wanted('send-sync', `send-${WINDOW}`)) {
        results.push(await measure(clusterPids, () => officialSend('quiver-cluster', clusterEndpoint, topic, 'send-sync', suite.syncMessages, 1, budgets.next())));
        results.push(await measure(clusterPids, () => officialSend('quiver-cluster', clusterEndpoint, topic, `send-${WINDOW}`, suite.windowMessages, WINDOW, budgets.next())));
      }
      if (wanted('batch-100')) {
        results.push({ ...(await measure(clusterPids, () => batchSend(clusterEndpoint, `${topic}_batch`, suite.batchMessages, 100, 8, budgets.next()))), system: 'quiver-cluster' });
      }
    } finally {
      await cluster.close();
    }
  }
  for (const result of results) {
    if (result.messages === 0) process.stderr.write(`bench: ${result.system} ${result.workload} handled no message within its budget\n`);
  }

  const peerErrors: Array<{ peer: string; error: string }> = [];
  for (const peer of peers) {
    budgets.peerStarted();
    const before = results.length;
    try {
      results.push(...(await runPeer(peer, { syncMessages: suite.syncMessages, windowMessages: suite.windowMessages, budgetMs: () => budgets.next() })));
    } catch (error) {
      budgets.skipped(PEER_WORKLOADS - (results.length - before));
      peerErrors.push({ peer: peer.name, error: (error as Error).message ?? String(error) });
      process.stderr.write(`bench: peer ${peer.name} failed: ${(error as Error).stack ?? String(error)}\n`);
    }
  }

  const elapsedSeconds = (Date.now() - startedAt) / 1000;
  printTable(results);
  if (peers.length > 0) printComparison(results, peers);
  for (const failure of peerErrors) process.stdout.write(`peer ${failure.peer} failed: ${failure.error.split('\n')[0]}\n`);
  process.stdout.write(`total elapsed: ${elapsedSeconds.toFixed(1)} s (suite ${values.suite}${peers.length ? `, peers ${peers.map((peer) => peer.name).join(',')}` : ''})\n`);
  if (values.json) {
    const report = {
      suite: values.suite,
      messageBytes: MESSAGE_BYTES,
      elapsedSeconds,
      peers: peers.map((peer) => ({ name: peer.name, description: peer.description })),
      peerErrors,
      results,
    };
    writeFileSync(values.json, JSON.stringify(report, null, 2));
  }
  if (values.chart) writeChart(values.chart, results);
  if (peerErrors.length > 0) throw new Error(`${peerErrors.length} peer(s) failed: ${peerErrors.map((failure) => failure.peer).join(', ')}`);
}

/** writeChart writes the latency SVG and, when librsvg's rsvg-convert is installed, a PNG beside it. */
function writeChart(file: string, results: Result[]): void {
  const shown = results.filter((result) => result.system !== CEILING && result.system !== STACK);
  const note = shown.some((result) => result.system === 'nats')
    ? 'nats: nats-server 2.9 (Debian 12) acknowledges a JetStream publish before fsync; the others fsync before acknowledging'
    : undefined;
  writeFileSync(file, latencyChartSvg(shown, ['send-sync', `send-${WINDOW}`], 'Send latency, 1 KiB messages, durable acknowledgement', note));
  process.stdout.write(`chart: ${file}\n`);
  if (!file.endsWith('.svg')) return;
  const png = file.replace(/\.svg$/, '.png');
  const converted = spawnSync('rsvg-convert', ['-b', 'white', '-o', png, file], { stdio: 'ignore', timeout: 30_000 });
  if (converted.status === 0) process.stdout.write(`chart: ${png}\n`);
}

function printTable(results: Result[]): void {
  const ceiling = (name: string) => results.find((result) => result.system === CEILING && result.workload === name);
  const ratio = (result: Result): string => {
    if (result.system === 'quiver-cluster') {
      // Cluster against standalone, same workload (issue 4: at least 80%).
      const standalone = results.find((candidate) => candidate.system === 'quiver' && candidate.workload === result.workload);
      return standalone ? `${((100 * result.perSecond) / standalone.perSecond).toFixed(0)}% of sa` : '-';
    }
    if (result.system !== 'quiver') return '-';
    const reference = result.workload === 'send-sync' ? ceiling('ceiling-sync') : result.workload === `send-${WINDOW}` ? ceiling(`ceiling-${WINDOW}`) : undefined;
    return reference ? `${((100 * result.perSecond) / reference.perSecond).toFixed(0)}%` : '-';
  };
  const fixed = (value: number | undefined, digits = 2): string => (value === undefined ? '-' : value.toFixed(digits));
  const rows = results.map((result) => [
    result.system,
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
  const header = ['system', 'workload', 'messages', 'msg/s', 'of ceiling', 'p50 ms', 'p99 ms', 'p99.9 ms', 'max ms', 'cpu s/M msg', 'rss MiB'];
  writeAligned(header, rows);
}

function writeAligned(header: string[], rows: string[][]): void {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]): string => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  process.stdout.write([line(header), ...rows.map(line)].join('\n') + '\n');
}

/**
 * printComparison prints one table: rows are workload figures, columns Quiver and each peer,
 * and the ratio of Quiver to the best peer (for msg/s the highest, for ms, CPU and RSS the lowest).
 */
function printComparison(results: Result[], peers: PeerDefinition[]): void {
  const systems = ['quiver', ...peers.map((peer) => peer.name)];
  const find = (system: string, workload: string) => results.find((result) => result.system === system && result.workload === workload);
  type Row = { label: string; higherIsBetter: boolean; value: (system: string) => number | undefined; digits: number };
  const latency = (workload: string, key: 'p50' | 'p99' | 'p999' | 'max', label: string): Row => ({
    label: `${workload} ${label} ms`,
    higherIsBetter: false,
    value: (system) => find(system, workload)?.latencyMs?.[key],
    digits: 2,
  });
  const rows: Row[] = [];
  for (const workload of ['send-sync', `send-${WINDOW}`]) {
    rows.push({ label: `${workload} msg/s`, higherIsBetter: true, value: (system) => find(system, workload)?.perSecond, digits: 0 });
    rows.push(latency(workload, 'p50', 'p50'), latency(workload, 'p99', 'p99'), latency(workload, 'p999', 'p99.9'), latency(workload, 'max', 'max'));
  }
  rows.push({ label: 'consume msg/s', higherIsBetter: true, value: (system) => find(system, 'consume')?.perSecond, digits: 0 });
  rows.push({
    label: 'consume msg/s, quiver batched acks',
    higherIsBetter: true,
    value: (system) => find(system, system === 'quiver' ? 'consume-batch' : 'consume')?.perSecond,
    digits: 0,
  });
  for (const workload of ['send-sync', `send-${WINDOW}`, 'consume']) {
    rows.push({ label: `${workload} cpu s/M msg`, higherIsBetter: false, value: (system) => find(system, workload)?.serverCpuSecondsPerMillion, digits: 0 });
  }
  rows.push({
    label: 'server rss MiB (max)',
    higherIsBetter: false,
    value: (system) => {
      const readings = results.filter((result) => result.system === system && result.serverRssMiB !== undefined).map((result) => result.serverRssMiB!);
      return readings.length ? Math.max(...readings) : undefined;
    },
    digits: 0,
  });
  const table = rows.map((row) => {
    const cells = systems.map((system) => row.value(system));
    const peerValues = cells.slice(1).filter((value): value is number => value !== undefined && value > 0);
    const best = peerValues.length === 0 ? undefined : row.higherIsBetter ? Math.max(...peerValues) : Math.min(...peerValues);
    const quiver = cells[0];
    const ratio = quiver === undefined || best === undefined ? '-' : `${(quiver / best).toFixed(2)}x`;
    return [row.label, ...cells.map((value) => (value === undefined ? '-' : value.toFixed(row.digits))), ratio];
  });
  process.stdout.write('\ncomparison (msg/s: higher is better; ms, cpu, rss: lower is better; ratio = quiver / best peer)\n');
  writeAligned(['figure', ...systems, 'quiver/best peer'], table);
}

/** createTopic creates a NORMAL topic through an admin API (a cluster does not auto-create topics). */
async function createTopic(adminUrl: string, name: string): Promise<void> {
  await adminPost(adminUrl, '/v1/topics', { name, messageType: 'NORMAL' });
}

/** runSoak runs the soak suite and prints its samples and each role's peak RSS against the goal. */
async function runSoak(durationSeconds: number, json: string | undefined, startedAt: number): Promise<void> {
  if (!Number.isFinite(durationSeconds) || durationSeconds < 10) throw new Error(`--duration must be at least 10 seconds, got ${durationSeconds}`);
  const report = await soak(durationSeconds * 1000, Math.min(SOAK_SAMPLE_EVERY_MS, (durationSeconds * 1000) / 6));
  const roles = Object.keys(report.maxRssMiB).sort();
  writeAligned(
    ['at s', 'sent/s', 'consumed/s', ...roles.map((role) => `${role} MiB`)],
    report.samples.map((sample) => [String(sample.atSeconds), String(sample.sentPerSecond), String(sample.consumedPerSecond), ...roles.map((role) => (sample.rssMiB[role] ?? 0).toFixed(0))]),
  );
  for (const [role, goal] of Object.entries(RSS_GOAL_MIB)) {
    const peak = report.maxRssMiB[role];
    if (peak !== undefined) process.stdout.write(`${role}: peak RSS ${peak.toFixed(0)} MiB (goal at most ${goal} MiB: ${peak <= goal ? 'met' : 'missed'})\n`);
  }
  process.stdout.write(`sent ${report.sent}, consumed ${report.consumed} in ${report.durationSeconds.toFixed(0)} s; total elapsed ${((Date.now() - startedAt) / 1000).toFixed(1)} s (suite soak)\n`);
  if (json) writeFileSync(json, JSON.stringify({ suite: 'soak', ...report }, null, 2));
}

/** runMessageTypes runs issue 3's measurements (src/message-types.ts) and prints them. */
async function runMessageTypes(name: string, options: MessageTypeOptions, json: string | undefined, startedAt: number): Promise<void> {
  const results = await runMessageTypeSuite({ ...options, progress });
  const fixed = (value: number | undefined): string => (value === undefined ? '-' : value.toFixed(2));
  writeAligned(
    ['workload', 'messages', 'msg/s', 'p50 ms', 'p99 ms', 'p99.9 ms', 'max ms', 'notes'],
    results.map((result) => [
      result.workload,
      String(result.messages),
      result.perSecond.toFixed(0),
      fixed(result.latencyMs?.p50),
      fixed(result.latencyMs?.p99),
      fixed(result.latencyMs?.p999),
      fixed(result.latencyMs?.max),
      result.notes ?? '',
    ]),
  );
  const elapsedSeconds = (Date.now() - startedAt) / 1000;
  process.stdout.write(`total elapsed: ${elapsedSeconds.toFixed(1)} s (suite ${name})\n`);
  if (json) writeFileSync(json, JSON.stringify({ suite: name, options, elapsedSeconds, results }, null, 2));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
