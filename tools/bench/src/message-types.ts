import { readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { ConsumeResult, Producer, PushConsumer, SimpleConsumer, type MessageView } from 'rocketmq-client-nodejs';
import { v2 } from '@quiver/protocol';
import { adminPost as postToAdmin, freePort, QuiverProcess, removeTempDir, tempDir, wireMessage } from '@quiver/testing';
import { leanBatchSend } from './lean';
import { histogram, latencyOf } from './peers/result';
import { cpuSeconds, rssMiB } from './resources';

/**
 * Message-type benchmark (issue 3): what pending delay messages cost, how late delay messages
 * arrive, and FIFO across many message groups. It runs its own `quiver standalone` (sync flush,
 * temporary data directory removed afterwards) and, in order:
 *   send-no-timers              official Producer, 1 in flight, 1 KiB NORMAL messages
 *   delay-lateness-no-timers    baseline of delay-lateness-with-timers, before any timer is pending
 *   schedule-timers             lean gRPC driver, 100 DELAY messages per SendMessage, due in 12 h
 *   send-with-timers            send-no-timers again while those timers wait
 *   delay-lateness-with-timers  `probes` delay messages due 2..4 s after their send, received by
 *                               an official SimpleConsumer: receive time - due time
 *   fifo-<G>-groups-send        official Producer, 64 in flight, each message group sent in order
 *   fifo-<G>-groups             official PushConsumer on a FIFO group: throughput and per-group order
 * Every loop is bounded by a count and by `budgetMs`; nothing is printed (progress goes to the
 * caller's callback).
 */

export interface MessageTypeOptions {
  /** pendingTimers: delay messages scheduled far ahead before the "with timers" workloads (1,000,000 for the real run). */
  pendingTimers: number;
  fifoGroups: number;
  fifoMessages: number;
  /** probes: delay messages whose lateness is measured (per lateness workload). */
  probes: number;
  /** budgetMs bounds each phase (each workload's loop), not the whole suite. */
  budgetMs: number;
  /** sendMessages: sync sends per send-* workload (default 2,000). */
  sendMessages?: number;
  progress?: (label: string, done: number, total: number) => void;
}

export interface MessageTypeResult {
  workload: string;
  messages: number;
  seconds: number;
  perSecond: number;
  latencyMs?: { p50: number; p99: number; p999: number; max: number };
  notes?: string;
}

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };
const MESSAGE_BYTES = 1024;
const DEFAULT_SEND_MESSAGES = 2_000;
/** Pending timers fall due 12 h ahead, spread over one hour at 1 s steps (distinct index keys, none fires during the run). */
const TIMER_DELAY_MS = 12 * 60 * 60 * 1000;
const TIMER_SPREAD_SECONDS = 3_600;
/** The server accepts delays up to 2 days (the default is 24 h; 12 h + spread stays well inside either). */
const MAX_DELAY_MS = 2 * 24 * 60 * 60 * 1000;
const TIMER_BATCH = 100;
const TIMER_IN_FLIGHT = 8;
/** Probes are due 2..4 s after their send, one sent every PROBE_INTERVAL_MS. */
const PROBE_DELAY_MIN_MS = 2_000;
const PROBE_DELAY_SPREAD_MS = 2_000;
const PROBE_INTERVAL_MS = 50;
const PROBE_RECEIVERS = 2;
/** How long after the last probe's due time receivers keep waiting for stragglers. */
const PROBE_GRACE_MS = 30_000;
const FIFO_SEND_IN_FLIGHT = 64;
/** The FIFO consumer gives up when nothing new arrived for this long. */
const FIFO_STALL_MS = 60_000;

interface Server {
  endpoint: string;
  adminUrl: string;
  dataDir: string;
  pids(): number[];
  close(): Promise<void>;
}

async function startServer(): Promise<Server> {
  const dataDir = tempDir('bench-message-types');
  const port = await freePort();
  const adminPort = await freePort();
  const args = ['standalone', '--data-dir', dataDir, '--port', String(port), '--admin-port', String(adminPort), '--host', '127.0.0.1'];
  args.push('--flush-mode', 'sync', '--max-delay-ms', String(MAX_DELAY_MS));
  let server: QuiverProcess;
  try {
    server = await QuiverProcess.start('standalone', args, dataDir);
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    endpoint: `127.0.0.1:${port}`,
    adminUrl: `http://127.0.0.1:${adminPort}`,
    dataDir,
    pids: () => (server.pid === undefined ? [] : [server.pid]),
    close: async () => {
      await server.stop();
      await removeTempDir(dataDir);
    },
  };
}

async function adminPost(server: Server, route: string, body: unknown): Promise<void> {
  await postToAdmin(server.adminUrl, route, body);
}

function elapsedSeconds(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e9;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** directoryMiB sums the sizes of the files under `dir`. */
function directoryMiB(dir: string): number {
  let bytes = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    try {
      if (entry.isDirectory()) bytes += directoryMiB(full) * 1024 * 1024;
      else bytes += statSync(full).size;
    } catch {
      // Removed meanwhile (LevelDB compaction).
    }
  }
  return bytes / (1024 * 1024);
}

/** serverNotes runs a workload and notes the server's CPU per million messages and RSS after it. */
async function withServerNotes(server: Server, run: () => Promise<MessageTypeResult>): Promise<MessageTypeResult> {
  const cpuBefore = cpuSeconds(server.pids());
  const result = await run();
  const cpuPerMillion = result.messages > 0 ? ((cpuSeconds(server.pids()) - cpuBefore) / result.messages) * 1e6 : 0;
  const note = `server CPU ${cpuPerMillion.toFixed(0)} s/M msg, RSS ${rssMiB(server.pids()).toFixed(0)} MiB`;
  return { ...result, notes: result.notes ? `${result.notes}; ${note}` : note };
}

type Progress = NonNullable<MessageTypeOptions['progress']>;

/** syncSend: the official Producer, one message in flight, 1 KiB NORMAL messages. */
async function syncSend(server: Server, topic: string, name: string, count: number, budgetMs: number, progress: Progress): Promise<MessageTypeResult> {
  const producer = new Producer({ endpoints: server.endpoint, namespace: '', topic, logger: quiet });
  await producer.startup();
  const recorded = histogram();
  const body = Buffer.alloc(MESSAGE_BYTES, 0x61);
  const deadline = Date.now() + budgetMs;
  let done = 0;
  const started = process.hrtime.bigint();
  try {
    while (done < count && Date.now() < deadline) {
      const t0 = process.hrtime.bigint();
      await producer.send({ topic, body });
      recorded.recordValue(Number(process.hrtime.bigint() - t0) / 1000);
      done++;
      if (done % 100 === 0) progress(name, done, count);
    }
  } finally {
    await producer.shutdown();
  }
  const seconds = elapsedSeconds(started);
  progress(name, count, count);
  return { workload: name, messages: done, seconds, perSecond: done / seconds, latencyMs: latencyOf(recorded) };
}

/** scheduleTimers: the lean driver, TIMER_BATCH DELAY messages per SendMessage, TIMER_IN_FLIGHT requests in flight. */
async function scheduleTimers(server: Server, topic: string, count: number, budgetMs: number, progress: Progress): Promise<MessageTypeResult> {
  const body = Buffer.alloc(MESSAGE_BYTES, 0x74);
  const dueBaseMs = Date.now() + TIMER_DELAY_MS;
  const message = (index: number): v2.Message => {
    const built = wireMessage(topic, body);
    const dueMs = dueBaseMs + (index % TIMER_SPREAD_SECONDS) * 1000;
    built.systemProperties!.messageType = v2.MessageType.DELAY;
    built.systemProperties!.deliveryTimestamp = { seconds: Math.floor(dueMs / 1000), nanos: (dueMs % 1000) * 1_000_000 };
    return built;
  };
  const sent = await leanBatchSend({
    endpoint: server.endpoint,
    count,
    batchSize: TIMER_BATCH,
    inFlight: TIMER_IN_FLIGHT,
    budgetMs,
    message,
    onProgress: (done) => {
      if (done % 10_000 < TIMER_BATCH) progress('schedule-timers', done, count);
    },
  });
  progress('schedule-timers', count, count);
  const notes = `${TIMER_BATCH} per SendMessage, ${TIMER_IN_FLIGHT} in flight, latency is per SendMessage; due in 12 h; data dir ${directoryMiB(server.dataDir).toFixed(0)} MiB after (bodies are one repeated byte: LevelDB compresses them)`;
  return { workload: 'schedule-timers', messages: sent.messages, seconds: sent.seconds, perSecond: sent.messages / sent.seconds, latencyMs: sent.latencyMs, notes };
}

/**
 * delayLateness sends `probes` delay messages (official Producer, due 2..4 s ahead, one every
 * PROBE_INTERVAL_MS) and receives them with an official SimpleConsumer started beforehand.
 * Lateness = receive time - due time; an early one is counted, never recorded.
 */
async function delayLateness(server: Server, topic: string, group: string, name: string, probes: number, budgetMs: number, progress: Progress): Promise<MessageTypeResult> {
  const consumer = new SimpleConsumer({ endpoints: server.endpoint, namespace: '', consumerGroup: group, subscriptions: new Map([[topic, '*']]), awaitDuration: 5_000, logger: quiet });
  await consumer.startup();
  const producer = new Producer({ endpoints: server.endpoint, namespace: '', topic, logger: quiet });
  await producer.startup();
  const recorded = histogram();
  const dueByMessageId = new Map<string, number>();
  const seen = new Set<string>();
  const body = Buffer.alloc(MESSAGE_BYTES, 0x70);
  const sendDeadline = Date.now() + budgetMs;
  let receiveDeadline = sendDeadline + PROBE_DELAY_MIN_MS + PROBE_DELAY_SPREAD_MS + PROBE_GRACE_MS;
  let sendingDone = false;
  let sent = 0;
  let early = 0;
  let duplicates = 0;
  let unknown = 0;
  let receiveErrors = 0;
  let firstReceiveError = '';
  let lastDueMs = 0;
  const started = process.hrtime.bigint();

  const send = async (): Promise<void> => {
    try {
      for (let i = 0; i < probes && Date.now() < sendDeadline; i++) {
        // A deterministic spread of due offsets over 2..4 s (golden-ratio sequence).
        const dueMs = Date.now() + PROBE_DELAY_MIN_MS + Math.floor(((i * 0.6180339887) % 1) * PROBE_DELAY_SPREAD_MS);
        const receipt = await producer.send({ topic, body, deliveryTimestamp: new Date(dueMs) });
        dueByMessageId.set(receipt.messageId, dueMs);
        lastDueMs = Math.max(lastDueMs, dueMs);
        sent++;
        await sleep(PROBE_INTERVAL_MS);
      }
    } finally {
      sendingDone = true;
      receiveDeadline = Math.min(receiveDeadline, Math.max(lastDueMs, Date.now()) + PROBE_GRACE_MS);
    }
  };

  const receive = async (): Promise<void> => {
    while (!(sendingDone && seen.size >= sent) && Date.now() < receiveDeadline) {
      let batch: MessageView[];
      try {
        batch = await consumer.receive(16, 30_000);
      } catch (error) {
        if (receiveErrors++ === 0) firstReceiveError = (error as Error).message;
        await sleep(100);
        continue;
      }
      const receivedAtMs = Date.now();
      for (const message of batch) {
        if (seen.has(message.messageId)) {
          duplicates++;
        } else {
          const dueMs = dueByMessageId.get(message.messageId);
          if (dueMs === undefined) {
            // Not a probe of this run (a due time is at least 2 s after its send returned).
            unknown++;
          } else {
            seen.add(message.messageId);
            if (receivedAtMs < dueMs) early++;
            else recorded.recordValue(Math.max(1, (receivedAtMs - dueMs) * 1000));
            progress(name, seen.size, probes);
          }
        }
        await consumer.ack(message).catch(() => undefined);
      }
    }
  };

  try {
    await Promise.all([send(), ...Array.from({ length: PROBE_RECEIVERS }, receive)]);
  } finally {
    await producer.shutdown();
    await consumer.shutdown();
  }
  const seconds = elapsedSeconds(started);
  progress(name, probes, probes);
  const notes =
    `lateness = receive time - due time, due 2..4 s after send, SimpleConsumer long poll 5 s, ${PROBE_RECEIVERS} receivers; ` +
    `${seen.size}/${sent} received, ${early} early, ${duplicates} duplicates` +
    (unknown > 0 ? `, ${unknown} messages that were not probes of this run` : '') +
    (receiveErrors > 0 ? `, ${receiveErrors} receive errors (first: ${firstReceiveError})` : '');
  const latencyMs = recorded.totalCount > 0 ? latencyOf(recorded) : undefined;
  return { workload: name, messages: seen.size, seconds, perSecond: seen.size / seconds, ...(latencyMs ? { latencyMs } : {}), notes };
}

/** fifoBody is 1 KiB that starts with `<group>:<sequence>|`. */
function fifoBody(group: number, sequence: number): Buffer {
  const body = Buffer.alloc(MESSAGE_BYTES, 0x66);
  body.write(`${group}:${sequence}|`, 'latin1');
  return body;
}

/**
 * fifo sends `count` messages over `groups` message groups (each group in order from one sender
 * loop, FIFO_SEND_IN_FLIGHT loops), then consumes them with an official PushConsumer on a FIFO
 * group, checking that each group arrives in send order with nothing offered again.
 */
async function fifo(server: Server, runId: string, groups: number, count: number, budgetMs: number, progress: Progress): Promise<MessageTypeResult[]> {
  const topic = `bench_fifo_${runId}`;
  const group = `bench_fifo_group_${runId}`;
  await adminPost(server, '/v1/topics', { name: topic, messageType: 'FIFO' });
  await adminPost(server, '/v1/groups', { name: group, fifo: true });
  const sendName = `fifo-${groups}-groups-send`;
  const consumeName = `fifo-${groups}-groups`;

  const producer = new Producer({ endpoints: server.endpoint, namespace: '', topic, logger: quiet });
  await producer.startup();
  const recorded = histogram();
  const perGroup = Math.ceil(count / groups);
  const senders = Math.min(FIFO_SEND_IN_FLIGHT, groups);
  const sendDeadline = Date.now() + budgetMs;
  let sent = 0;
  const sendStarted = process.hrtime.bigint();
  try {
    await Promise.all(
      Array.from({ length: senders }, async (_, sender) => {
        for (let sequence = 0; sequence < perGroup; sequence++) {
          for (let g = sender; g < groups; g += senders) {
            if (sequence * groups + g >= count) continue;
            if (Date.now() >= sendDeadline) return;
            const t0 = process.hrtime.bigint();
            await producer.send({ topic, messageGroup: `g${g}`, body: fifoBody(g, sequence) });
            recorded.recordValue(Number(process.hrtime.bigint() - t0) / 1000);
            sent++;
            if (sent % 500 === 0) progress(sendName, sent, count);
          }
        }
      }),
    );
  } finally {
    await producer.shutdown();
  }
  const sendSeconds = elapsedSeconds(sendStarted);
  progress(sendName, count, count);
  const sendResult: MessageTypeResult = {
    workload: sendName,
    messages: sent,
    seconds: sendSeconds,
    perSecond: sent / sendSeconds,
    latencyMs: latencyOf(recorded),
    notes: `official Producer, ${senders} in flight, ${groups} message groups, each group sent in order`,
  };

  const lastSequence = new Int32Array(groups).fill(-1);
  let consumed = 0;
  let redelivered = 0;
  let outOfOrder = 0;
  let malformed = 0;
  const examples: string[] = [];
  let lastProgressMs = Date.now();
  let lastConsumedAt = process.hrtime.bigint();
  const consumeStarted = process.hrtime.bigint();
  const consumer = new PushConsumer({
    endpoints: server.endpoint,
    namespace: '',
    consumerGroup: group,
    subscriptions: new Map([[topic, '*']]),
    logger: quiet,
    messageListener: {
      consume: (message: MessageView) => {
        const header = message.body.subarray(0, 32).toString('latin1').split('|')[0]!;
        const [groupText, sequenceText] = header.split(':');
        const g = Number(groupText);
        const sequence = Number(sequenceText);
        if (!Number.isInteger(g) || g < 0 || g >= groups || !Number.isInteger(sequence) || message.messageGroup !== `g${g}`) {
          malformed++;
          return ConsumeResult.SUCCESS;
        }
        const last = lastSequence[g]!;
        if (sequence <= last) {
          redelivered++;
          if (examples.length < 3) examples.push(`g${g}:${sequence} again after g${g}:${last}`);
        } else {
          if (sequence !== last + 1) {
            outOfOrder++;
            if (examples.length < 3) examples.push(`g${g}:${sequence} before g${g}:${last + 1}`);
          }
          lastSequence[g] = sequence;
          consumed++;
          lastConsumedAt = process.hrtime.bigint();
          lastProgressMs = Date.now();
          if (consumed % 500 === 0) progress(consumeName, consumed, sent);
        }
        return ConsumeResult.SUCCESS;
      },
    },
  });
  const consumeDeadline = Date.now() + budgetMs;
  await consumer.startup();
  try {
    while (consumed < sent && Date.now() < consumeDeadline && Date.now() - lastProgressMs < FIFO_STALL_MS) await sleep(50);
  } finally {
    await consumer.shutdown();
  }
  progress(consumeName, sent, sent);
  const consumeSeconds = consumed > 0 ? Number(lastConsumedAt - consumeStarted) / 1e9 : elapsedSeconds(consumeStarted);
  const violations = outOfOrder + redelivered + malformed;
  const consumeResult: MessageTypeResult = {
    workload: consumeName,
    messages: consumed,
    seconds: consumeSeconds,
    perSecond: consumed / consumeSeconds,
    notes:
      `official PushConsumer on a FIFO group, from startup to the last message; ${consumed}/${sent} consumed; ` +
      `order violations ${violations} (${outOfOrder} out of order, ${redelivered} offered again, ${malformed} malformed)` +
      (examples.length > 0 ? ` e.g. ${examples.join(', ')}` : '') +
      `; send ${sendResult.perSecond.toFixed(0)} msg/s`,
  };
  return [sendResult, consumeResult];
}

/** runMessageTypeSuite starts its own standalone, runs the workloads described above and stops it. */
export async function runMessageTypeSuite(options: MessageTypeOptions): Promise<MessageTypeResult[]> {
  const progress: Progress = options.progress ?? (() => undefined);
  if (!Number.isInteger(options.fifoGroups) || options.fifoGroups < 1) throw new Error(`fifoGroups must be a positive integer, not ${options.fifoGroups}`);
  const sendMessages = options.sendMessages ?? DEFAULT_SEND_MESSAGES;
  const runId = Date.now().toString(36);
  const normalTopic = `bench_normal_${runId}`;
  /** The timers and the with-timers probes share a topic; the baseline probes have their own. */
  const delayTopic = `bench_delay_${runId}`;
  const baselineDelayTopic = `bench_delay_base_${runId}`;
  const results: MessageTypeResult[] = [];
  const server = await startServer();
  try {
    await adminPost(server, '/v1/topics', { name: normalTopic, messageType: 'NORMAL' });
    await adminPost(server, '/v1/topics', { name: delayTopic, messageType: 'DELAY' });
    await adminPost(server, '/v1/topics', { name: baselineDelayTopic, messageType: 'DELAY' });
    results.push(await withServerNotes(server, () => syncSend(server, normalTopic, 'send-no-timers', sendMessages, options.budgetMs, progress)));
    results.push(await delayLateness(server, baselineDelayTopic, `bench_probe_base_${runId}`, 'delay-lateness-no-timers', options.probes, options.budgetMs, progress));
    const scheduled = await withServerNotes(server, () => scheduleTimers(server, delayTopic, options.pendingTimers, options.budgetMs, progress));
    results.push(scheduled);
    const pending = `${scheduled.messages} timers pending`;
    const annotate = (result: MessageTypeResult): MessageTypeResult => ({ ...result, notes: result.notes ? `${pending}; ${result.notes}` : pending });
    results.push(annotate(await withServerNotes(server, () => syncSend(server, normalTopic, 'send-with-timers', sendMessages, options.budgetMs, progress))));
    results.push(annotate(await delayLateness(server, delayTopic, `bench_probe_${runId}`, 'delay-lateness-with-timers', options.probes, options.budgetMs, progress)));
    for (const result of await fifo(server, runId, options.fifoGroups, options.fifoMessages, options.budgetMs, progress)) results.push(annotate(result));
  } finally {
    await server.close();
  }
  return results;
}
