import { performance } from 'node:perf_hooks';
import { v2 } from '@quiver/protocol';
import { RawClient, wireMessage } from '@quiver/testing';
import { ackEntriesOf, leanReceiveRequest, received as receivedMessages, resource } from './lean';
import { histogram, latencyOf, MESSAGE_BYTES, progress, type Result } from './peers/result';

/**
 * End-to-end latency at a fixed rate (issue 4: p99 at most 2 ms at 1,000 msg/s and 5 ms at
 * 5,000 msg/s). An open-loop producer (the lean gRPC driver) sends, every millisecond tick, the
 * messages due by then in one SendMessage, each stamped with its intended send time; receivers
 * long-poll ReceiveMessage (up to 32 a call) and ack each batch with one AckMessage. Latency is
 * receive time minus intended send time, so a stalled sender counts against the system
 * (no coordinated omission). Producer and consumers share this process's clock.
 *
 * The run opens with a warm-up at the same rate (E2E_WARMUP_MS) whose messages are sent, received
 * and acked but not recorded, as the OpenMessaging Benchmark does: a server started for the run
 * (`--only e2e-5000`) fell behind for its first second while its code was still being compiled,
 * and the backlog, drained over the next two, set the p99 (about 1 s against about 0.1 s when the
 * same run followed another in the same processes).
 */

/** Warm-up before latencies are recorded: sends at the run's rate, received and acked, not recorded. */
export const E2E_WARMUP_MS = 3_000;

/** Receive loops polling at once: enough that one is always waiting while others ack. */
const RECEIVERS = 4;
/** Sends in flight at most; beyond it the producer falls behind and the latency shows it. */
const SENDS_IN_FLIGHT_MAX = 64;
/** One SendMessage carries at most this many due messages. */
const SEND_BATCH_MAX = 100;
/** After the last send, receivers get this long to drain before the run ends. */
const DRAIN_GRACE_MS = 5_000;
const SENT_AT_PROPERTY = 'bench-sent-at-ms';

/**
 * endToEndLatency sends at `ratePerSecond` for `warmupMs` then `durationMs`, and records the
 * latency of the messages due after the warm-up. The result counts every message (its CPU
 * figure covers the warm-up too); its latency only the recorded ones.
 */
export async function endToEndLatency(
  endpoint: string,
  topic: string,
  group: string,
  ratePerSecond: number,
  durationMs: number,
  warmupMs = E2E_WARMUP_MS,
): Promise<Result> {
  const name = `e2e-${ratePerSecond}`;
  const client = new RawClient(endpoint, { fastCodecs: true });
  const body = Buffer.alloc(MESSAGE_BYTES, 0x65);
  const recorded = histogram();
  const total = Math.floor((ratePerSecond * (warmupMs + durationMs)) / 1000);
  let received = 0;
  let sent = 0;
  let failedSends = 0;
  let sendingDone = false;
  try {
    // The group is known before anything is sent (new groups start at the latest offset).
    await client.heartbeat({ group: resource(group), clientType: v2.ClientType.SIMPLE_CONSUMER });
    const startedAt = performance.now();
    const recordFrom = startedAt + warmupMs;
    const receiveUntil = (): boolean => received < total && (!sendingDone || performance.now() < startedAt + warmupMs + durationMs + DRAIN_GRACE_MS);

    const receivers = Array.from({ length: RECEIVERS }, async () => {
      const acks: Array<Promise<unknown>> = [];
      while (receiveUntil()) {
        const messages = receivedMessages(await client.receiveMessage(leanReceiveRequest(topic, group, 32)));
        const receivedAt = performance.now();
        for (const message of messages) {
          const sentAt = Number(message.userProperties[SENT_AT_PROPERTY]);
          if (sentAt < recordFrom) continue;
          recorded.recordValue(Math.max(1, Math.round((receivedAt - sentAt) * 1000)));
        }
        const entries = ackEntriesOf(messages);
        received += entries.length;
        progress(name, Math.min(received, total), total);
        if (entries.length > 0) acks.push(client.ackMessage({ group: resource(group), topic: resource(topic), entries }));
      }
      await Promise.all(acks);
    });

    const inFlight = new Set<Promise<void>>();
    while (sent < total) {
      const elapsedMs = performance.now() - startedAt;
      const due = Math.min(total, Math.floor((elapsedMs * ratePerSecond) / 1000)) - sent;
      if (due > 0 && inFlight.size < SENDS_IN_FLIGHT_MAX) {
        const count = Math.min(due, SEND_BATCH_MAX);
        // Each message is stamped with the moment it was due, not when the send got to it.
        const messages = Array.from({ length: count }, (_, index) =>
          wireMessage(topic, body, { properties: { [SENT_AT_PROPERTY]: String(startedAt + ((sent + index + 1) * 1000) / ratePerSecond) } }),
        );
        sent += count;
        const send = client.sendMessage({ messages }).then(
          (response) => {
            if (response.status?.code !== v2.Code.OK) failedSends += count;
          },
          () => {
            failedSends += count;
          },
        );
        const tracked = send.finally(() => inFlight.delete(tracked));
        inFlight.add(tracked);
        continue;
      }
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await Promise.all(inFlight);
    sendingDone = true;
    await Promise.all(receivers);
    progress(name, total, total);
    const seconds = (performance.now() - startedAt) / 1000;
    if (failedSends > 0) process.stderr.write(`bench: ${name}: ${failedSends} sends failed\n`);
    return { system: 'quiver', workload: name, messages: received, seconds, perSecond: received / seconds, latencyMs: latencyOf(recorded) };
  } finally {
    client.close();
  }
}
