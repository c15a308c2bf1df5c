import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LEVELDB_GROUP, runStackCeilings, STACK, STACK_WORKLOAD_NAMES } from './ceilings';
import { grpcClientStream, grpcUnary, spawnGrpcCeilingServer, type GrpcServerEntry } from './ceilings/grpc';
import { startGrpcCeilingServer } from './ceilings/grpc-server';
import { fsyncAppend, leveldbGroup } from './ceilings/storage';
import type { Result } from './peers/result';

/** Behaviour of the stack ceilings with tiny counts; no timing is asserted. */

const ROOT = path.resolve(__dirname, '../../..');
const BUDGET_MS = 30_000;

function expectOrderedLatency(result: Result): void {
  const latency = result.latencyMs!;
  expect(latency).toBeDefined();
  expect(latency.p50).toBeGreaterThan(0);
  expect(latency.p50).toBeLessThanOrEqual(latency.p99);
  expect(latency.p99).toBeLessThanOrEqual(latency.p999);
  expect(latency.p999).toBeLessThanOrEqual(latency.max);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

let tmpRoot: string;
beforeEach(() => {
  tmpRoot = mkdtempSync(path.join(os.tmpdir(), 'quiver-ceilings-spec-'));
});
afterEach(() => rmSync(tmpRoot, { recursive: true, force: true }));

describe('raw gRPC ceilings against an in-process server', () => {
  let server: Awaited<ReturnType<typeof startGrpcCeilingServer>>;
  let endpoint: string;
  beforeAll(async () => {
    server = await startGrpcCeilingServer();
    endpoint = `127.0.0.1:${server.port}`;
  });
  afterAll(() => server.close());

  it.each([1, 64])('unary calls with %i in flight: every call answered, latency ordered', async (inFlight) => {
    const result = await grpcUnary(STACK, 'unary', endpoint, 200, inFlight, BUDGET_MS);
    expect(result).toMatchObject({ system: STACK, workload: 'unary', messages: 200 });
    expect(result.perSecond).toBeGreaterThan(0);
    expectOrderedLatency(result);
  });

  it('a client stream: the server counts every message written', async () => {
    const result = await grpcClientStream(STACK, 'stream', endpoint, 200, BUDGET_MS);
    expect(result).toMatchObject({ system: STACK, workload: 'stream', messages: 200 });
    expect(result.latencyMs).toBeUndefined();
  });
});

describe('durable ceilings', () => {
  it('leveldb, one synced put at a time: every put counted, latency ordered, temp dir removed', async () => {
    const result = await leveldbGroup(STACK, 'sync', 20, 1, BUDGET_MS, { tmpRoot });
    expect(result.messages).toBe(20);
    expectOrderedLatency(result);
    expect(result.serverCpuSecondsPerMillion).toBeGreaterThanOrEqual(0);
    expect(readdirSync(tmpRoot)).toEqual([]);
  });

  it('leveldb group commit: a last partial batch is counted too', async () => {
    const result = await leveldbGroup(STACK, 'group', 120, 50, BUDGET_MS, { tmpRoot });
    expect(result.messages).toBe(120);
    expectOrderedLatency(result);
    expect(readdirSync(tmpRoot)).toEqual([]);
  });

  it('append + fdatasync: every append counted, latency ordered, temp file removed', async () => {
    const result = await fsyncAppend(STACK, 'fsync', 30, BUDGET_MS, { tmpRoot });
    expect(result.messages).toBe(30);
    expectOrderedLatency(result);
    expect(readdirSync(tmpRoot)).toEqual([]);
  });
});

describe('the gRPC ceiling server as a child process', () => {
  let bundleDir: string;
  let entry: GrpcServerEntry;
  beforeAll(() => {
    // ts-jest runs sources; the child needs JavaScript, so bundle its entry as the build does.
    bundleDir = mkdtempSync(path.join(os.tmpdir(), 'quiver-ceilings-bundle-'));
    const modulePath = path.join(bundleDir, 'grpc-ceiling-server.js');
    execFileSync(path.join(ROOT, 'node_modules', '.bin', 'esbuild'), [
      path.join(__dirname, 'ceilings', 'grpc-server-main.ts'),
      '--bundle',
      '--platform=node',
      '--format=cjs',
      '--packages=external',
      '--log-level=warning',
      `--outfile=${modulePath}`,
    ]);
    entry = { modulePath, env: { ...process.env, NODE_PATH: path.join(ROOT, 'node_modules') } };
  });
  afterAll(() => rmSync(bundleDir, { recursive: true, force: true }));

  it('serves, reports its port and exits when closed', async () => {
    const server = await spawnGrpcCeilingServer(entry);
    expect(isRunning(server.pid)).toBe(true);
    const result = await grpcUnary(STACK, 'unary', server.endpoint, 20, 1, BUDGET_MS);
    expect(result.messages).toBe(20);
    await server.close();
    await server.exited;
    expect(isRunning(server.pid)).toBe(false);
  });

  it('fails clearly when the bundle is missing', async () => {
    await expect(spawnGrpcCeilingServer({ modulePath: path.join(bundleDir, 'missing.js') })).rejects.toThrow(/npm run build/);
  });

  it('runStackCeilings runs every ceiling once, measures the child for gRPC and leaves nothing behind', async () => {
    const measured: Array<{ workload: string; pids: number[] }> = [];
    const results = await runStackCeilings({
      syncMessages: 20,
      windowMessages: 100,
      batchMessages: LEVELDB_GROUP + 200,
      budgetMs: () => BUDGET_MS,
      wanted: () => true,
      measure: async (pids, run) => {
        const result = await run();
        measured.push({ workload: result.workload, pids });
        return result;
      },
      grpcServer: entry,
      tmpRoot,
    });
    expect(results.map((result) => result.workload)).toEqual(STACK_WORKLOAD_NAMES);
    expect(results.every((result) => result.system === STACK)).toBe(true);
    expect(results.map((result) => result.messages)).toEqual([20, 100, LEVELDB_GROUP + 200, 20, LEVELDB_GROUP + 200, 20]);
    for (const result of results.filter((candidate) => candidate.workload !== 'grpc-client-stream')) expectOrderedLatency(result);
    const grpcPids = measured.filter((entry) => entry.workload.startsWith('grpc-')).map((entry) => entry.pids);
    expect(grpcPids).toHaveLength(3);
    const [childPid] = grpcPids[0]!;
    expect(grpcPids.every((pids) => pids.length === 1 && pids[0] === childPid)).toBe(true);
    expect(childPid).not.toBe(process.pid);
    expect(isRunning(childPid!)).toBe(false);
    expect(measured.filter((entry) => !entry.workload.startsWith('grpc-')).every((entry) => entry.pids.length === 0)).toBe(true);
    expect(readdirSync(tmpRoot)).toEqual([]);
  });

  it('runStackCeilings runs only the wanted ceilings, and no server when no gRPC ceiling is wanted', async () => {
    const results = await runStackCeilings({
      syncMessages: 20,
      windowMessages: 100,
      batchMessages: 100,
      budgetMs: () => BUDGET_MS,
      wanted: (workload) => workload === 'fsync-1',
      measure: (_pids, run) => run(),
      grpcServer: { modulePath: path.join(bundleDir, 'missing.js') },
      tmpRoot,
    });
    expect(results.map((result) => result.workload)).toEqual(['fsync-1']);
  });
});
