import { nameServerV1 } from '@quiver/protocol';
import type { ConsumerGroupConfig } from '../consumer-group';
import type {
  ClusterIdentity,
  CreateTopicRequest,
  NameServerService,
  StoreNodeHeartbeat,
  StoreNodeHeartbeatResult,
  StoreNodeInfo,
  TopicRoute,
  TopicUpdate,
  UpsertGroupOptions,
} from '../name-server-service';
import { checkedDurationMs, InternalCaller, type GrpcClientOptions } from './internal-caller';
import { callTimeoutMsDefault } from './limits';
import {
  clusterIdentityResponseFromWire,
  consumerGroupFromWire,
  createTopicRequestToWire,
  createTopicResponseFromWire,
  getGroupResponseFromWire,
  getTopicResponseFromWire,
  updateTopicRequestToWire,
  updateTopicResponseFromWire,
  upsertGroupRequestToWire,
  upsertGroupResponseFromWire,
  heartbeatRequestToWire,
  heartbeatResultFromWire,
  storeNodeInfoFromWire,
  topicRouteFromWire,
} from './name-server-service.converter';
import { epochUnfenced } from './store-service.converter';

/** GrpcNameServerClientOptions configure a GrpcNameServerClient. */
export type GrpcNameServerClientOptions = GrpcClientOptions;

const service = nameServerV1.NameServerServiceService;

/**
 * GrpcNameServerClient is the NameServerService of a remote name server, over
 * quiver.nameserver.v1.NameServerService: one channel to `address` (host:port). It behaves as
 * the local name server does, errors included; a name server that cannot be reached is a
 * retriable STORE_UNAVAILABLE (the catalog has no code of its own for it), one that does not
 * answer in time a STORE_TIMEOUT.
 */
export class GrpcNameServerClient implements NameServerService {
  private readonly caller: InternalCaller;
  private readonly callTimeoutMs: number;

  constructor(
    readonly address: string,
    options: GrpcNameServerClientOptions = {},
  ) {
    this.callTimeoutMs = checkedDurationMs('callTimeoutMs', options.callTimeoutMs ?? callTimeoutMsDefault);
    this.caller = new InternalCaller(address, options);
  }

  heartbeatStoreNode(request: StoreNodeHeartbeat): Promise<StoreNodeHeartbeatResult> {
    return this.caller.call(service.heartbeatStoreNode, heartbeatRequestToWire(request), heartbeatResultFromWire, this.callTimeoutMs);
  }

  getTopic(name: string): Promise<TopicRoute | undefined> {
    return this.caller.call(service.getTopic, { name, epoch: epochUnfenced }, getTopicResponseFromWire, this.callTimeoutMs);
  }

  createTopic(request: CreateTopicRequest): Promise<TopicRoute> {
    return this.caller.call(service.createTopic, createTopicRequestToWire(request), createTopicResponseFromWire, this.callTimeoutMs);
  }

  listTopics(): Promise<TopicRoute[]> {
    return this.caller.call(service.listTopics, { epoch: epochUnfenced }, (response) => response.routes.map(topicRouteFromWire), this.callTimeoutMs);
  }

  updateTopic(name: string, update: TopicUpdate): Promise<TopicRoute> {
    return this.caller.call(service.updateTopic, updateTopicRequestToWire(name, update), updateTopicResponseFromWire, this.callTimeoutMs);
  }

  deleteTopic(name: string): Promise<boolean> {
    return this.caller.call(service.deleteTopic, { name, epoch: epochUnfenced }, (response) => response.deleted, this.callTimeoutMs);
  }

  getGroup(name: string): Promise<ConsumerGroupConfig | undefined> {
    return this.caller.call(service.getGroup, { name, epoch: epochUnfenced }, getGroupResponseFromWire, this.callTimeoutMs);
  }

  upsertGroup(config: ConsumerGroupConfig, options?: UpsertGroupOptions): Promise<ConsumerGroupConfig> {
    return this.caller.call(service.upsertGroup, upsertGroupRequestToWire(config, options), upsertGroupResponseFromWire, this.callTimeoutMs);
  }

  listGroups(): Promise<ConsumerGroupConfig[]> {
    return this.caller.call(service.listGroups, { epoch: epochUnfenced }, (response) => response.groups.map(consumerGroupFromWire), this.callTimeoutMs);
  }

  deleteGroup(name: string): Promise<boolean> {
    return this.caller.call(service.deleteGroup, { name, epoch: epochUnfenced }, (response) => response.deleted, this.callTimeoutMs);
  }

  listStoreNodes(): Promise<StoreNodeInfo[]> {
    return this.caller.call(
      service.listStoreNodes,
      { epoch: epochUnfenced },
      (response) => response.storeNodes.map(storeNodeInfoFromWire),
      this.callTimeoutMs,
    );
  }

  getClusterIdentity(): Promise<ClusterIdentity> {
    return this.caller.call(service.getClusterIdentity, { epoch: epochUnfenced }, clusterIdentityResponseFromWire, this.callTimeoutMs);
  }

  /** close closes the channel; later calls reject with CLOSED. Idempotent. */
  close(): void {
    this.caller.close();
  }
}
