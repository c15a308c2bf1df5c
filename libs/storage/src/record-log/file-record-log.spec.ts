import { mkdtemp, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import fc from 'fast-check';

import { isQuiverError, QuiverErrorCode } from '@quiver/core';

import { MemoryKeyValueStore } from '../memory/memory-key-value-store';
import { recordLogConformance } from '../testing';
import { FileRecordLog } from './file-record-log';
import type { FileRecordLogOptions } from './file-record-log';
import { KeyValueRecordLog } from './key-value-record-log';
import { moveRecordLog } from './move-record-log';
import { NodeSegmentDirectory } from './segment-files';
import type { SegmentDirectory, SegmentFile } from './segment-files';

recordLogConformance('KeyValueRecordLog', async () => ({ log: new KeyValueRecordLog(new MemoryKeyValueStore()) }));

recordLogConformance('FileRecordLog', async () => {
  const directory = await mkdtemp(path.join(tmpdir(), 'quiver-record-log-'));
  return { log: await FileRecordLog.open(directory), cleanup: () => rm(directory, { recursive: true, force: true }) };
});

recordLogConformance('FileRecordLog, a segment per append and one file open', async () => {
  const directory = await mkdtemp(path.join(tmpdir(), 'quiver-record-log-'));
  return { log: await FileRecordLog.open(directory, { segmentBytesTarget: 1, indexCacheBytesMax: 0, openFilesMax: 1 }), cleanup: () => rm(directory, { recursive: true, force: true }) };
});

const record = (sequence: number, bytes = 100): Buffer => Buffer.alloc(bytes, sequence % 251);
const records = (first: number, count: number, bytes = 100): Buffer[] => Array.from({ length: count }, (_, index) => record(first + index, bytes));

/** FaultyDirectory fails the next write, datasync or truncate of its files when asked to. */
class FaultyDirectory implements SegmentDirectory {
  failNext: { write?: boolean; datasync?: boolean; truncate?: boolean } = {};

  constructor(private readonly inner: SegmentDirectory) {}

  list(): Promise<string[]> {
    return this.inner.list();
  }
  async open(name: string, mode: 'create' | 'update'): Promise<SegmentFile> {
    const file = await this.inner.open(name, mode);
    const fail = (operation: 'write' | 'datasync' | 'truncate'): void => {
      if (this.failNext[operation] !== true) return;
      this.failNext[operation] = false;
      throw Object.assign(new Error(`EIO: injected ${operation} failure`), { code: 'EIO' });
    };
    return {
      read: (buffer, position) => file.read(buffer, position),
      write: async (buffer, position) => {
        // A failed write may still have written part of its bytes.
        if (this.failNext.write === true) await file.write(buffer.subarray(0, buffer.length >>> 1), position);
        fail('write');
        return file.write(buffer, position);
      },
      writeDurably: async (buffer, position) => {
        if (this.failNext.write === true) await file.write(buffer.subarray(0, buffer.length >>> 1), position);
        fail('write');
        // The bytes are written; the flush to the disk is what fails.
        if (this.failNext.datasync === true) await file.write(buffer, position);
        fail('datasync');
        return file.writeDurably(buffer, position);
      },
      datasync: async () => {
        fail('datasync');
        return file.datasync();
      },
      truncate: async (length) => {
        fail('truncate');
        return file.truncate(length);
      },
      size: () => file.size(),
      close: () => file.close(),
    };
  }
  remove(name: string): Promise<void> {
    return this.inner.remove(name);
  }
  rename(from: string, to: string): Promise<void> {
    return this.inner.rename(from, to);
  }
  sync(): Promise<void> {
    return this.inner.sync();
  }
}

async function contents(log: FileRecordLog): Promise<Array<[number, Buffer]>> {
  return (await log.readFrom(0, 100_000)).map((entry) => [entry.sequence, entry.record]);
}

function expected(appends: Array<[number, Buffer[]]>): Array<[number, Buffer]> {
  return appends.flatMap(([first, batch]) => batch.map((bytes, index): [number, Buffer] => [first + index, bytes]));
}

describe('FileRecordLog', () => {
  let directory: string;

  beforeEach(async () => {
    directory = await mkdtemp(path.join(tmpdir(), 'quiver-record-log-'));
  });

  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  const open = (options: FileRecordLogOptions = {}): Promise<FileRecordLog> => FileRecordLog.open(directory, options);
  const segmentFiles = async (): Promise<string[]> => (await readdir(directory)).filter((name) => name.endsWith('.log')).sort();

  it('reopen - every append is read back after a reopen, across segments, sealed indexes and a gap', async () => {
    const appends: Array<[number, Buffer[]]> = [
      [0, records(0, 30)],
      [30, records(30, 30, 2_000)],
      [60, records(60, 1, 70_000)],
      [100, records(100, 5)],
      [105, records(105, 40)],
    ];
    let log = await open({ segmentBytesTarget: 64 * 1024 });
    for (const [first, batch] of appends) await log.append(first, batch, { sync: true });
    await log.close();
    // 30 x 100 B and 30 x 2 KB fill the first segment; the 70 KB record starts one; the gap at 100 another.
    expect(await segmentFiles()).toEqual(['00000000000000000000.log', '00000000000000000060.log', '00000000000000000100.log']);
    expect((await readdir(directory)).filter((name) => name.endsWith('.idx')).sort()).toEqual(['00000000000000000000.idx', '00000000000000000060.idx']);

    log = await open({ segmentBytesTarget: 64 * 1024, indexCacheBytesMax: 0, openFilesMax: 1 });
    expect(await contents(log)).toEqual(expected(appends));
    expect(await log.getMany([59, 145, 60, 0, 104, 61, 29, 30])).toEqual([record(59, 2_000), undefined, record(60, 70_000), record(0), record(104), undefined, record(29), record(30, 2_000)]);
    expect(await log.lastSequence()).toBe(144);
    await log.append(145, records(145, 2), { sync: true });
    await log.close();
    log = await open();
    expect(await contents(log)).toEqual(expected([...appends, [145, records(145, 2)]]));
    await log.close();
  });

  it('torn append - an append a crash cut off anywhere in its frame is gone after reopen, and appends go on after it', async () => {
    let log = await open();
    await log.append(0, records(0, 3), { sync: true });
    await log.append(3, records(3, 4, 300), { sync: true });
    await log.close();
    const segment = path.join(directory, (await segmentFiles())[0]!);
    const whole = await readFile(segment);
    const kept = expected([[0, records(0, 3)]]);
    const firstFrameBytes = 24 + 3 * (4 + 100);
    for (let cut = firstFrameBytes; cut < whole.length; cut += 37) {
      await writeFile(segment, whole.subarray(0, cut));
      log = await open();
      expect(await contents(log)).toEqual(kept);
      expect((await stat(segment)).size).toBe(firstFrameBytes);
      await log.close();
    }
    await writeFile(segment, whole.subarray(0, whole.length - 1));
    log = await open();
    await log.append(10, records(10, 2), { sync: true });
    await log.close();
    log = await open();
    expect(await contents(log)).toEqual(expected([[0, records(0, 3)], [10, records(10, 2)]]));
    await log.close();
  });

  it('damaged append - a last frame whose bytes do not check is cut, whatever byte changed', async () => {
    let log = await open();
    await log.append(0, records(0, 2), { sync: true });
    await log.append(2, records(2, 2), { sync: true });
    await log.close();
    const segment = path.join(directory, (await segmentFiles())[0]!);
    const whole = await readFile(segment);
    const frameBytes = 24 + 2 * (4 + 100);
    for (const at of [0, 4, 8, 12, 16, 23, 24, 27, 28, 100, frameBytes - 1]) {
      const damaged = Buffer.from(whole);
      damaged[frameBytes + at] ^= 0x40;
      await writeFile(segment, damaged);
      log = await open();
      expect(await contents(log)).toEqual(expected([[0, records(0, 2)]]));
      await log.close();
    }
  });

  it('sealed index - a missing or short index is rebuilt from its segment at open', async () => {
    let log = await open({ segmentBytesTarget: 1 });
    const appends: Array<[number, Buffer[]]> = [
      [0, records(0, 3)],
      [3, records(3, 3)],
      [6, records(6, 3)],
    ];
    for (const [first, batch] of appends) await log.append(first, batch, { sync: true });
    await log.close();
    await rm(path.join(directory, '00000000000000000000.idx'));
    await truncate(path.join(directory, '00000000000000000003.idx'), 12);
    log = await open({ indexCacheBytesMax: 0 });
    expect(await contents(log)).toEqual(expected(appends));
    await log.close();
    expect((await stat(path.join(directory, '00000000000000000000.idx'))).size).toBe(24);
    expect((await stat(path.join(directory, '00000000000000000003.idx'))).size).toBe(24);
  });

  it('failed write - a failed write or fdatasync fails the append, leaves nothing of it, and the next append works', async () => {
    const faulty = new FaultyDirectory(new NodeSegmentDirectory(directory));
    let log = await FileRecordLog.open(faulty);
    await log.append(0, records(0, 2), { sync: true });
    faulty.failNext = { write: true };
    await expect(log.append(2, records(2, 2), { sync: true })).rejects.toThrow(/record-log write failed/);
    faulty.failNext = { datasync: true };
    const error = await log.append(4, records(4, 2), { sync: true }).catch((rejection: unknown) => rejection);
    expect(isQuiverError(error, QuiverErrorCode.StoreUnavailable)).toBe(true);
    expect(await log.lastSequence()).toBe(1);
    expect(await log.getMany([2, 4])).toEqual([undefined, undefined]);
    await log.append(6, records(6, 2), { sync: true });
    await log.close();
    log = await open();
    expect(await contents(log)).toEqual(expected([[0, records(0, 2)], [6, records(6, 2)]]));
    await log.close();
  });

  it('failed cut - when cutting back after a failed fdatasync fails too, the log refuses appends until reopened and still serves reads', async () => {
    const faulty = new FaultyDirectory(new NodeSegmentDirectory(directory));
    let log = await FileRecordLog.open(faulty);
    await log.append(0, records(0, 2), { sync: true });
    faulty.failNext = { datasync: true, truncate: true };
    await expect(log.append(2, records(2, 2), { sync: true })).rejects.toThrow(/record-log write failed/);
    const error = await log.append(9, records(9, 1), { sync: true }).catch((rejection: unknown) => rejection);
    expect(isQuiverError(error, QuiverErrorCode.StoreUnavailable)).toBe(true);
    expect((error as Error).message).toMatch(/cutting the record log back/);
    expect(await log.getMany([0, 1, 2])).toEqual([record(0), record(1), undefined]);
    expect(await log.lastSequence()).toBe(1);
    await log.close();
    // The frame was written whole (only its fdatasync failed): it may have applied, as the contract allows.
    log = await open();
    expect(await contents(log)).toEqual(expected([[0, records(0, 2)], [2, records(2, 2)]]));
    await log.close();
  });

  it('open - refuses segments whose sequences overlap', async () => {
    let log = await open({ segmentBytesTarget: 1 });
    await log.append(0, records(0, 3), { sync: true });
    await log.append(3, records(3, 1), { sync: true });
    await log.close();
    await writeFile(path.join(directory, '00000000000000000002.log'), await readFile(path.join(directory, '00000000000000000003.log')));
    const error = await open().catch((rejection: unknown) => rejection);
    expect(isQuiverError(error, QuiverErrorCode.StoreUnavailable)).toBe(true);
    expect(String((error as Error).message)).toMatch(/overlaps/);
  });

  it('move - moveRecordLog copies a log at the same sequences, gaps kept', async () => {
    const from = new KeyValueRecordLog(new MemoryKeyValueStore());
    const appends: Array<[number, Buffer[]]> = [
      [0, records(0, 1_500)],
      [2_000, records(2_000, 3)],
    ];
    for (const [first, batch] of appends) await from.append(first, batch, { sync: true });
    const log = await open();
    expect(await moveRecordLog(from, log)).toBe(1_503);
    expect(await contents(log)).toEqual(expected(appends));
    await Promise.all([from.close(), log.close()]);
  });

  it('property - over random appends, failures, reopens and torn tails, the log holds exactly the acknowledged appends', async () => {
    const step = fc.oneof(
      fc.record({ kind: fc.constant('append' as const), gap: fc.nat(3), count: fc.integer({ min: 1, max: 20 }), bytes: fc.integer({ min: 0, max: 3_000 }), fail: fc.constantFrom(undefined, 'write' as const, 'datasync' as const) }),
      fc.record({ kind: fc.constant('crash' as const), tornBytes: fc.nat(5_000) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 25 }), fc.integer({ min: 1, max: 40_000 }), async (steps, segmentBytesTarget) => {
        await rm(directory, { recursive: true, force: true });
        const faulty = new FaultyDirectory(new NodeSegmentDirectory(directory));
        const options = { segmentBytesTarget, indexCacheBytesMax: 4_096, openFilesMax: 2 };
        let log = await FileRecordLog.open(faulty, options);
        const acknowledged: Array<[number, Buffer[]]> = [];
        let next = 0;
        for (const current of steps) {
          if (current.kind === 'append') {
            const first = next + current.gap;
            const batch = records(first, current.count, current.bytes);
            next = first + current.count;
            faulty.failNext = current.fail !== undefined ? { [current.fail]: true } : {};
            const appended = await log.append(first, batch, { sync: true }).then(
              () => true,
              () => false,
            );
            expect(appended).toBe(current.fail === undefined);
            if (appended) acknowledged.push([first, batch]);
          } else {
            // A crash in the middle of an append: part of a frame after the last whole one.
            await log.close();
            const segments = await segmentFiles();
            const last = segments[segments.length - 1];
            if (last !== undefined) await writeFile(path.join(directory, last), Buffer.alloc(current.tornBytes, 0x51), { flag: 'a' });
            log = await FileRecordLog.open(faulty, options);
          }
          expect(await log.lastSequence()).toBe(acknowledged.length === 0 ? -1 : acknowledged[acknowledged.length - 1]![0] + acknowledged[acknowledged.length - 1]![1].length - 1);
        }
        expect(await contents(log)).toEqual(expected(acknowledged));
        await log.close();
        log = await FileRecordLog.open(directory, options);
        expect(await contents(log)).toEqual(expected(acknowledged));
        await log.close();
      }),
      { numRuns: 40 },
    );
  });
});
