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
  constructor(private readonly handle: FileHandle) {}

  async read(buffer: Buffer, position: number): Promise<number> {
    let filled = 0;
    while (filled < buffer.length) {
      const { bytesRead } = await this.handle.read(buffer, filled, buffer.length - filled, position + filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return filled;
  }

  async write(buffer: Buffer, position: number): Promise<void> {
    let written = 0;
    while (written < buffer.length) {
      const { bytesWritten } = await this.handle.write(buffer, written, buffer.length - written, position + written);
      written += bytesWritten;
    }
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

  close(): Promise<void> {
    return this.handle.close();
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
    return new NodeSegmentFile(await open(path.join(this.directory, name), mode === 'create' ? 'wx+' : 'r+'));
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
