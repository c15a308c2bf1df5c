import { ManualClock } from '@quiver/core';

import { LongPolls } from './long-polls';
import type { LongPoll, WakeReason } from './long-polls';

const WAIT_MS = 20_000;

/** parked registers a poll and puts it to sleep, recording how it was woken. */
function parked(polls: LongPolls, topic: string, group: string | undefined): { poll: LongPoll; woke: () => WakeReason | undefined } {
  const poll = polls.register(topic, group);
  let reason: WakeReason | undefined;
  void poll.wait(WAIT_MS).then((woken) => {
    reason = woken;
  });
  return { poll, woke: () => reason };
}

async function settle(): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
}

describe('LongPolls - who an event wakes', () => {
  it('wakeTopic - wakes only the longest-waiting pop poll of each group, and every pull poll', async () => {
    const polls = new LongPolls(new ManualClock(), 100);
    const groupA = [parked(polls, 't', 'a'), parked(polls, 't', 'a'), parked(polls, 't', 'a')];
    const groupB = [parked(polls, 't', 'b'), parked(polls, 't', 'b')];
    const pulls = [parked(polls, 't', undefined), parked(polls, 't', undefined)];
    const otherTopic = parked(polls, 'u', 'a');
    polls.wakeTopic('t');
    await settle();
    expect(groupA.map((entry) => entry.woke())).toEqual(['event', undefined, undefined]);
    expect(groupB.map((entry) => entry.woke())).toEqual(['event', undefined]);
    expect(pulls.map((entry) => entry.woke())).toEqual(['event', 'event']);
    expect(otherTopic.woke()).toBeUndefined();
  });

  it('wakeTopic - a poll between pops takes the event (it pops again before sleeping) and no sleeping poll is woken', async () => {
    const polls = new LongPolls(new ManualClock(), 100);
    const sleeping = parked(polls, 't', 'a');
    const popping = polls.register('t', 'a');
    polls.wakeTopic('t');
    await settle();
    expect(popping.woken).toBe(true);
    expect(sleeping.woke()).toBeUndefined();
    expect(sleeping.poll.woken).toBe(false);
  });

  it('wakeGroup - wakes one poll of that group only', async () => {
    const polls = new LongPolls(new ManualClock(), 100);
    const groupA = [parked(polls, 't', 'a'), parked(polls, 't', 'a')];
    const groupB = parked(polls, 't', 'b');
    const pull = parked(polls, 't', undefined);
    polls.wakeGroup('t', 'a');
    polls.wakeGroup('t', 'missing');
    await settle();
    expect(groupA.map((entry) => entry.woke())).toEqual(['event', undefined]);
    expect(groupB.woke()).toBeUndefined();
    expect(pull.woke()).toBeUndefined();
  });

  it('wakeTopic - polls that were aborted are passed over', async () => {
    const polls = new LongPolls(new ManualClock(), 100);
    const controller = new AbortController();
    const aborted = polls.register('t', 'a', controller.signal);
    controller.abort();
    const waiting = parked(polls, 't', 'a');
    polls.wakeTopic('t');
    await settle();
    expect(aborted.finished).toBe(true);
    expect(waiting.woke()).toBe('event');
  });
});

describe('LongPolls - handing a wake on', () => {
  it('unregister - a poll leaving with an event it did not pop for wakes the next poll of its group', async () => {
    const polls = new LongPolls(new ManualClock(), 100);
    const leaving = polls.register('t', 'a');
    const next = parked(polls, 't', 'a');
    const otherGroup = parked(polls, 't', 'b');
    polls.wakeGroup('t', 'a');
    expect(leaving.woken).toBe(true);
    polls.unregister(leaving);
    await settle();
    expect(next.woke()).toBe('event');
    expect(otherGroup.woke()).toBeUndefined();
  });

  it('unregister - with handOn (a full batch may have left messages) it wakes the next poll even without an event', async () => {
    const polls = new LongPolls(new ManualClock(), 100);
    const leaving = polls.register('t', 'a');
    const next = parked(polls, 't', 'a');
    polls.unregister(leaving, true);
    await settle();
    expect(next.woke()).toBe('event');
  });

  it('unregister - a poll leaving without an event and without handOn wakes nobody', async () => {
    const polls = new LongPolls(new ManualClock(), 100);
    const leaving = polls.register('t', 'a');
    const next = parked(polls, 't', 'a');
    leaving.rearm();
    polls.unregister(leaving);
    await settle();
    expect(next.woke()).toBeUndefined();
    expect(polls.size).toBe(1);
  });

  it('unregister - the bound counts registered polls; registering past it is TOO_MANY_REQUESTS until one leaves', () => {
    const polls = new LongPolls(new ManualClock(), 2);
    const first = polls.register('t', 'a');
    polls.register('t', undefined);
    expect(() => polls.register('t', 'b')).toThrow(/2 long polls/);
    polls.unregister(first);
    polls.unregister(first);
    expect(polls.size).toBe(1);
    expect(polls.register('t', 'b').group).toBe('b');
  });

  it('closeAll - ends every poll of every group and every pull poll', async () => {
    const polls = new LongPolls(new ManualClock(), 100);
    const all = [parked(polls, 't', 'a'), parked(polls, 't', 'a'), parked(polls, 'u', undefined)];
    polls.closeAll();
    await settle();
    expect(all.map((entry) => entry.woke())).toEqual(['closed', 'closed', 'closed']);
  });
});
