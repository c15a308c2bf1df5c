/**
 * LongPolls holds the pop and pull requests waiting for something to deliver (PROTOCOL.md 7.7).
 * A poll is registered per topic; it is woken when a message is appended to the topic or the
 * visibility of the topic's in-flight messages changes, when its one timer fires (its deadline
 * or the moment its group's earliest in-flight message becomes visible again), when its
 * caller aborts, or when the store closes. There are no per-message timers: one timer per
 * waiting poll at most. The number of registered polls is bounded.
 *
 * A poll is registered before its last pop attempt, so a wake that lands while the pop is
 * running is not lost: the poll sees `woken` and pops again instead of sleeping.
 *
 * Pop polls of one consumer group share the group's cursor and its pops run one at a time, so
 * an event wakes one poll per group, not all of them: waking every poll made each append cost
 * a pop per waiting consumer, all but one finding nothing. The event goes to a poll that is
 * between pops if there is one (it pops again before sleeping), else to the longest-waiting
 * poll. A poll that leaves with an event it has not popped for, or that may have left
 * messages behind (a full batch), hands the wake on to the next poll of its group. Pull polls
 * read from offsets of their own, so every one of them is woken.
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
    /** group is the consumer group of a pop poll; undefined for a pull poll, which is always woken. */
    readonly group: string | undefined,
    private readonly clock: Clock,
  ) {}

  /** waiting is true while the poll sleeps in `wait`; false between its pops. */
  get waiting(): boolean {
    return this.waiter !== undefined;
  }

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

/** PULL_POLLS keys the pull polls of a topic, apart from the consumer groups of pop polls. */
const PULL_POLLS: unique symbol = Symbol('pull polls');
type PollGroupKey = string | typeof PULL_POLLS;

export class LongPolls {
  /** Per topic, per group (or PULL_POLLS), the registered polls in registration order. */
  private readonly byTopic = new Map<string, Map<PollGroupKey, Set<LongPoll>>>();
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

  /**
   * register adds a poll for `topic`: a pop poll of `group`, or a pull poll when `group` is
   * undefined. Throws TOO_MANY_REQUESTS when the bound is reached. Pair with `unregister`.
   */
  register(topic: string, group: string | undefined, signal?: AbortSignal): LongPoll {
    if (this.count >= this.pollsMax) {
      throw new QuiverError(QuiverErrorCode.TooManyRequests, `${this.pollsMax} long polls are waiting on this store node already`, { retriable: true });
    }
    const poll = new LongPoll(topic, group, this.clock);
    let groups = this.byTopic.get(topic);
    if (groups === undefined) {
      groups = new Map();
      this.byTopic.set(topic, groups);
    }
    const key = group ?? PULL_POLLS;
    let polls = groups.get(key);
    if (polls === undefined) {
      polls = new Set();
      groups.set(key, polls);
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

  /**
   * unregister removes the poll. A pop poll leaving with an event it has not popped for
   * (`woken`), or with `handOn` (its pop may have left deliverable messages behind), wakes the
   * next poll of its group, so no event is lost with it.
   */
  unregister(poll: LongPoll, handOn = false): void {
    const groups = this.byTopic.get(poll.topic);
    const key = poll.group ?? PULL_POLLS;
    const polls = groups?.get(key);
    if (groups === undefined || polls === undefined || !polls.delete(poll)) return;
    if (polls.size === 0) groups.delete(key);
    if (groups.size === 0) this.byTopic.delete(poll.topic);
    this.count -= 1;
    const abort = this.abortListeners.get(poll);
    if (abort !== undefined) {
      abort.signal.removeEventListener('abort', abort.listener);
      this.abortListeners.delete(poll);
    }
    if (poll.group !== undefined && polls.size > 0 && (poll.woken || handOn)) wakeOne(polls);
  }

  /** wakeTopic tells the topic's polls that something may have become deliverable: one pop poll per group, every pull poll. */
  wakeTopic(topic: string): void {
    for (const [key, polls] of this.byTopic.get(topic) ?? []) {
      if (key === PULL_POLLS) for (const poll of polls) poll.notify('event');
      else wakeOne(polls);
    }
  }

  /** wakeGroup is wakeTopic for one consumer group's pop polls (an ack, a nack, an offset change of that group). */
  wakeGroup(topic: string, group: string): void {
    const polls = this.byTopic.get(topic)?.get(group);
    if (polls !== undefined) wakeOne(polls);
  }

  /** closeAll ends every poll; they return empty. */
  closeAll(): void {
    for (const groups of this.byTopic.values()) for (const polls of groups.values()) for (const poll of polls) poll.notify('closed');
  }
}

/** wakeOne gives an event to one poll of a group: one between pops if any (it pops again before sleeping), else the longest waiting. */
function wakeOne(polls: Set<LongPoll>): void {
  let longestWaiting: LongPoll | undefined;
  for (const poll of polls) {
    if (poll.finished) continue;
    if (!poll.waiting) {
      poll.notify('event');
      return;
    }
    longestWaiting ??= poll;
  }
  longestWaiting?.notify('event');
}
