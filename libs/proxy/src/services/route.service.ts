import { QuiverError, QuiverErrorCode, TopicMessageType, type Clock } from '@quiver/core';
import type { ClusterIdentity, NameServerService, TopicRoute } from '@quiver/client';
import { limits } from '@quiver/config';

/** Topics cached per proxy; beyond this the oldest entries are dropped. */
const ROUTE_CACHE_ENTRIES_MAX = 10_000;

/**
 * RouteService answers "where does this topic live" from a short-lived cache over the name
 * server, and creates unknown topics when the cluster allows auto-creation.
 */
export class RouteService {
  private readonly cache = new Map<string, { route: TopicRoute | undefined; fetchedAtMs: number }>();
  private identity: ClusterIdentity | undefined;

  constructor(
    private readonly nameServer: NameServerService,
    private readonly clock: Clock,
  ) {}

  async clusterIdentity(): Promise<ClusterIdentity> {
    this.identity ??= await this.nameServer.getClusterIdentity();
    return this.identity;
  }

  /** route returns the topic's route, or undefined when it does not exist. */
  async route(topic: string): Promise<TopicRoute | undefined> {
    const cached = this.cache.get(topic);
    if (cached && this.clock.monotonicMs() - cached.fetchedAtMs < limits.routeCacheTtlMs) {
      return cached.route;
    }
    const route = await this.nameServer.getTopic(topic);
    this.remember(topic, route);
    return route;
  }

  /**
   * routeOrCreate returns the topic's route, creating it as a NORMAL topic when it is unknown
   * and auto-creation is on; throws TOPIC_NOT_FOUND otherwise.
   */
  async routeOrCreate(topic: string, allowCreate: boolean): Promise<TopicRoute> {
    const route = await this.route(topic);
    if (route) return route;
    const identity = await this.clusterIdentity();
    if (!allowCreate || !identity.autoCreateTopics) {
      throw new QuiverError(QuiverErrorCode.TopicNotFound, `CODE: 17  DESC: No topic route info in name server for the topic: ${topic}`);
    }
    const created = await this.nameServer.createTopic({
      name: topic,
      messageType: TopicMessageType.Normal,
      queueCount: identity.defaultQueueCount,
    });
    this.remember(topic, created);
    return created;
  }

  /** ensureTopic creates a system-owned topic (such as a dead-letter topic) if it is missing. */
  async ensureTopic(topic: string, queueCount: number): Promise<TopicRoute> {
    const route = await this.route(topic);
    if (route) return route;
    const created = await this.nameServer.createTopic({ name: topic, messageType: TopicMessageType.Normal, queueCount });
    this.remember(topic, created);
    return created;
  }

  /** forget drops the cached route, so this proxy sees a topic change it made (admin API) at once. */
  forget(topic: string): void {
    this.cache.delete(topic);
  }

  private remember(topic: string, route: TopicRoute | undefined): void {
    if (this.cache.size >= ROUTE_CACHE_ENTRIES_MAX) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(topic, { route, fetchedAtMs: this.clock.monotonicMs() });
  }
}
