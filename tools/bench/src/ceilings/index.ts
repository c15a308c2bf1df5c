import { WINDOW, type Result } from '../peers/result';
import { grpcClientStream, grpcUnary, spawnGrpcCeilingServer, type GrpcServerEntry } from './grpc';
import { fsyncAppend, leveldbGroup } from './storage';

export { GRPC_SERVER_BUNDLE, type GrpcServerEntry } from './grpc';

/**
 * The stack's ceilings (issue 4), measured in the same run as Quiver, before it starts, on an
 * otherwise idle machine: raw gRPC (src/ceilings/grpc.ts), LevelDB's synced puts and group commit
 * and a bare append + fdatasync (src/ceilings/storage.ts). 1 KiB messages, loopback only.
 */

/** System name of these rows, apart from Quiver, the null server and the peers. */
export const STACK = 'stack';
/**
 * Unmeasured unary calls, one at a time, before the gRPC ceilings (at most the suite's
 * syncMessages), and their time bound: here the first 2,000 calls of a fresh client and server ran
 * at about half the rate of the next ones.
 */
const GRPC_WARMUP_CALLS = 2_000;
const GRPC_WARMUP_BUDGET_MS = 5_000;
/** Puts per synced LevelDB batch in leveldb-group-*. */
export const LEVELDB_GROUP = 1_000;

export const STACK_WORKLOAD_NAMES = ['grpc-unary-sync', `grpc-unary-${WINDOW}`, 'grpc-client-stream', 'leveldb-sync-1', `leveldb-group-${LEVELDB_GROUP}`, 'fsync-1'];
/** How many workloads runStackCeilings runs (for the suite's Budgets). */
export const STACK_WORKLOADS = STACK_WORKLOAD_NAMES.length;

export interface StackPlan {
  /** syncMessages bounds the one-at-a-time workloads: grpc-unary-sync (as ceiling-sync and send-sync), leveldb-sync-1, fsync-1. */
  syncMessages: number;
  /** windowMessages bounds grpc-unary-64 (as ceiling-64 and send-64). */
  windowMessages: number;
  /** batchMessages bounds the streamed gRPC messages and the LevelDB group commits. */
  batchMessages: number;
  /** budgetMs is asked before each workload for its time budget. */
  budgetMs: () => number;
  wanted: (workload: string) => boolean;
  /** measure runs a workload and adds the CPU and RSS of `pids` (the bench's measure in main.ts). */
  measure: (pids: number[], run: () => Promise<Result>) => Promise<Result>;
  grpcServer: GrpcServerEntry;
  /** tmpRoot is where the durable ceilings make their temp dirs (os.tmpdir() unless given). */
  tmpRoot?: string;
}

/** runStackCeilings runs the wanted stack ceilings, one at a time, and returns their results. */
export async function runStackCeilings(plan: StackPlan): Promise<Result[]> {
  const [unarySync, unaryWindow, clientStream, levelSync, levelGroup, fsync] = STACK_WORKLOAD_NAMES as [string, string, string, string, string, string];
  const results: Result[] = [];
  if ([unarySync, unaryWindow, clientStream].some((name) => plan.wanted(name))) {
    const server = await spawnGrpcCeilingServer(plan.grpcServer);
    try {
      const pids = [server.pid];
      await grpcUnary(STACK, 'warm-up', server.endpoint, Math.min(GRPC_WARMUP_CALLS, plan.syncMessages), 1, GRPC_WARMUP_BUDGET_MS);
      if (plan.wanted(unarySync)) results.push(await plan.measure(pids, () => grpcUnary(STACK, unarySync, server.endpoint, plan.syncMessages, 1, plan.budgetMs())));
      if (plan.wanted(unaryWindow)) results.push(await plan.measure(pids, () => grpcUnary(STACK, unaryWindow, server.endpoint, plan.windowMessages, WINDOW, plan.budgetMs())));
      if (plan.wanted(clientStream)) results.push(await plan.measure(pids, () => grpcClientStream(STACK, clientStream, server.endpoint, plan.batchMessages, plan.budgetMs())));
    } finally {
      await server.close();
    }
  }
  // In-process: no server pids; the workloads report this process's CPU themselves.
  const options = { tmpRoot: plan.tmpRoot };
  if (plan.wanted(levelSync)) results.push(await plan.measure([], () => leveldbGroup(STACK, levelSync, plan.syncMessages, 1, plan.budgetMs(), options)));
  if (plan.wanted(levelGroup)) results.push(await plan.measure([], () => leveldbGroup(STACK, levelGroup, plan.batchMessages, LEVELDB_GROUP, plan.budgetMs(), options)));
  if (plan.wanted(fsync)) results.push(await plan.measure([], () => fsyncAppend(STACK, fsync, plan.syncMessages, plan.budgetMs(), options)));
  return results;
}
