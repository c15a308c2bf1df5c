import { ManualClock } from '@quiver/core';
import { defaultConsumerGroupConfig, type ConsumerGroupConfig } from '@quiver/client';
import { limits } from '@quiver/config';
import { GroupService } from './group.service';

/** CountingGroups is a name server that only knows groups, and counts how often it is asked. */
class CountingGroups {
  readonly groups = new Map<string, ConsumerGroupConfig>();
  reads = 0;
  async getGroup(name: string): Promise<ConsumerGroupConfig | undefined> {
    this.reads++;
    return this.groups.get(name);
  }
  async upsertGroup(config: ConsumerGroupConfig, options: { createOnly?: boolean } = {}): Promise<ConsumerGroupConfig> {
    const existing = this.groups.get(config.name);
    if (existing && options.createOnly) return existing;
    const stored = { ...config, createdAtMs: existing?.createdAtMs ?? 1_000 + this.groups.size };
    this.groups.set(config.name, stored);
    return stored;
  }
}

describe('group service - cached consumer-group configuration', () => {
  const fifo: ConsumerGroupConfig = { ...defaultConsumerGroupConfig('g'), fifo: true, maxDeliveryAttempts: 4 };

  it('config - a group never created has the defaults, and is not configured', async () => {
    const service = new GroupService(new CountingGroups(), new ManualClock());
    expect(await service.config('g')).toEqual(defaultConsumerGroupConfig('g'));
    expect(await service.configured('g')).toBeUndefined();
  });

  it('config - answers from the cache within the TTL and asks the name server again after it', async () => {
    const nameServer = new CountingGroups();
    const clock = new ManualClock();
    const service = new GroupService(nameServer, clock);
    nameServer.groups.set('g', fifo);
    expect(await service.config('g')).toEqual(fifo);
    nameServer.groups.delete('g');
    clock.advance(limits.groupCacheTtlMs - 1);
    expect(await service.config('g')).toEqual(fifo);
    expect(nameServer.reads).toBe(1);
    clock.advance(1);
    expect((await service.config('g')).fifo).toBe(false);
    expect(nameServer.reads).toBe(2);
  });

  it('forget - the next lookup asks the name server', async () => {
    const nameServer = new CountingGroups();
    const service = new GroupService(nameServer, new ManualClock());
    expect((await service.config('g')).fifo).toBe(false);
    nameServer.groups.set('g', fifo);
    service.forget('g');
    expect((await service.config('g')).fifo).toBe(true);
  });
});
