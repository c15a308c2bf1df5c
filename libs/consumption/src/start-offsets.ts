/**
 * Where a consumer group starts on a queue (PROTOCOL.md 7.2), and the offset of a moment in a
 * queue. Store timestamps within one queue follow append order (one writer per queue), so the
 * first message stored at or after a moment is found by binary search over the log: O(log n)
 * single-message reads, no time index.
 */
import { QuiverError, QuiverErrorCode, StartPolicy } from '@quiver/core';
import type { StartPosition } from '@quiver/core';
import type { QueueLog } from '@quiver/storage';
import { YOUNG_QUEUE_MESSAGES_MAX } from './limits';

/**
 * queueOffsetAt returns the offset of the first message of the queue stored at or after
 * `timestampMs`: the queue's next offset when every message is older, its minimum offset when
 * none is. Throws QUEUE_CORRUPTED (from the log) for a damaged queue.
 */
export async function queueOffsetAt(queueLog: QueueLog, topic: string, queueId: number, timestampMs: number): Promise<number> {
  let low = queueLog.minOffset(topic, queueId);
  let high = queueLog.nextOffset(topic, queueId);
  // Invariant: every message below `low` is older than timestampMs; the one at `high` (if any) is not.
  while (low < high) {
    const middle = low + Math.floor((high - low) / 2);
    const [message] = await queueLog.read(topic, queueId, middle, 1);
    // A message trimmed away under us counts as old: the answer can only move forward.
    if (message === undefined || message.queueOffset !== middle || message.storeTimestampMs < timestampMs) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** startOffset resolves a start position on one queue, at the moment `nowMs`. */
export async function startOffset(queueLog: QueueLog, topic: string, queueId: number, start: StartPosition, nowMs: number): Promise<number> {
  const minOffset = queueLog.minOffset(topic, queueId);
  const nextOffset = queueLog.nextOffset(topic, queueId);
  switch (start.policy) {
    case StartPolicy.Earliest:
      return minOffset;
    case StartPolicy.Timestamp:
      return queueOffsetAt(queueLog, topic, queueId, checkedMoment(start.atMs, 'TIMESTAMP'));
    case StartPolicy.YoungEarliest:
      if (minOffset === 0 && nextOffset <= YOUNG_QUEUE_MESSAGES_MAX) return 0;
      return queueOffsetAt(queueLog, topic, queueId, start.atMs ?? nowMs);
    case StartPolicy.Latest:
      // The end as the group first knew it: every message stored from that moment on is the group's.
      return queueOffsetAt(queueLog, topic, queueId, start.atMs ?? nowMs);
    default:
      throw new QuiverError(QuiverErrorCode.BadRequest, `unknown start policy ${String((start as StartPosition).policy)}`);
  }
}

/** checkStartPosition throws BAD_REQUEST for a start position that cannot be resolved. */
export function checkStartPosition(start: StartPosition): void {
  if (!Object.values(StartPolicy).includes(start.policy)) {
    throw new QuiverError(QuiverErrorCode.BadRequest, `start policy must be one of ${Object.values(StartPolicy).join(', ')}`);
  }
  if (start.policy === StartPolicy.Timestamp) checkedMoment(start.atMs, 'TIMESTAMP');
  else if (start.atMs !== undefined) checkedMoment(start.atMs, start.policy);
}

function checkedMoment(atMs: number | undefined, policy: string): number {
  if (atMs === undefined || !Number.isSafeInteger(atMs) || atMs < 0) {
    throw new QuiverError(QuiverErrorCode.BadRequest, `a ${policy} start needs a moment in milliseconds since the epoch, got ${String(atMs)}`);
  }
  return atMs;
}
