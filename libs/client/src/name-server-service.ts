import type { StartPolicy, TopicMessageType } from '@quiver/core';
import type { ConsumerGroupConfig } from './consumer-group';

/**
 * NameServerService is what proxies and store nodes ask of the name server: store-node
 * registration, topics and their placement, routes. Local (standalone) and gRPC (cluster)
 * implementations behave the same.
 */
export interface NameServerService {
  /**
   * heartbeatStoreNode registers a store node or renews its registration. A node whose
   * heartbeats stop for the registration timeout drops out of routes.
   */
  heartbeatStoreNode(request: StoreNodeHeartbeat): Promise<StoreNodeHeartbeatResult>;

  /** getTopic returns a topic's route, or undefined when the topic does not exist. */
  getTopic(name: string): Promise<TopicRoute | undefined>;

  /**
   * createTopic creates a topic with `queueCount` queues on every live store node. Creating
   * an existing topic returns its route unchanged (idempotent). Throws STORE_UNAVAILABLE when
   * no store node is live.
   */
  createTopic(request: CreateTopicRequest): Promise<TopicRoute>;

  listTopics(): Promise<TopicRoute[]>;

  /**
   * updateTopic changes a topic's accepted message type and/or grows its queue count (on every
   * placement); fields left undefined stay as they are. Throws TOPIC_NOT_FOUND for an unknown
   * topic and BAD_REQUEST for a shrinking or out-of-range queue count.
   */
  updateTopic(name: string, update: TopicUpdate): Promise<TopicRoute>;

  /** deleteTopic removes a topic's metadata; returns false when it did not exist. */
  deleteTopic(name: string): Promise<boolean>;

  /** getGroup returns a consumer group's configuration, or undefined when it was never created. */
  getGroup(name: string): Promise<ConsumerGroupConfig | undefined>;

  /**
   * upsertGroup creates a consumer group or replaces its configuration, persisted before it
   * returns the stored configuration. Throws BAD_REQUEST when the configuration is invalid
   * (see consumerGroupConfigProblem).
   */
  upsertGroup(config: ConsumerGroupConfig, options?: UpsertGroupOptions): Promise<ConsumerGroupConfig>;

  /** listGroups returns every created consumer group, by name. */
  listGroups(): Promise<ConsumerGroupConfig[]>;

  /** deleteGroup removes a consumer group's configuration; returns false when it did not exist. */
  deleteGroup(name: string): Promise<boolean>;

  listStoreNodes(): Promise<StoreNodeInfo[]>;

  /**
   * getClusterIdentity returns what every proxy of the cluster must share, notably the key
   * that makes receipt handles tamper-evident, so a handle issued by one proxy is accepted by
   * another.
   */
  getClusterIdentity(): Promise<ClusterIdentity>;
}

export interface StoreNodeHeartbeat {
  name: string;
  /** address is host:port of the node's internal store service ('' when in-process). */
  address: string;
}

export interface StoreNodeHeartbeatResult {
  heartbeatIntervalMs: number;
}

export interface StoreNodeInfo {
  name: string;
  address: string;
  live: boolean;
  lastHeartbeatMs: number;
}

export interface CreateTopicRequest {
  name: string;
  messageType: TopicMessageType;
  queueCount: number;
}

/** TopicUpdate lists what updateTopic changes; an undefined field is left as it is. */
export interface TopicUpdate {
  messageType?: TopicMessageType;
  /** queueCount may only grow: queues are never taken away from a topic that may hold messages in them. */
  queueCount?: number;
}

/** TopicPlacement says a store node holds queues 0..queueCount-1 of a topic. */
export interface TopicPlacement {
  storeNode: string;
  address: string;
  queueCount: number;
  live: boolean;
}

export interface TopicRoute {
  name: string;
  messageType: TopicMessageType;
  placements: TopicPlacement[];
}

export interface ClusterIdentity {
  clusterName: string;
  /** receiptHandleKey is 32 random bytes, base64. */
  receiptHandleKey: string;
  /** autoCreateTopics says whether a send or route query for an unknown topic creates it (NORMAL). */
  autoCreateTopics: boolean;
  /** defaultQueueCount is the queue count per store node of auto-created topics. */
  defaultQueueCount: number;
  /** defaultStartPolicy is where a group that names no start policy starts on queues it never consumed (never TIMESTAMP). */
  defaultStartPolicy: StartPolicy;
}

export interface UpsertGroupOptions {
  /** createOnly leaves an existing group as it is and returns it: the first sight of a group, racing other proxies. */
  createOnly?: boolean;
}
