import { cpuSeconds, rssMiB } from '../resources';
import type { PeerDefinition } from './peer';
import { natsPeer } from './nats';
import { rabbitmqPeer } from './rabbitmq';
import { redisPeer } from './redis';
import { closedLoopSend, progress, WINDOW, type Result } from './result';
import { ensureInstalled } from './server';

export { type Result } from './result';
export type { PeerDefinition } from './peer';

export const PEERS: PeerDefinition[] = [redisPeer, rabbitmqPeer, natsPeer];

/** Workloads run per peer: send-sync, send-64, consume. */
export const PEER_WORKLOADS = 3;

/** parsePeers turns `redis,nats` or `all` into peer definitions (in the order given). */
export function parsePeers(spec: string | undefined): PeerDefinition[] {
  if (!spec) return [];
  const names = spec.split(',').map((name) => name.trim().toLowerCase()).filter(Boolean);
  if (names.includes('all')) return PEERS;
  return names.map((name) => {
    const peer = PEERS.find((candidate) => candidate.name === name);
    if (!peer) throw new Error(`unknown peer ${name}; one of ${PEERS.map((candidate) => candidate.name).join(', ')}, all`);
    return peer;
  });
}

export function installPeers(peers: PeerDefinition[]): void {
  ensureInstalled(peers);
}

export interface PeerPlan {
  syncMessages: number;
  windowMessages: number;
  /** budgetMs is asked before each workload for its time budget. */
  budgetMs: () => number;
}

/**
 * runPeer starts one peer server, runs the workloads Quiver gets (send-sync, send-64, consume +
 * ack of everything sent) with its server's CPU and RSS, and stops the server, also on errors.
 */
export async function runPeer(peer: PeerDefinition, plan: PeerPlan): Promise<Result[]> {
  const startedAt = Date.now();
  const running = await peer.start();
  process.stderr.write(`bench: ${peer.name} ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s (pid ${running.server.pid}, ${peer.description})\n`);
  const results: Result[] = [];
  const measure = async (run: () => Promise<Result>): Promise<Result> => {
    const cpuBefore = cpuSeconds(running.server.pids());
    const result = await run();
    const pids = running.server.pids();
    const cpu = cpuSeconds(pids) - cpuBefore;
    return { ...result, serverCpuSecondsPerMillion: result.messages > 0 ? (cpu / result.messages) * 1e6 : undefined, serverRssMiB: rssMiB(pids) };
  };
  try {
    results.push(await measure(() => closedLoopSend(peer.name, 'send-sync', plan.syncMessages, 1, plan.budgetMs(), (body) => running.send(body))));
    results.push(await measure(() => closedLoopSend(peer.name, `send-${WINDOW}`, plan.windowMessages, WINDOW, plan.budgetMs(), (body) => running.send(body))));
    const sent = results.reduce((sum, result) => sum + result.messages, 0);
    results.push(
      await measure(async () => {
        const label = `${peer.name} consume`;
        const started = process.hrtime.bigint();
        const done = await running.consume(sent, Date.now() + plan.budgetMs(), (count) => {
          if (count % 500 < 32) progress(label, Math.min(count, sent), sent);
        });
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        progress(label, sent, sent);
        if (done < sent) process.stderr.write(`bench: ${peer.name} consumed ${done} of ${sent} within its budget\n`);
        return { system: peer.name, workload: 'consume', messages: done, seconds, perSecond: done / seconds };
      }),
    );
  } finally {
    await running.close();
    await running.server.stop();
  }
  return results;
}
