/**
 * Fixtures shared by the queue log's specs (never imported by production code).
 */
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { MessageKind } from '@quiver/core';
import type { MessageToStore } from '@quiver/core';

import type { QueueLog } from './queue-log';

/** message is the `index`th test message: ID `id-<index>`, body `body-<index>`, key `key-<index % 3>`. */
export function message(index: number, overrides: Partial<MessageToStore> = {}): MessageToStore {
  return {
    messageId: `id-${index}`,
    keys: [`key-${index % 3}`],
    userProperties: { index: String(index) },
    body: Buffer.from(`body-${index}`),
    bodyGzipped: false,
    bornTimestampMs: 1_000 + index,
    bornHost: 'producer',
    kind: MessageKind.Normal,
    tag: index % 2 === 0 ? 'even' : 'odd',
    ...overrides,
  };
}

/** rejection resolves with what `promise` rejects with, or undefined if it fulfils. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

/**
 * flipByteInLevelDbLog flips one byte in the middle of the largest write-ahead log of the (closed)
 * LevelDB at `location`, the damage LevelDB's recovery skips silently (RELIABILITY.md 1.2), and
 * returns that log's size.
 */
export async function flipByteInLevelDbLog(location: string): Promise<number> {
  const logFiles = (await readdir(location)).filter((name) => name.endsWith('.log'));
  const sizes = await Promise.all(logFiles.map(async (name) => ({ name, size: (await stat(path.join(location, name))).size })));
  const largest = sizes.sort((a, b) => b.size - a.size)[0]!;
  const bytes = await readFile(path.join(location, largest.name));
  bytes[Math.floor(bytes.length / 2)] ^= 0xff;
  await writeFile(path.join(location, largest.name), bytes);
  return largest.size;
}

/**
 * readWholeQueue reads a queue from offset 0 to its next offset, 500 at a time, until a read
 * throws: the offsets it served, and the error that stopped it (undefined if none did).
 */
export async function readWholeQueue(log: QueueLog, topic: string, queueId: number): Promise<{ served: number[]; error: unknown }> {
  const served: number[] = [];
  try {
    for (let offset = 0; offset < log.nextOffset(topic, queueId); offset += 500) {
      served.push(...(await log.read(topic, queueId, offset, 500)).map((stored) => stored.queueOffset));
    }
  } catch (error) {
    return { served, error };
  }
  return { served, error: undefined };
}

/** settle lets pending I/O callbacks and the promise jobs they start run. */
export async function settle(): Promise<void> {
  for (let turn = 0; turn < 3; turn++) await new Promise((resolve) => setImmediate(resolve));
}
