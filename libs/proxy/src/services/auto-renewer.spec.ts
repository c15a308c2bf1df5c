import { ManualClock, QuiverError, QuiverErrorCode } from '@quiver/core';
import type { ChangeInvisibleRequest, StoreService } from '@quiver/client';
import { silentLogger } from '@quiver/telemetry';
import { AUTO_RENEW_HOLD_MS_MAX, AUTO_RENEW_SCAN_INTERVAL_MS, AutoRenewer, RELEASE_INVISIBLE_MS } from './auto-renewer';

/** A store that records invisibility changes and applies them to one hand-out. */
function fakeStore(clock: ManualClock) {
  const changes: ChangeInvisibleRequest[] = [];
  let invalid = false;
  const store = {
    changeInvisibleDuration: async (request: ChangeInvisibleRequest) => {
      changes.push(request);
      if (invalid) throw new QuiverError(QuiverErrorCode.InvalidReceiptHandle, 'stale');
      return { popGeneration: request.keepGeneration ? request.popGeneration : request.popGeneration + 1, invisibleUntilMs: clock.nowMs() + request.invisibleDurationMs };
    },
  } as unknown as StoreService;
  return { store, changes, invalidate: () => (invalid = true) };
}

const handOut = { queueId: 1, offset: 7, popGeneration: 3 };

async function scanAfter(clock: ManualClock, renewer: AutoRenewer, ms: number): Promise<void> {
  clock.advance(ms);
  await renewer.scan();
}

describe('auto-renew - push consumers keep their messages while alive', () => {
  it('renews before expiry under the same generation, with growing steps', async () => {
    const clock = new ManualClock();
    const { store, changes } = fakeStore(clock);
    const renewer = new AutoRenewer(clock, silentLogger, async () => store, () => true);
    renewer.track({ clientId: 'c', group: 'g', topic: 't', storeNode: 's', handOut, invisibleUntilMs: clock.nowMs() + 60_000 });
    await scanAfter(clock, renewer, AUTO_RENEW_SCAN_INTERVAL_MS);
    expect(changes).toHaveLength(0);
    await scanAfter(clock, renewer, 50_000);
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ ...handOut, keepGeneration: true, invisibleDurationMs: 60_000 });
    await scanAfter(clock, renewer, 55_000);
    expect(changes).toHaveLength(2);
    expect(changes[1]?.invisibleDurationMs).toBe(180_000);
  });

  it('releases the message when the client is no longer live', async () => {
    const clock = new ManualClock();
    const { store, changes } = fakeStore(clock);
    const renewer = new AutoRenewer(clock, silentLogger, async () => store, () => false);
    renewer.track({ clientId: 'c', group: 'g', topic: 't', storeNode: 's', handOut, invisibleUntilMs: clock.nowMs() + 60_000 });
    await scanAfter(clock, renewer, 55_000);
    expect(changes).toEqual([expect.objectContaining({ ...handOut, invisibleDurationMs: RELEASE_INVISIBLE_MS })]);
    expect(changes[0]?.keepGeneration).toBeUndefined();
    expect(renewer.size).toBe(0);
  });

  it('stops renewing after the maximum hold and releases the message', async () => {
    const clock = new ManualClock();
    const { store, changes } = fakeStore(clock);
    const renewer = new AutoRenewer(clock, silentLogger, async () => store, () => true);
    renewer.track({ clientId: 'c', group: 'g', topic: 't', storeNode: 's', handOut, invisibleUntilMs: clock.nowMs() + AUTO_RENEW_HOLD_MS_MAX + 5_000 });
    await scanAfter(clock, renewer, AUTO_RENEW_HOLD_MS_MAX);
    expect(changes).toEqual([expect.objectContaining({ invisibleDurationMs: RELEASE_INVISIBLE_MS })]);
  });

  it('acked messages are forgotten, stale ones dropped, terminating clients released', async () => {
    const clock = new ManualClock();
    const { store, changes, invalidate } = fakeStore(clock);
    const renewer = new AutoRenewer(clock, silentLogger, async () => store, () => true);
    renewer.track({ clientId: 'c', group: 'g', topic: 't', storeNode: 's', handOut, invisibleUntilMs: clock.nowMs() + 60_000 });
    renewer.forget('g', 't', 's', handOut);
    await scanAfter(clock, renewer, 55_000);
    expect(changes).toHaveLength(0);

    renewer.track({ clientId: 'c', group: 'g', topic: 't', storeNode: 's', handOut, invisibleUntilMs: clock.nowMs() + 60_000 });
    invalidate();
    await scanAfter(clock, renewer, 55_000);
    expect(renewer.size).toBe(0);

    renewer.track({ clientId: 'leaving', group: 'g', topic: 't', storeNode: 's', handOut: { ...handOut, offset: 8 }, invisibleUntilMs: clock.nowMs() + 60_000 });
    renewer.track({ clientId: 'staying', group: 'g', topic: 't', storeNode: 's', handOut: { ...handOut, offset: 9 }, invisibleUntilMs: clock.nowMs() + 60_000 });
    await renewer.releaseClient('leaving');
    expect(renewer.size).toBe(1);
    expect(changes.at(-1)).toMatchObject({ offset: 8, invisibleDurationMs: RELEASE_INVISIBLE_MS });
  });
});
