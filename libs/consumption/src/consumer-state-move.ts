/**
 * moveConsumerState moves consumer state (pop cursors, in-flight records, the generation
 * reservation) from the store node's message LevelDB, where data directories from before the
 * split kept it, into the consumer-state LevelDB. It runs at open, before anything serves, and
 * is safe to interrupt at any point (process crash or power loss): the next open finishes it.
 *
 * Steps, each durable before the next starts:
 * 1. Unless the move marker is in the target: clear the target's consumer state (whatever is
 *    there is stale while the source still holds state), copy the source's, write the marker.
 * 2. Delete the consumer state from the source.
 * 3. Delete the marker.
 * An open that finds source state and the marker resumes at step 2; one that finds no source
 * state but the marker resumes at step 3; one that finds neither has nothing to do.
 */
import { forEachPage, prefixUpperBound } from '@quiver/storage';
import type { KeyValueStore } from '@quiver/storage';

import { consumerStateMoveMarkerKey, popCursorPrefix, popGenerationKey, popInFlightPrefix } from './consumption-layout';

export interface ConsumerStateMove {
  /** copiedKeys is the number of keys copied in this call (0 when none was left or a copy had finished earlier). */
  copiedKeys: number;
  /** deletedKeys is the number of keys deleted from the source in this call. */
  deletedKeys: number;
}

/** The prefixes consumer state lives under; the generation record is its own one-byte prefix. */
const consumerStatePrefixes = (): Buffer[] => [popCursorPrefix(), popInFlightPrefix(), popGenerationKey()];

export async function moveConsumerState(source: KeyValueStore, target: KeyValueStore): Promise<ConsumerStateMove> {
  const move: ConsumerStateMove = { copiedKeys: 0, deletedKeys: 0 };
  const markerKey = consumerStateMoveMarkerKey();
  const copied = (await target.get(markerKey)) !== undefined;
  if (!(await holdsConsumerState(source))) {
    if (copied) await target.write([{ type: 'del', key: markerKey }], { sync: true });
    return move;
  }
  if (!copied) {
    for (const prefix of consumerStatePrefixes()) {
      await forEachPage(target, prefix, (page) => target.write(page.map(({ key }) => ({ type: 'del' as const, key })), { sync: true }));
    }
    for (const prefix of consumerStatePrefixes()) {
      await forEachPage(source, prefix, async (page) => {
        await target.write(page.map(({ key, value }) => ({ type: 'put' as const, key, value })), { sync: true });
        move.copiedKeys += page.length;
      });
    }
    await target.write([{ type: 'put', key: markerKey, value: Buffer.alloc(0) }], { sync: true });
  }
  for (const prefix of consumerStatePrefixes()) {
    await forEachPage(source, prefix, async (page) => {
      await source.write(page.map(({ key }) => ({ type: 'del' as const, key })), { sync: true });
      move.deletedKeys += page.length;
    });
  }
  await target.write([{ type: 'del', key: markerKey }], { sync: true });
  return move;
}

async function holdsConsumerState(store: KeyValueStore): Promise<boolean> {
  for (const prefix of consumerStatePrefixes()) {
    if ((await store.iterate({ gte: prefix, lt: prefixUpperBound(prefix), limit: 1, keysOnly: true })).length > 0) return true;
  }
  return false;
}
