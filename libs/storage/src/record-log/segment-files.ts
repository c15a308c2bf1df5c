import { constants } from 'node:fs';
import { mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';

/**
 * SegmentFile is one open file of a FileRecordLog. Reads and writes are positional, so reads may
 * run alongside the one append.
 */
export interface SegmentFile {
  /** read fills `buffer` from `position`; it returns fewer bytes only at the end of the file. */
  read(buffer: Buffer, position: number): Promise<number>;
  /** write writes all of `buffer` at `position`. */
  write(buffer: Buffer, position: number): Promise<void>;
  /** writeDurably is write, durable when it resolves (as write then datasync, in one call: O_DSYNC). */
  writeDurably(buffer: Buffer, position: number): Promise<void>;
  /** datasync makes what was written durable (fdatasync). */
  datasync(): Promise<void>;
  truncate(length: number): Promise<void>;
  size(): Promise<number>;
  /** close waits for the calls in flight, then closes the file. */
  close(): Promise<void>;
}

/** SegmentDirectory is the directory of a FileRecordLog; specs wrap it to inject faults. */
export interface SegmentDirectory {
  /** list returns the names of the files in the directory (created if missing). */
  list(): Promise<string[]>;
  /** open opens a file: `create` makes a new, empty one (failing if it exists), `update` an existing one. */
  open(name: string, mode: 'create' | 'update'): Promise<SegmentFile>;
  remove(name: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  /** sync makes the directory's entries (files created, renamed, removed) durable. */
  sync(): Promise<void>;
}

class NodeSegmentFile implements SegmentFile {
  /** durableHandle is a second descriptor opened with O_DSYNC: one thread-pool call per durable write instead of two. */
  private durableHandle: Promise<FileHandle> | undefined;

  constructor(
    private readonly handle: FileHandle,
    private readonly filePath: string,
  ) {}

  async read(buffer: Buffer, position: number): Promise<number> {
    let filled = 0;
    while (filled < buffer.length) {
      const { bytesRead } = await this.handle.read(buffer, filled, buffer.length - filled, position + filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return filled;
  }

  write(buffer: Buffer, position: number): Promise<void> {
    return writeAll(this.handle, buffer, position);
  }

  async writeDurably(buffer: Buffer, position: number): Promise<void> {
    this.durableHandle ??= open(this.filePath, constants.O_RDWR | constants.O_DSYNC);
    let handle: FileHandle;
    try {
      handle = await this.durableHandle;
    } catch (error) {
      this.durableHandle = undefined;
      throw error;
    }
    return writeAll(handle, buffer, position);
  }

  datasync(): Promise<void> {
    return this.handle.datasync();
  }

  truncate(length: number): Promise<void> {
    return this.handle.truncate(length);
  }

  async size(): Promise<number> {
    return (await this.handle.stat()).size;
  }

  async close(): Promise<void> {
    const durable = this.durableHandle;
    this.durableHandle = undefined;
    await Promise.all([this.handle.close(), durable?.then((handle) => handle.close(), () => undefined)]);
  }
}

async function writeAll(handle: FileHandle, buffer: Buffer, position: number): Promise<void> {
  let written = 0;
  while (written < buffer.length) {
    const { bytesWritten } = await handle.write(buffer, written, buffer.length - written, position + written);
    written += bytesWritten;
  }
}

/** NodeSegmentDirectory keeps segment files in a directory of the file system. */
export class NodeSegmentDirectory implements SegmentDirectory {
  constructor(readonly directory: string) {}

  async list(): Promise<string[]> {
    await mkdir(this.directory, { recursive: true });
    return readdir(this.directory);
  }

  async open(name: string, mode: 'create' | 'update'): Promise<SegmentFile> {
    const filePath = path.join(this.directory, name);
    return new NodeSegmentFile(await open(filePath, mode === 'create' ? 'wx+' : 'r+'), filePath);
  }

  remove(name: string): Promise<void> {
    return rm(path.join(this.directory, name), { force: true });
  }

  rename(from: string, to: string): Promise<void> {
    return rename(path.join(this.directory, from), path.join(this.directory, to));
  }

  async sync(): Promise<void> {
    const handle = await open(this.directory, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
}
