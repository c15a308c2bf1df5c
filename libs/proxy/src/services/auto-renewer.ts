import type { Clock, TimerHandle } from '@quiver/core';
import { isQuiverError, QuiverErrorCode } from '@quiver/core';
import type { HandOut, StoreService } from '@quiver/client';
import type { Logger } from '@quiver/telemetry';

/** How often tracked hand-outs are checked (Apache: 5 s). */
export const AUTO_RENEW_SCAN_INTERVAL_MS = 5_000;
/** Hand-outs expiring within this window are renewed at the next scan (Apache: 10 s). */
export const AUTO_RENEW_AHEAD_MS = 10_000;
/** Successive extensions: 1 m, 3 m, 5 m, 10 m, 30 m, then 1 h each (Apache's schedule). */
export const AUTO_RENEW_STEPS_MS = [60_000, 180_000, 300_000, 600_000, 1_800_000, 3_600_000] as const;
/** A push consumer may hold a message this long; then it is released to be redelivered. */
export const AUTO_RENEW_HOLD_MS_MAX = 3 * 60 * 60 * 1000;
/** After a client goes away its messages become visible this soon (Apache: 1 s). */
export const RELEASE_INVISIBLE_MS = 1_000;
/** Hand-outs tracked per proxy; beyond it new ones are not renewed and return after 60 s. */
export const AUTO_RENEW_TRACKED_MAX = 200_000;

interface Tracked {
  clientId: string;
  group: string;
  topic: string;
  storeNode: string;
  handOut: HandOut;
  invisibleUntilMs: number;
  firstHandedOutMs: number;
  renewals: number;
}

/**
 * AutoRenewer keeps push consumers' messages invisible while their client lives (PROTOCOL.md
 * 7.9). Renewals keep the hand-out's generation, so the handle the client got at delivery stays
 * valid for ack and nack through any proxy. When the client goes offline or terminates, its
 * messages are released to be redelivered about a second later.
 */
export class AutoRenewer {
  private readonly tracked = new Map<string, Tracked>();
  private timer: TimerHandle | undefined;
  private scanning = false;

  constructor(
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly storeFor: (storeNode: string) => Promise<StoreService | undefined>,
    private readonly isClientLive: (clientId: string) => boolean,
  ) {}

  start(): void {
    const schedule = (): void => {
      this.timer = this.clock.setTimeout(() => {
        void this.scan().finally(schedule);
      }, AUTO_RENEW_SCAN_INTERVAL_MS);
      this.timer.unref?.();
    };
    schedule();
  }

  stop(): void {
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  get size(): number {
    return this.tracked.size;
  }

  track(entry: Omit<Tracked, 'renewals' | 'firstHandedOutMs'>): void {
    if (this.tracked.size >= AUTO_RENEW_TRACKED_MAX) return;
    this.tracked.set(keyOf(entry.group, entry.topic, entry.storeNode, entry.handOut), { ...entry, renewals: 0, firstHandedOutMs: this.clock.nowMs() });
  }

  /** forget stops renewing a hand-out (acked, nacked or dead-lettered). */
  forget(group: string, topic: string, storeNode: string, handOut: HandOut): void {
    // Most acks are of simple consumers' hand-outs, never tracked: skip building the key.
    if (this.tracked.size === 0) return;
    this.tracked.delete(keyOf(group, topic, storeNode, handOut));
  }

  /** releaseClient makes every message held for a terminating client visible again soon. */
  async releaseClient(clientId: string): Promise<void> {
    const mine = [...this.tracked.values()].filter((entry) => entry.clientId === clientId);
    await Promise.all(mine.map((entry) => this.release(entry)));
  }

  /** scan renews what is about to expire and releases what belongs to clients gone offline. */
  async scan(): Promise<void> {
    if (this.scanning) return;
    this.scanning = true;
    try {
      const nowMs = this.clock.nowMs();
      const due = [...this.tracked.values()].filter((entry) => entry.invisibleUntilMs - nowMs <= AUTO_RENEW_AHEAD_MS);
      await Promise.all(
        due.map(async (entry) => {
          if (entry.invisibleUntilMs <= nowMs) {
            this.tracked.delete(keyOf(entry.group, entry.topic, entry.storeNode, entry.handOut));
          } else if (!this.isClientLive(entry.clientId) || nowMs - entry.firstHandedOutMs >= AUTO_RENEW_HOLD_MS_MAX) {
            await this.release(entry);
          } else {
            await this.renew(entry);
          }
        }),
      );
    } finally {
      this.scanning = false;
    }
  }

  private async renew(entry: Tracked): Promise<void> {
    const stepMs = AUTO_RENEW_STEPS_MS[Math.min(entry.renewals, AUTO_RENEW_STEPS_MS.length - 1)]!;
    try {
      const store = await this.storeFor(entry.storeNode);
      if (!store) return;
      const changed = await store.changeInvisibleDuration({ group: entry.group, topic: entry.topic, ...entry.handOut, invisibleDurationMs: stepMs, keepGeneration: true });
      entry.invisibleUntilMs = changed.invisibleUntilMs;
      entry.renewals++;
    } catch (error) {
      if (isQuiverError(error, QuiverErrorCode.InvalidReceiptHandle)) {
        this.tracked.delete(keyOf(entry.group, entry.topic, entry.storeNode, entry.handOut));
      } else {
        this.logger.warn({ err: error, storeNode: entry.storeNode }, 'auto-renew failed; retrying at the next scan');
      }
    }
  }

  private async release(entry: Tracked): Promise<void> {
    this.tracked.delete(keyOf(entry.group, entry.topic, entry.storeNode, entry.handOut));
    try {
      const store = await this.storeFor(entry.storeNode);
      await store?.changeInvisibleDuration({ group: entry.group, topic: entry.topic, ...entry.handOut, invisibleDurationMs: RELEASE_INVISIBLE_MS });
    } catch (error) {
      if (!isQuiverError(error, QuiverErrorCode.InvalidReceiptHandle)) {
        this.logger.warn({ err: error, storeNode: entry.storeNode }, 'could not release a held message; it returns after its invisible duration');
      }
    }
  }
}

function keyOf(group: string, topic: string, storeNode: string, handOut: HandOut): string {
  return `${group}\u0000${topic}\u0000${storeNode}\u0000${handOut.queueId}\u0000${handOut.offset}`;
}
