/**
 * LongPolls holds the pop requests waiting for something to deliver (PROTOCOL.md 7.7). A poll
 * is registered per topic; it is woken when a message is appended to the topic or the
 * visibility of the topic's in-flight messages changes, when its one timer fires (its deadline
 * or the moment its group's earliest in-flight message becomes visible again), when its
 * caller aborts, or when the store closes. There are no per-message timers: one timer per
 * waiting poll at most. The number of registered polls is bounded.
 *
 * A poll is registered before its last pop attempt, so a wake that lands while the pop is
 * running is not lost: the poll sees `woken` and pops again instead of sleeping.
 */
import { QuiverError, QuiverErrorCode } from '@quiver/core';
import type { Clock, TimerHandle } from '@quiver/core';

export type WakeReason = 'event' | 'timer' | 'aborted' | 'closed';

export class LongPoll {
  /** woken is set by every event since the last `rearm`. */
  woken = false;
  private waiter: ((reason: WakeReason) => void) | undefined;
  private timer: TimerHandle | undefined;
  private finalReason: WakeReason | undefined;

  constructor(
    readonly topic: string,
    private readonly clock: Clock,
  ) {}

  /** rearm forgets earlier events, before another pop attempt. */
  rearm(): void {
    this.woken = false;
  }

  /** wait sleeps until an event, `delayMs`, abort or close; resolves at once after abort or close. */
  wait(delayMs: number): Promise<WakeReason> {
    if (this.finalReason !== undefined) return Promise.resolve(this.finalReason);
    if (this.woken) return Promise.resolve('event');
    return new Promise<WakeReason>((resolve) => {
      this.waiter = resolve;
      this.timer = this.clock.setTimeout(() => {
        this.timer = undefined;
        this.settle('timer');
      }, delayMs);
      this.timer.unref?.();
    });
  }

  /** notify records an event and wakes the poll if it waits. */
  notify(reason: WakeReason): void {
    if (reason === 'aborted' || reason === 'closed') this.finalReason = reason;
    else this.woken = true;
    this.settle(reason);
  }

  /** finished reports abort or close, after which the poll never waits again. */
  get finished(): boolean {
    return this.finalReason !== undefined;
  }

  private settle(reason: WakeReason): void {
    if (this.timer !== undefined) {
      this.clock.clearTimeout(this.timer);
      this.timer = undefined;
    }
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.(reason);
  }
}

export class LongPolls {
  private readonly byTopic = new Map<string, Set<LongPoll>>();
  private readonly abortListeners = new Map<LongPoll, { signal: AbortSignal; listener: () => void }>();
  private count = 0;

  constructor(
    private readonly clock: Clock,
    private readonly pollsMax: number,
  ) {}

  /** size is the number of registered polls. */
  get size(): number {
    return this.count;
  }

  /** register adds a poll for `topic`; throws TOO_MANY_REQUESTS when the bound is reached. Pair with `unregister`. */
  register(topic: string, signal?: AbortSignal): LongPoll {
    if (this.count >= this.pollsMax) {
      throw new QuiverError(QuiverErrorCode.TooManyRequests, `${this.pollsMax} long polls are waiting on this store node already`, { retriable: true });
    }
    const poll = new LongPoll(topic, this.clock);
    let polls = this.byTopic.get(topic);
    if (polls === undefined) {
      polls = new Set();
      this.byTopic.set(topic, polls);
    }
    polls.add(poll);
    this.count += 1;
    if (signal !== undefined) {
      const listener = (): void => poll.notify('aborted');
      signal.addEventListener('abort', listener, { once: true });
      this.abortListeners.set(poll, { signal, listener });
      if (signal.aborted) poll.notify('aborted');
    }
    return poll;
  }

  unregister(poll: LongPoll): void {
    const polls = this.byTopic.get(poll.topic);
    if (polls === undefined || !polls.delete(poll)) return;
    if (polls.size === 0) this.byTopic.delete(poll.topic);
    this.count -= 1;
    const abort = this.abortListeners.get(poll);
    if (abort !== undefined) {
      abort.signal.removeEventListener('abort', abort.listener);
      this.abortListeners.delete(poll);
    }
  }

  /** wakeTopic wakes every poll of the topic: something may have become deliverable. */
  wakeTopic(topic: string): void {
    for (const poll of this.byTopic.get(topic) ?? []) poll.notify('event');
  }

  /** closeAll ends every poll; they return empty. */
  closeAll(): void {
    for (const polls of this.byTopic.values()) for (const poll of polls) poll.notify('closed');
  }
}
