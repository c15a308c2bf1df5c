import { randomBytes } from 'node:crypto';
import { QuiverError, QuiverErrorCode, type Clock, type TopicMessageType } from '@quiver/core';
import type {
  ClusterIdentity,
  CreateTopicRequest,
  NameServerService,
  StoreNodeHeartbeat,
  StoreNodeHeartbeatResult,
  StoreNodeInfo,
  TopicRoute,
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

const TOPIC_KEY_PREFIX = 'topic/';
const IDENTITY_KEY = 'cluster/identity';
/** Receipt-handle HMAC key size: 256 bits, the HMAC-SHA256 block-strength key. */
const RECEIPT_HANDLE_KEY_BYTES = 32;

export interface LocalNameServerOptions {
  metadata: MetadataStore;
  clock: Clock;
  clusterName: string;
  autoCreateTopics: boolean;
  defaultQueueCount: number;
}

/**
 * LocalNameServer is the name server's logic: topics with their placement on store nodes,
 * store-node liveness, and the cluster identity. The gRPC service and standalone mode both
 * call it directly.
 */
export class LocalNameServer implements NameServerService {
  private readonly topics = new Map<string, TopicRecord>();
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

  async createTopic(request: CreateTopicRequest): Promise<TopicRoute> {
    const existing = this.topics.get(request.name);
    if (existing) {
      return this.routeOf(existing);
    }
    if (!Number.isInteger(request.queueCount) || request.queueCount < 1 || request.queueCount > limits.topicQueueCountMax) {
      throw new QuiverError(QuiverErrorCode.BadRequest, `queue count must be 1..${limits.topicQueueCountMax}, got ${request.queueCount}`);
    }
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
    const raced = this.topics.get(request.name);
    if (raced) {
      return this.routeOf(raced);
    }
    this.topics.set(record.name, record);
    return this.routeOf(record);
  }

  async listTopics(): Promise<TopicRoute[]> {
    return [...this.topics.values()].sort((a, b) => (a.name < b.name ? -1 : 1)).map((record) => this.routeOf(record));
  }

  async deleteTopic(name: string): Promise<boolean> {
    if (!this.topics.has(name)) {
      return false;
    }
    await this.options.metadata.delete(TOPIC_KEY_PREFIX + name);
    this.topics.delete(name);
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
