import type { Clock } from '@quiver/core';
import { defaultConsumerGroupConfig, type ConsumerGroupConfig, type NameServerService } from '@quiver/client';
import { limits } from '@quiver/config';

/** Groups cached per proxy; beyond this the oldest entries are dropped (as routes). */
const GROUP_CACHE_ENTRIES_MAX = 10_000;

/**
 * GroupService answers "how is this consumer group configured" from a short-lived cache over
 * the name server, as RouteService does for topics: every Telemetry Settings exchange asks,
 * and a configuration change reaches every proxy within limits.groupCacheTtlMs. A group that
 * was never created has Apache's defaults (Apache creates groups on first use).
 */
export class GroupService {
  private readonly cache = new Map<string, { config: ConsumerGroupConfig | undefined; fetchedAtMs: number }>();

  constructor(
    private readonly nameServer: Pick<NameServerService, 'getGroup' | 'upsertGroup'>,
    private readonly clock: Clock,
  ) {}

  /** config returns the group's configuration, or the defaults when it was never created. */
  async config(group: string): Promise<ConsumerGroupConfig> {
    return (await this.configured(group)) ?? defaultConsumerGroupConfig(group);
  }

  /**
   * known returns the group's configuration, recording a group never seen before at the name
   * server with the defaults (Apache creates groups on first use): the moment it is first known
   * is where a LATEST group starts. Racing proxies agree on one record (create-only).
   */
  async known(group: string): Promise<ConsumerGroupConfig> {
    const configured = await this.configured(group);
    if (configured?.createdAtMs !== undefined) return configured;
    const created = await this.nameServer.upsertGroup(configured ?? defaultConsumerGroupConfig(group), { createOnly: true });
    this.remember(group, created);
    return created;
  }

  /** configured returns the group's configuration, or undefined when it was never created. */
  async configured(group: string): Promise<ConsumerGroupConfig | undefined> {
    const cached = this.cache.get(group);
    if (cached && this.clock.monotonicMs() - cached.fetchedAtMs < limits.groupCacheTtlMs) {
      return cached.config;
    }
    const config = await this.nameServer.getGroup(group);
    this.remember(group, config);
    return config;
  }

  /** forget drops the cached entry, so this proxy sees a change it made at once. */
  forget(group: string): void {
    this.cache.delete(group);
  }

  private remember(group: string, config: ConsumerGroupConfig | undefined): void {
    this.cache.delete(group);
    if (this.cache.size >= GROUP_CACHE_ENTRIES_MAX) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(group, { config, fetchedAtMs: this.clock.monotonicMs() });
  }
}
