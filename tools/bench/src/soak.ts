import { Producer } from 'rocketmq-client-nodejs';
import { v2 } from '@quiver/protocol';
import { adminPost, RawClient, startCluster } from '@quiver/testing';
import { ackEntriesOf, leanReceiveRequest, received, resource } from './lean';
import { MESSAGE_BYTES, progress } from './peers/result';
import { rssMiB } from './resources';

/**
 * Soak (issue 4: RSS stays flat under sustained load, proxy at most 256 MiB, store node at most
 * 512 MiB): a cluster of separate processes (name server, store node, proxy) under the official
 * Producer (64 in flight) and lean consumers (receive 32, one AckMessage per batch) for the whole
 * duration, with each role's RSS and the send and consume rates sampled at a fixed interval.
 * Not part of the quick suite: `npm run bench -- --suite soak [--duration SECONDS]`.
 */

/** RSS goals per role, MiB (issue 4). */
export const RSS_GOAL_MIB = { proxy: 256, 'store-node': 512 } as const;
const SENDS_IN_FLIGHT = 64;
const RECEIVERS = 4;

export interface SoakSample {
  atSeconds: number;
  sentPerSecond: number;
  consumedPerSecond: number;
  rssMiB: Record<string, number>;
}

export interface SoakReport {
  durationSeconds: number;
  sent: number;
  consumed: number;
  samples: SoakSample[];
  /** maxRssMiB per role over the run. */
  maxRssMiB: Record<string, number>;
}

export async function soak(durationMs: number, sampleEveryMs: number): Promise<SoakReport> {
  const cluster = await startCluster({ storeNodes: 1, proxies: 1 });
  const endpoint = cluster.endpoints[0]!;
  const topic = `soak_${Date.now().toString(36)}`;
  const group = `${topic}_group`;
  await adminPost(cluster.adminUrls[0]!, '/v1/topics', { name: topic, messageType: 'NORMAL' });
  const consumerClient = new RawClient(endpoint);
  await consumerClient.heartbeat({ group: resource(group), clientType: v2.ClientType.SIMPLE_CONSUMER });
  const producer = new Producer({ endpoints: endpoint, namespace: '', topic, logger: { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined } });
  await producer.startup();
  const body = Buffer.alloc(MESSAGE_BYTES, 0x73);
  const startedAt = Date.now();
  const endAt = startedAt + durationMs;
  let sent = 0;
  let consumed = 0;
  const samples: SoakSample[] = [];
  const maxRssMiB: Record<string, number> = {};
  const rssByRole = (): Record<string, number> => {
    const byRole: Record<string, number> = {};
    for (const { role, pid } of cluster.processRoles()) byRole[role] = (byRole[role] ?? 0) + rssMiB([pid]);
    for (const [role, mib] of Object.entries(byRole)) maxRssMiB[role] = Math.max(maxRssMiB[role] ?? 0, mib);
    return byRole;
  };
  let lastSample = { atMs: startedAt, sent: 0, consumed: 0 };
  const sampler = setInterval(() => {
    const now = Date.now();
    const seconds = (now - lastSample.atMs) / 1000;
    samples.push({
      atSeconds: Math.round((now - startedAt) / 1000),
      sentPerSecond: Math.round((sent - lastSample.sent) / seconds),
      consumedPerSecond: Math.round((consumed - lastSample.consumed) / seconds),
      rssMiB: rssByRole(),
    });
    lastSample = { atMs: now, sent, consumed };
    progress('soak', Math.min(durationMs, now - startedAt), durationMs);
  }, sampleEveryMs);
  try {
    const senders = Array.from({ length: SENDS_IN_FLIGHT }, async () => {
      while (Date.now() < endAt) {
        try {
          await producer.send({ topic, body });
          sent++;
        } catch {
          // Counted by its absence; a soak keeps going.
        }
      }
    });
    const receivers = Array.from({ length: RECEIVERS }, async () => {
      while (Date.now() < endAt) {
        const entries = ackEntriesOf(received(await consumerClient.receiveMessage(leanReceiveRequest(topic, group, 32))));
        if (entries.length === 0) continue;
        await consumerClient.ackMessage({ group: resource(group), topic: resource(topic), entries });
        consumed += entries.length;
      }
    });
    await Promise.all([...senders, ...receivers]);
  } finally {
    clearInterval(sampler);
    progress('soak', durationMs, durationMs);
    await producer.shutdown().catch(() => undefined);
    consumerClient.close();
    await cluster.close();
  }
  return { durationSeconds: (Date.now() - startedAt) / 1000, sent, consumed, samples, maxRssMiB };
}
