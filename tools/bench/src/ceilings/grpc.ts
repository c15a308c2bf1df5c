import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Client, credentials, type ClientWritableStream } from '@grpc/grpc-js';
import { CALL_TIMEOUT_MS, closedLoopSend, MESSAGE_BYTES, progress, withTimeout, type Result } from '../peers/result';
import { grpcCeilingService, type GrpcCeilingReady } from './grpc-server';

/**
 * Raw gRPC ceilings: the bench's client against grpc-server.ts in a child process, 1 KiB requests
 * on loopback. They bound what any gRPC broker written on @grpc/grpc-js can reach here.
 */

/** File name of the child's bundle, beside the bench's own (tools/build/build.mjs). */
export const GRPC_SERVER_BUNDLE = 'grpc-ceiling-server.js';
/** How long the child may take to listen, and to exit once told to. */
const SERVER_START_TIMEOUT_MS = 15_000;
const SERVER_EXIT_TIMEOUT_MS = 5_000;
/** How long the client may take to connect. */
const CONNECT_TIMEOUT_MS = 10_000;
/** Messages between two progress lines of the client stream. */
const STREAM_PROGRESS_EVERY = 5_000;

export interface SpawnedGrpcCeilingServer {
  endpoint: string;
  pid: number;
  /** exited settles when the child process has exited. */
  exited: Promise<void>;
  close(): Promise<void>;
}

export interface GrpcServerEntry {
  /** modulePath is the JavaScript file the child runs (the bundle of grpc-server-main.ts). */
  modulePath: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * spawnGrpcCeilingServer starts the server as a child process (its own CPU, measured from /proc
 * like a broker's), waits for the port it reports over IPC, and kills it if this process exits
 * first. close() closes the IPC channel, on which the child exits, and waits for it.
 */
export async function spawnGrpcCeilingServer(entry: GrpcServerEntry): Promise<SpawnedGrpcCeilingServer> {
  if (!existsSync(entry.modulePath)) throw new Error(`${entry.modulePath} is missing: run npm run build`);
  const child = fork(entry.modulePath, [], { execArgv: [], env: entry.env ?? process.env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killOnExit);
  try {
    const ready = await withTimeout(
      new Promise<GrpcCeilingReady>((resolve, reject) => {
        child.once('message', (message) => resolve(message as GrpcCeilingReady));
        child.once('exit', (code, signal) => reject(new Error(`grpc ceiling server exited before listening (${signal ?? code})`)));
        child.once('error', reject);
      }),
      SERVER_START_TIMEOUT_MS,
      'grpc ceiling server start',
    );
    return {
      endpoint: `127.0.0.1:${ready.port}`,
      pid: child.pid!,
      exited,
      close: async () => {
        await stopChild(child, exited);
        process.removeListener('exit', killOnExit);
      },
    };
  } catch (error) {
    await stopChild(child, exited);
    process.removeListener('exit', killOnExit);
    throw error;
  }
}

/** stopChild disconnects the child (it exits on that) and kills it if it has not exited in time. */
async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  if (child.connected) child.disconnect();
  try {
    await withTimeout(exited, SERVER_EXIT_TIMEOUT_MS, 'grpc ceiling server exit');
  } catch {
    child.kill('SIGKILL');
    await exited;
  }
}

async function connect(endpoint: string): Promise<Client> {
  const client = new Client(endpoint, credentials.createInsecure());
  try {
    // Connection set-up is not part of any call's latency.
    await new Promise<void>((resolve, reject) => client.waitForReady(Date.now() + CONNECT_TIMEOUT_MS, (error) => (error ? reject(error) : resolve())));
  } catch (error) {
    client.close();
    throw error;
  }
  return client;
}

/**
 * grpcUnary keeps `inFlight` unary calls outstanding (1 KiB request, UNARY_REPLY_BYTES answer)
 * until `count` were answered or `budgetMs` ran out; latency is per call.
 */
export async function grpcUnary(system: string, workload: string, endpoint: string, count: number, inFlight: number, budgetMs: number): Promise<Result> {
  const client = await connect(endpoint);
  const { path, requestSerialize, responseDeserialize } = grpcCeilingService.unary;
  const call = (body: Buffer): Promise<Buffer> =>
    new Promise((resolve, reject) =>
      client.makeUnaryRequest(path, requestSerialize, responseDeserialize, body, { deadline: Date.now() + CALL_TIMEOUT_MS }, (error, reply) => (error ? reject(error) : resolve(reply!))),
    );
  try {
    return await closedLoopSend(system, workload, count, inFlight, budgetMs, call);
  } finally {
    client.close();
  }
}

/**
 * grpcClientStream writes up to `count` 1 KiB messages on one client-streaming call, waiting for
 * 'drain' whenever the stream asks (so memory stays bounded), until `budgetMs` ran out; the server
 * answers with how many it received, which must be how many were written. No latency: one call.
 */
export async function grpcClientStream(system: string, workload: string, endpoint: string, count: number, budgetMs: number): Promise<Result> {
  const client = await connect(endpoint);
  const { path, requestSerialize, responseDeserialize } = grpcCeilingService.collect;
  const body = Buffer.alloc(MESSAGE_BYTES, 0x63);
  const deadline = Date.now() + budgetMs;
  const label = `${system} ${workload}`;
  try {
    const started = process.hrtime.bigint();
    let stream!: ClientWritableStream<Buffer>;
    const answer = new Promise<Buffer>((resolve, reject) => {
      stream = client.makeClientStreamRequest(path, requestSerialize, responseDeserialize, { deadline: deadline + CALL_TIMEOUT_MS }, (error, reply) =>
        error ? reject(error) : resolve(reply!),
      );
    });
    // A failed call rejects `answer` while we may be waiting for 'drain': the race below sees it,
    // and this keeps it from counting as unhandled before that.
    answer.catch(() => undefined);
    let written = 0;
    while (written < count && Date.now() < deadline) {
      written++;
      const more = stream.write(body);
      if (written % STREAM_PROGRESS_EVERY === 0) progress(label, written, count);
      if (!more) await withTimeout(Promise.race([new Promise((resolve) => stream.once('drain', resolve)), answer]), CALL_TIMEOUT_MS, `${label} drain`);
    }
    stream.end();
    const received = (await withTimeout(answer, CALL_TIMEOUT_MS, `${label} answer`)).readUInt32BE(0);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    progress(label, count, count);
    if (received !== written) throw new Error(`${label}: wrote ${written} messages, the server received ${received}`);
    return { system, workload, messages: received, seconds, perSecond: received / seconds };
  } finally {
    client.close();
  }
}
