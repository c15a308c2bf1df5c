/**
 * TimerWheel keeps a store node's delay messages until they fall due (PROTOCOL.md 7.11).
 *
 * A scheduled message is appended to the node's timer log (queue TIMER_LOG_QUEUE_ID of the
 * system topic TIMER_LOG_TOPIC) with one timer index key `'T' dueMs timerOffset` naming its
 * target queue, in the same group-committed, fsynced batch: it is durable when `schedule`
 * resolves. Nothing about pending timers is held in memory, so a million waiting timers cost a
 * send no more than none.
 *
 * One Clock timer per node wakes at the earliest due time. A fire pass reads the due index keys
 * in pages of TIMER_FIRE_PAGE_ENTRIES, appends each message (same ID, properties and delivery
 * timestamp) to its target queue and deletes its index key in that same batch, then arms for
 * the next due key. Guarantees:
 * - never early: only keys with `dueMs <= clock.nowMs()` are fired;
 * - at least once: a crash between delivery and deletion cannot happen (one batch); a failed
 *   delivery leaves the key, and the pass is retried after TIMER_RETRY_DELAY_MS;
 * - fire passes and recalls run one at a time, so a recall either deletes a key before its
 *   delivery or finds it gone;
 * - after a restart, `start` fires whatever fell due meanwhile and re-arms from LevelDB.
 */
import { QuiverError, QuiverErrorCode, type Clock, type MessageToStore, type StoredMessage, type TimerHandle } from '@quiver/core';
import type { Logger } from '@quiver/telemetry';
import {
  decodeTimerIndexKey,
  decodeTimerIndexRecord,
  encodeTimerIndexRecord,
  prefixUpperBound,
  TIMER_LOG_QUEUE_ID,
  TIMER_LOG_TOPIC,
  timerIndexDueBound,
  timerIndexKey,
  timerIndexPrefix,
  type KeyValueStore,
  type QueueLog,
  type TimerIndexKey,
  type TimerTarget,
} from '@quiver/storage';

import { TIMER_FIRE_PAGE_ENTRIES, TIMER_RETRY_DELAY_MS, TIMER_WAKE_DELAY_MS_MAX } from './limits';

export interface TimerWheelOptions {
  store: KeyValueStore;
  queueLog: QueueLog;
  clock: Clock;
  /** onDelivered is told the target topic of every fired message, to wake its long polls. */
  onDelivered: (topic: string) => void;
  logger?: Pick<Logger, 'warn'>;
  /** firePageEntries overrides TIMER_FIRE_PAGE_ENTRIES, so specs can reach page edges. */
  firePageEntries?: number;
}

/** ScheduledTimer identifies one waiting delay message: what a recall handle carries. */
export type ScheduledTimer = TimerIndexKey;

export class TimerWheel {
  private readonly store: KeyValueStore;
  private readonly queueLog: QueueLog;
  private readonly clock: Clock;
  private readonly onDelivered: (topic: string) => void;
  private readonly logger: Pick<Logger, 'warn'> | undefined;
  private readonly firePageEntries: number;
  /** serializer runs fire passes and recalls one at a time. */
  private serializer: Promise<unknown> = Promise.resolve();
  private wake: { handle: TimerHandle; atMs: number } | undefined;
  private passQueued = false;
  private closed = false;

  constructor(options: TimerWheelOptions) {
    this.store = options.store;
    this.queueLog = options.queueLog;
    this.clock = options.clock;
    this.onDelivered = options.onDelivered;
    this.logger = options.logger;
    this.firePageEntries = options.firePageEntries ?? TIMER_FIRE_PAGE_ENTRIES;
  }

  /** start fires timers that fell due while the node was down and arms for the next one. */
  start(): void {
    this.queuePass();
  }

  /**
   * schedule stores `messages` for delivery to `target` at their delivery timestamps (now, when
   * absent or past) and resolves once they are durable, with one timer per message.
   */
  async schedule(target: TimerTarget, messages: readonly MessageToStore[]): Promise<ScheduledTimer[]> {
    const nowMs = this.clock.nowMs();
    const dues = messages.map((message) => Math.max(0, Math.floor(message.deliveryTimestampMs ?? nowMs)));
    const appended = await this.queueLog.append(TIMER_LOG_TOPIC, TIMER_LOG_QUEUE_ID, messages, {
      alongside: (offsets) =>
        offsets.map((timerOffset, index) => ({
          type: 'put' as const,
          key: timerIndexKey({ dueMs: dues[index]!, timerOffset }),
          value: encodeTimerIndexRecord(target),
        })),
    });
    this.armAt(Math.min(...dues));
    return appended.offsets.map((timerOffset, index) => ({ dueMs: dues[index]!, timerOffset }));
  }

  /**
   * recall deletes a waiting timer so it is never delivered and resolves with its message ID.
   * Throws MESSAGE_NOT_FOUND when it was delivered or recalled already (or never existed), and
   * BAD_REQUEST when it targets another topic than `topic`.
   */
  recall(topic: string, timer: ScheduledTimer): Promise<{ messageId: string }> {
    return this.serialized(async () => {
      const key = timerIndexKey(timer);
      const record = await this.store.get(key);
      if (record === undefined) throw new QuiverError(QuiverErrorCode.MessageNotFound, 'the delay message was delivered or recalled already');
      const target = decodeTimerIndexRecord(record);
      if (target.topic !== topic) throw new QuiverError(QuiverErrorCode.BadRequest, 'the recall handle belongs to another topic');
      const stored = await this.readTimerMessage(timer.timerOffset);
      await this.store.write([{ type: 'del', key }], { sync: true });
      return { messageId: stored?.messageId ?? '' };
    });
  }

  /** close stops the timer and waits for a pass or recall in progress. */
  async close(): Promise<void> {
    this.closed = true;
    this.disarm();
    await this.serializer.catch(() => undefined);
  }

  private serialized<T>(work: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new QuiverError(QuiverErrorCode.Closed, 'the timer wheel is closed'));
    const result = this.serializer.then(work);
    this.serializer = result.catch(() => undefined);
    return result;
  }

  /** armAt makes the wheel wake at `dueMs` unless it wakes earlier already. */
  private armAt(dueMs: number): void {
    if (this.closed) return;
    if (this.wake !== undefined && this.wake.atMs <= dueMs) return;
    this.disarm();
    // Long delays are cut into wakes of at most TIMER_WAKE_DELAY_MS_MAX (setTimeout holds at most ~24.8 days); an early wake finds nothing due and re-arms.
    const delayMs = Math.min(Math.max(0, dueMs - this.clock.nowMs()), TIMER_WAKE_DELAY_MS_MAX);
    if (delayMs === 0) {
      this.queuePass();
      return;
    }
    const handle = this.clock.setTimeout(() => {
      this.wake = undefined;
      this.queuePass();
    }, delayMs);
    handle.unref?.();
    this.wake = { handle, atMs: dueMs };
  }

  private disarm(): void {
    if (this.wake === undefined) return;
    this.clock.clearTimeout(this.wake.handle);
    this.wake = undefined;
  }

  private queuePass(): void {
    if (this.closed || this.passQueued) return;
    this.passQueued = true;
    this.serialized(async () => {
      this.passQueued = false;
      await this.firePass();
    }).catch((error: unknown) => {
      if (this.closed) return;
      this.logger?.warn({ err: error }, 'delay messages could not be delivered; retrying');
      this.armAt(this.clock.nowMs() + TIMER_RETRY_DELAY_MS);
    });
  }

  /** firePass delivers every timer due now, page by page, then arms for the next one. Run it serialized. */
  private async firePass(): Promise<void> {
    for (;;) {
      if (this.closed) return;
      const nowMs = this.clock.nowMs();
      const due = await this.store.iterate({ gte: timerIndexPrefix(), lt: timerIndexDueBound(nowMs), limit: this.firePageEntries });
      if (due.length === 0) break;
      // Concurrent appends land in one group commit.
      await Promise.all(due.map((entry) => this.fire(entry.key, decodeTimerIndexRecord(entry.value))));
      if (due.length < this.firePageEntries) break;
    }
    const [next] = await this.store.iterate({ gte: timerIndexPrefix(), lt: prefixUpperBound(timerIndexPrefix()), limit: 1, keysOnly: true });
    if (next !== undefined) this.armAt(decodeTimerIndexKey(next.key).dueMs);
  }

  private async fire(key: Buffer, target: TimerTarget): Promise<void> {
    const timer = decodeTimerIndexKey(key);
    const stored = await this.readTimerMessage(timer.timerOffset);
    if (stored === undefined) {
      // The timer log no longer holds it: nothing to deliver, and keeping the key would stall every later pass.
      this.logger?.warn({ timerOffset: timer.timerOffset }, 'a delay message is missing from the timer log; dropping its timer');
      await this.store.write([{ type: 'del', key }], { sync: false });
      return;
    }
    await this.queueLog.append(target.topic, target.queueId, [messageToDeliver(stored)], { alongside: () => [{ type: 'del', key }] });
    this.onDelivered(target.topic);
  }

  private async readTimerMessage(timerOffset: number): Promise<StoredMessage | undefined> {
    const [stored] = await this.queueLog.read(TIMER_LOG_TOPIC, TIMER_LOG_QUEUE_ID, timerOffset, 1);
    return stored !== undefined && stored.queueOffset === timerOffset ? stored : undefined;
  }
}

/** messageToDeliver is the timer log's copy as it was sent: ID, body, properties and delivery timestamp kept. */
function messageToDeliver(stored: StoredMessage): MessageToStore {
  const { topic, queueId, queueOffset, storeTimestampMs, storeHost, ...message } = stored;
  return message;
}
