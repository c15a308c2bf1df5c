import { randomBytes } from 'node:crypto';
import { QuiverError, QuiverErrorCode, StartPolicy, TopicMessageType, type Clock } from '@quiver/core';
import {
  checkedConsumerGroupConfig,
  type ClusterIdentity,
  type ConsumerGroupConfig,
  type CreateTopicRequest,
  type NameServerService,
  type StoreNodeHeartbeat,
  type StoreNodeHeartbeatResult,
  type StoreNodeInfo,
  type TopicRoute,
  type TopicUpdate,
  type UpsertGroupOptions,
} from '@quiver/client';
import { limits } from '@quiver/config';
import type { MetadataStore } from './metadata/metadata-store';
import { StoreNodeRegistry } from './registry/store-node-registry';

/** TopicRecord is a topic as the name server persists it. */
interface TopicRecord {
  name: string;
  messageType: TopicMessageType;
  queueCount: number;
  storeNodes: string[];
  createdAtMs: number;
}

/** GroupRecord is a consumer group as the name server persists it. */
interface GroupRecord {
  config: ConsumerGroupConfig;
  createdAtMs: number;
  updatedAtMs: number;
}

const TOPIC_KEY_PREFIX = 'topic/';
const GROUP_KEY_PREFIX = 'group/';
const IDENTITY_KEY = 'cluster/identity';
/** Receipt-handle HMAC key size: 256 bits, the HMAC-SHA256 block-strength key. */
const RECEIPT_HANDLE_KEY_BYTES = 32;

export interface LocalNameServerOptions {
  metadata: MetadataStore;
  clock: Clock;
  clusterName: string;
  autoCreateTopics: boolean;
  defaultQueueCount: number;
  /** defaultStartPolicy is where groups that name none start (PROTOCOL.md 7.2). @default LATEST */
  defaultStartPolicy?: StartPolicy;
}

/**
 * LocalNameServer is the name server's logic: topics with their placement on store nodes,
 * store-node liveness, and the cluster identity. The gRPC service and standalone mode both
 * call it directly.
 */
export class LocalNameServer implements NameServerService {
  private readonly topics = new Map<string, TopicRecord>();
  private readonly groups = new Map<string, GroupRecord>();
  /** changes is the tail of the serialized metadata changes (see serialized). */
  private changes: Promise<unknown> = Promise.resolve();
  private readonly registry: StoreNodeRegistry;
  private identity!: ClusterIdentity;

  private constructor(private readonly options: LocalNameServerOptions) {
    this.registry = new StoreNodeRegistry(options.clock, limits.storeNodeRegistrationTimeoutMs);
  }

  static async open(options: LocalNameServerOptions): Promise<LocalNameServer> {
    const server = new LocalNameServer(options);
    await server.load();
    return server;
  }

  private async load(): Promise<void> {
    for (const [, value] of await this.options.metadata.list(TOPIC_KEY_PREFIX)) {
      const record = JSON.parse(value) as TopicRecord;
      this.topics.set(record.name, record);
    }
    for (const [, value] of await this.options.metadata.list(GROUP_KEY_PREFIX)) {
      const record = JSON.parse(value) as GroupRecord;
      this.groups.set(record.config.name, record);
    }
    const storedIdentity = await this.options.metadata.get(IDENTITY_KEY);
    const persisted = storedIdentity ? (JSON.parse(storedIdentity) as { clusterName: string; receiptHandleKey: string }) : undefined;
    const receiptHandleKey = persisted?.receiptHandleKey ?? randomBytes(RECEIPT_HANDLE_KEY_BYTES).toString('base64');
    if (!persisted) {
      await this.options.metadata.put(IDENTITY_KEY, JSON.stringify({ clusterName: this.options.clusterName, receiptHandleKey }));
    }
    this.identity = {
      clusterName: this.options.clusterName,
      receiptHandleKey,
      autoCreateTopics: this.options.autoCreateTopics,
      defaultQueueCount: this.options.defaultQueueCount,
      defaultStartPolicy: this.options.defaultStartPolicy ?? StartPolicy.Latest,
    };
  }

  async heartbeatStoreNode(request: StoreNodeHeartbeat): Promise<StoreNodeHeartbeatResult> {
    this.registry.heartbeat(request.name, request.address);
    return { heartbeatIntervalMs: limits.storeNodeHeartbeatIntervalMs };
  }

  async getTopic(name: string): Promise<TopicRoute | undefined> {
    const record = this.topics.get(name);
    return record ? this.routeOf(record) : undefined;
  }

  createTopic(request: CreateTopicRequest): Promise<TopicRoute> {
    return this.serialized(() => this.createTopicSerialized(request));
  }

  private async createTopicSerialized(request: CreateTopicRequest): Promise<TopicRoute> {
    const existing = this.topics.get(request.name);
    if (existing) {
      return this.routeOf(existing);
    }
    checkQueueCount(request.queueCount);
    checkMessageType(request.messageType);
    const storeNodes = this.registry.liveNames();
    if (storeNodes.length === 0) {
      throw new QuiverError(QuiverErrorCode.StoreUnavailable, 'no live store node to place the topic on', { retriable: true });
    }
    const record: TopicRecord = {
      name: request.name,
      messageType: request.messageType,
      queueCount: request.queueCount,
      storeNodes,
      createdAtMs: this.options.clock.nowMs(),
    };
    // Persist before publishing, so a route handed out always survives a restart.
    await this.options.metadata.put(TOPIC_KEY_PREFIX + record.name, JSON.stringify(record));
    this.topics.set(record.name, record);
    return this.routeOf(record);
  }

  async listTopics(): Promise<TopicRoute[]> {
    return [...this.topics.values()].sort((a, b) => (a.name < b.name ? -1 : 1)).map((record) => this.routeOf(record));
  }

  updateTopic(name: string, update: TopicUpdate): Promise<TopicRoute> {
    return this.serialized(() => this.updateTopicSerialized(name, update));
  }

  private async updateTopicSerialized(name: string, update: TopicUpdate): Promise<TopicRoute> {
    const existing = this.topics.get(name);
    if (!existing) throw new QuiverError(QuiverErrorCode.TopicNotFound, `topic ${JSON.stringify(name)} does not exist`);
    if (update.messageType !== undefined) checkMessageType(update.messageType);
    if (update.queueCount !== undefined) {
      checkQueueCount(update.queueCount);
      if (update.queueCount < existing.queueCount) {
        throw new QuiverError(
          QuiverErrorCode.BadRequest,
          `queue count of topic ${JSON.stringify(name)} may only grow (${existing.queueCount} now, ${update.queueCount} asked): its queues may hold messages`,
        );
      }
    }
    const record: TopicRecord = {
      ...existing,
      messageType: update.messageType ?? existing.messageType,
      queueCount: update.queueCount ?? existing.queueCount,
    };
    await this.options.metadata.put(TOPIC_KEY_PREFIX + name, JSON.stringify(record));
    this.topics.set(name, record);
    return this.routeOf(record);
  }

  deleteTopic(name: string): Promise<boolean> {
    return this.serialized(() => this.deleteTopicSerialized(name));
  }

  private async deleteTopicSerialized(name: string): Promise<boolean> {
    if (!this.topics.has(name)) {
      return false;
    }
    await this.options.metadata.delete(TOPIC_KEY_PREFIX + name);
    this.topics.delete(name);
    return true;
  }

  async getGroup(name: string): Promise<ConsumerGroupConfig | undefined> {
    const record = this.groups.get(name);
    return record ? groupOf(record) : undefined;
  }

  /**
   * upsertGroup stores a group's configuration; the moment a group is first stored is its
   * createdAtMs ("first known"), kept across updates. With createOnly an existing group is
   * returned as it is.
   */
  upsertGroup(config: ConsumerGroupConfig, options: UpsertGroupOptions = {}): Promise<ConsumerGroupConfig> {
    return this.serialized(() => this.upsertGroupSerialized(config, options.createOnly === true));
  }

  private async upsertGroupSerialized(config: ConsumerGroupConfig, createOnly: boolean): Promise<ConsumerGroupConfig> {
    const checked = copyGroup(checkedConsumerGroupConfig(config));
    const existing = this.groups.get(checked.name);
    if (existing !== undefined && createOnly) return groupOf(existing);
    const nowMs = this.options.clock.nowMs();
    const record: GroupRecord = { config: checked, createdAtMs: existing?.createdAtMs ?? nowMs, updatedAtMs: nowMs };
    // Persist before publishing, as topics: a configuration reported stored survives a restart.
    await this.options.metadata.put(GROUP_KEY_PREFIX + checked.name, JSON.stringify(record));
    this.groups.set(checked.name, record);
    return groupOf(record);
  }

  async listGroups(): Promise<ConsumerGroupConfig[]> {
    return [...this.groups.values()].map(groupOf).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  deleteGroup(name: string): Promise<boolean> {
    return this.serialized(() => this.deleteGroupSerialized(name));
  }

  private async deleteGroupSerialized(name: string): Promise<boolean> {
    if (!this.groups.has(name)) {
      return false;
    }
    await this.options.metadata.delete(GROUP_KEY_PREFIX + name);
    this.groups.delete(name);
    return true;
  }

  async listStoreNodes(): Promise<StoreNodeInfo[]> {
    return this.registry.list();
  }

  async getClusterIdentity(): Promise<ClusterIdentity> {
    return { ...this.identity };
  }

  async close(): Promise<void> {
    await this.options.metadata.close();
  }

  /**
   * serialized runs metadata changes one at a time, so a read-check-write (two creations of
   * one topic, an update that may only grow a queue count, a delete racing an update) never
   * interleaves with another change. Changes are rare (admin operations and the first use of a
   * topic); a failure does not block the ones queued after it.
   */
  private serialized<T>(change: () => Promise<T>): Promise<T> {
    const result = this.changes.then(change);
    this.changes = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  private routeOf(record: TopicRecord): TopicRoute {
    return {
      name: record.name,
      messageType: record.messageType,
      placements: record.storeNodes.map((storeNode) => ({
        storeNode,
        address: this.registry.addressOf(storeNode),
        queueCount: record.queueCount,
        live: this.registry.isLive(storeNode),
      })),
    };
  }
}

function checkQueueCount(queueCount: number): void {
  if (!Number.isInteger(queueCount) || queueCount < 1 || queueCount > limits.topicQueueCountMax) {
    throw new QuiverError(QuiverErrorCode.BadRequest, `queue count must be 1..${limits.topicQueueCountMax}, got ${queueCount}`);
  }
}

const topicMessageTypes: ReadonlySet<string> = new Set(Object.values(TopicMessageType));

function checkMessageType(messageType: TopicMessageType): void {
  if (!topicMessageTypes.has(messageType)) {
    throw new QuiverError(QuiverErrorCode.BadRequest, `message type must be one of ${[...topicMessageTypes].join(', ')}, got ${String(messageType)}`);
  }
}

/** copyGroup returns a deep copy, so callers never share the name server's records. */
function copyGroup(config: ConsumerGroupConfig): ConsumerGroupConfig {
  const retryPolicy = config.retryPolicy.kind === 'customized' ? { kind: config.retryPolicy.kind, nextMs: [...config.retryPolicy.nextMs] } : { ...config.retryPolicy };
  const copy: ConsumerGroupConfig = { name: config.name, fifo: config.fifo, maxDeliveryAttempts: config.maxDeliveryAttempts, retryPolicy };
  if (config.startPolicy !== undefined) copy.startPolicy = config.startPolicy;
  if (config.startPolicy === 'TIMESTAMP' && config.startTimestampMs !== undefined) copy.startTimestampMs = config.startTimestampMs;
  return copy;
}

/** groupOf is a stored group's configuration with the moment it was first known. */
function groupOf(record: GroupRecord): ConsumerGroupConfig {
  return { ...copyGroup(record.config), createdAtMs: record.createdAtMs };
}
