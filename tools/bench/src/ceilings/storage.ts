import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ClassicLevel } from 'classic-level';
import { histogram, latencyOf, MESSAGE_BYTES, progress, type Result } from '../peers/result';

/**
 * Durable-write ceilings: LevelDB through classic-level (the version and options Quiver's
 * storage uses) and a bare append + fdatasync, in a temp dir that is always removed. They run in
 * the bench's own process, so their CPU (serverCpuSecondsPerMillion) is this process's
 * process.cpuUsage() over the workload: the JavaScript loop plus LevelDB's and libuv's threads.
 * No RSS is reported: this process's RSS is the bench's, not the store's.
 */

/** Quiver's LevelDB options (libs/storage, LevelKeyValueStore.open): buffers, 8 MiB cache, 4 MiB write buffer. */
const LEVEL_OPTIONS = { keyEncoding: 'buffer', valueEncoding: 'buffer', cacheSize: 8 * 1024 * 1024, writeBufferSize: 4 * 1024 * 1024 } as const;
/** Writes between two progress lines. */
const PROGRESS_EVERY = 500;

export interface DurableCeilingOptions {
  /** tmpRoot is where the temp dir is made (os.tmpdir() unless given). */
  tmpRoot?: string;
}

/** withTempDir runs `use` in a fresh directory under `root`, removed afterwards whatever happens. */
async function withTempDir<T>(root: string | undefined, use: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(path.join(root ?? os.tmpdir(), 'quiver-bench-ceiling-'));
  try {
    return await use(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** key is a record's 8-byte big-endian sequence number, as a queue offset would be. */
function key(sequence: number): Buffer {
  const buffer = Buffer.allocUnsafe(8);
  buffer.writeBigUInt64BE(BigInt(sequence));
  return buffer;
}

/** withLevel opens a fresh LevelDB in a temp dir, runs `use` and closes and removes it. */
async function withLevel<T>(options: DurableCeilingOptions, use: (db: ClassicLevel<Buffer, Buffer>) => Promise<T>): Promise<T> {
  return withTempDir(options.tmpRoot, async (dir) => {
    const db = new ClassicLevel<Buffer, Buffer>(path.join(dir, 'db'), LEVEL_OPTIONS);
    await db.open();
    try {
      return await use(db);
    } finally {
      await db.close();
    }
  });
}

/** cpuPerMillion is this process's CPU seconds since `before`, per million messages. */
function cpuPerMillion(before: NodeJS.CpuUsage, messages: number): number | undefined {
  if (messages === 0) return undefined;
  const used = process.cpuUsage(before);
  return ((used.user + used.system) / 1e6 / messages) * 1e6;
}

/**
 * leveldbGroup writes `count` 1 KiB puts in batches of `batchSize`, one batch at a time, each
 * with sync: true (one fsync per batch: LevelDB's group commit), until `budgetMs` ran out.
 * Latency is per batch. With batchSize 1 it is one synced put at a time.
 */
export async function leveldbGroup(system: string, workload: string, count: number, batchSize: number, budgetMs: number, options: DurableCeilingOptions = {}): Promise<Result> {
  const value = Buffer.alloc(MESSAGE_BYTES, 0x64);
  const label = `${system} ${workload}`;
  return withLevel(options, async (db) => {
    const recorded = histogram();
    const deadline = Date.now() + budgetMs;
    const cpuBefore = process.cpuUsage();
    const started = process.hrtime.bigint();
    let done = 0;
    while (done < count && Date.now() < deadline) {
      const size = Math.min(batchSize, count - done);
      const t0 = process.hrtime.bigint();
      if (size === 1) {
        await db.put(key(done), value, { sync: true });
      } else {
        const batch = db.batch();
        for (let i = 0; i < size; i++) batch.put(key(done + i), value);
        await batch.write({ sync: true });
      }
      recorded.recordValue(Number(process.hrtime.bigint() - t0) / 1000);
      const before = done;
      done += size;
      if (Math.floor(done / PROGRESS_EVERY) > Math.floor(before / PROGRESS_EVERY)) progress(label, done, count);
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    progress(label, count, count);
    return { system, workload, messages: done, seconds, perSecond: done / seconds, latencyMs: latencyOf(recorded), serverCpuSecondsPerMillion: cpuPerMillion(cpuBefore, done) };
  });
}

/**
 * fsyncAppend appends 1 KiB to a file and fdatasyncs it, one at a time, `count` times or until
 * `budgetMs` ran out: the device's durable-append floor under any store. The calls are
 * synchronous so no thread-pool hop is in the figure (nothing else runs meanwhile).
 */
export async function fsyncAppend(system: string, workload: string, count: number, budgetMs: number, options: DurableCeilingOptions = {}): Promise<Result> {
  const body = Buffer.alloc(MESSAGE_BYTES, 0x65);
  const label = `${system} ${workload}`;
  return withTempDir(options.tmpRoot, async (dir) => {
    const recorded = histogram();
    const fd = openSync(path.join(dir, 'append.log'), 'a');
    const deadline = Date.now() + budgetMs;
    const cpuBefore = process.cpuUsage();
    const started = process.hrtime.bigint();
    let done = 0;
    try {
      while (done < count && Date.now() < deadline) {
        const t0 = process.hrtime.bigint();
        if (writeSync(fd, body) !== body.length) throw new Error(`${label}: short write`);
        fdatasyncSync(fd);
        recorded.recordValue(Number(process.hrtime.bigint() - t0) / 1000);
        done++;
        if (done % PROGRESS_EVERY === 0) progress(label, done, count);
      }
    } finally {
      closeSync(fd);
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    progress(label, count, count);
    return { system, workload, messages: done, seconds, perSecond: done / seconds, latencyMs: latencyOf(recorded), serverCpuSecondsPerMillion: cpuPerMillion(cpuBefore, done) };
  });
}
