import { StartPolicy, TopicMessageType } from '@quiver/core';
import { nameServerV1 } from '@quiver/protocol';
import { RetryPolicyKind, type ConsumerGroupConfig, type RetryPolicy } from '../consumer-group';
import type { UpsertGroupOptions } from '../name-server-service';
import type {
  ClusterIdentity,
  CreateTopicRequest,
  StoreNodeHeartbeat,
  StoreNodeHeartbeatResult,
  StoreNodeInfo,
  TopicPlacement,
  TopicRoute,
  TopicUpdate,
} from '../name-server-service';
import { epochUnfenced } from './store-service.converter';
import { decodedEnum, present, reverseTable } from './wire-decoding';

/**
 * Converters between the NameServerService model (`../name-server-service`) and
 * quiver.nameserver.v1 (protos/quiver/nameserver/v1/nameserver.proto). The wire shapes:
 *
 *   StoreNodeInfo   => name address live last_heartbeat_ms
 *   TopicPlacement  => store_node address queue_count live
 *   TopicRoute      => name message_type [placements]
 *   ClusterIdentity => cluster_name receipt_handle_key auto_create_topics default_queue_count
 *   ConsumerGroupConfig => name fifo max_delivery_attempts (exponential{initial_ms max_ms multiplier} | customized{[next_ms]})
 *   GetTopicResponse => route?   (unset: the topic does not exist)
 *   GetGroupResponse => group?   (unset: the group was never created)
 *   UpdateTopicRequest => name message_type (UNSPECIFIED: unchanged) queue_count (0: unchanged)
 *   every request   => ...fields epoch(15) = 0 (reserved for fencing, ignored by servers)
 *
 * Decoding rejects an unknown message type or a missing route/identity/group/retry policy
 * with BAD_REQUEST.
 */

const protoPackage = 'quiver.nameserver.v1';

const wireMessageTypeOf: Readonly<Record<TopicMessageType, nameServerV1.TopicMessageType>> = {
  [TopicMessageType.Normal]: nameServerV1.TopicMessageType.TOPIC_MESSAGE_TYPE_NORMAL,
  [TopicMessageType.Fifo]: nameServerV1.TopicMessageType.TOPIC_MESSAGE_TYPE_FIFO,
  [TopicMessageType.Delay]: nameServerV1.TopicMessageType.TOPIC_MESSAGE_TYPE_DELAY,
  [TopicMessageType.Transaction]: nameServerV1.TopicMessageType.TOPIC_MESSAGE_TYPE_TRANSACTION,
  [TopicMessageType.Mixed]: nameServerV1.TopicMessageType.TOPIC_MESSAGE_TYPE_MIXED,
};
const messageTypeOfWire = reverseTable(wireMessageTypeOf);

function messageTypeFromWire(wire: nameServerV1.TopicMessageType): TopicMessageType {
  return decodedEnum(messageTypeOfWire, wire, protoPackage, 'message_type');
}

export function storeNodeInfoToWire(info: StoreNodeInfo): nameServerV1.StoreNodeInfo {
  return { name: info.name, address: info.address, live: info.live, lastHeartbeatMs: info.lastHeartbeatMs };
}

export function storeNodeInfoFromWire(wire: nameServerV1.StoreNodeInfo): StoreNodeInfo {
  return { name: wire.name, address: wire.address, live: wire.live, lastHeartbeatMs: wire.lastHeartbeatMs };
}

function placementToWire(placement: TopicPlacement): nameServerV1.TopicPlacement {
  return { storeNode: placement.storeNode, address: placement.address, queueCount: placement.queueCount, live: placement.live };
}

function placementFromWire(wire: nameServerV1.TopicPlacement): TopicPlacement {
  return { storeNode: wire.storeNode, address: wire.address, queueCount: wire.queueCount, live: wire.live };
}

export function topicRouteToWire(route: TopicRoute): nameServerV1.TopicRoute {
  return { name: route.name, messageType: wireMessageTypeOf[route.messageType], placements: route.placements.map(placementToWire) };
}

export function topicRouteFromWire(wire: nameServerV1.TopicRoute): TopicRoute {
  return { name: wire.name, messageType: messageTypeFromWire(wire.messageType), placements: wire.placements.map(placementFromWire) };
}

export function clusterIdentityToWire(identity: ClusterIdentity): nameServerV1.ClusterIdentity {
  return {
    clusterName: identity.clusterName,
    receiptHandleKey: identity.receiptHandleKey,
    autoCreateTopics: identity.autoCreateTopics,
    defaultQueueCount: identity.defaultQueueCount,
    defaultStartPolicy: wireGroupStartPolicyOf[identity.defaultStartPolicy],
  };
}

export function clusterIdentityFromWire(wire: nameServerV1.ClusterIdentity): ClusterIdentity {
  return {
    clusterName: wire.clusterName,
    receiptHandleKey: wire.receiptHandleKey,
    autoCreateTopics: wire.autoCreateTopics,
    defaultQueueCount: wire.defaultQueueCount,
    // A name server from before start policies had groups start at the earliest offset.
    defaultStartPolicy:
      wire.defaultStartPolicy === nameServerV1.GroupStartPolicy.GROUP_START_POLICY_UNSPECIFIED
        ? StartPolicy.Earliest
        : decodedEnum(groupStartPolicyOfWire, wire.defaultStartPolicy, protoPackage, 'default_start_policy'),
  };
}

const wireGroupStartPolicyOf: Readonly<Record<StartPolicy, nameServerV1.GroupStartPolicy>> = {
  [StartPolicy.Latest]: nameServerV1.GroupStartPolicy.GROUP_START_POLICY_LATEST,
  [StartPolicy.Earliest]: nameServerV1.GroupStartPolicy.GROUP_START_POLICY_EARLIEST,
  [StartPolicy.Timestamp]: nameServerV1.GroupStartPolicy.GROUP_START_POLICY_TIMESTAMP,
  [StartPolicy.YoungEarliest]: nameServerV1.GroupStartPolicy.GROUP_START_POLICY_YOUNG_EARLIEST,
};
const groupStartPolicyOfWire = reverseTable(wireGroupStartPolicyOf);

// heartbeatStoreNode

export function heartbeatRequestToWire(heartbeat: StoreNodeHeartbeat): nameServerV1.HeartbeatStoreNodeRequest {
  return { name: heartbeat.name, address: heartbeat.address, epoch: epochUnfenced };
}

export function heartbeatRequestFromWire(wire: nameServerV1.HeartbeatStoreNodeRequest): StoreNodeHeartbeat {
  return { name: wire.name, address: wire.address };
}

export function heartbeatResultToWire(result: StoreNodeHeartbeatResult): nameServerV1.HeartbeatStoreNodeResponse {
  return { heartbeatIntervalMs: result.heartbeatIntervalMs };
}

export function heartbeatResultFromWire(wire: nameServerV1.HeartbeatStoreNodeResponse): StoreNodeHeartbeatResult {
  return { heartbeatIntervalMs: wire.heartbeatIntervalMs };
}

// getTopic

export function getTopicResponseToWire(route: TopicRoute | undefined): nameServerV1.GetTopicResponse {
  return route === undefined ? {} : { route: topicRouteToWire(route) };
}

export function getTopicResponseFromWire(wire: nameServerV1.GetTopicResponse): TopicRoute | undefined {
  return wire.route === undefined ? undefined : topicRouteFromWire(wire.route);
}

// createTopic

export function createTopicRequestToWire(request: CreateTopicRequest): nameServerV1.CreateTopicRequest {
  return { name: request.name, messageType: wireMessageTypeOf[request.messageType], queueCount: request.queueCount, epoch: epochUnfenced };
}

export function createTopicRequestFromWire(wire: nameServerV1.CreateTopicRequest): CreateTopicRequest {
  return { name: wire.name, messageType: messageTypeFromWire(wire.messageType), queueCount: wire.queueCount };
}

export function createTopicResponseFromWire(wire: nameServerV1.CreateTopicResponse): TopicRoute {
  return topicRouteFromWire(present(wire.route, protoPackage, 'route'));
}

// getClusterIdentity

export function clusterIdentityResponseFromWire(wire: nameServerV1.GetClusterIdentityResponse): ClusterIdentity {
  return clusterIdentityFromWire(present(wire.identity, protoPackage, 'identity'));
}

// updateTopic

export function updateTopicRequestToWire(name: string, update: TopicUpdate): nameServerV1.UpdateTopicRequest {
  return {
    name,
    messageType: update.messageType === undefined ? nameServerV1.TopicMessageType.TOPIC_MESSAGE_TYPE_UNSPECIFIED : wireMessageTypeOf[update.messageType],
    queueCount: update.queueCount ?? 0,
    epoch: epochUnfenced,
  };
}

export function updateTopicRequestFromWire(wire: nameServerV1.UpdateTopicRequest): { name: string; update: TopicUpdate } {
  const update: TopicUpdate = {};
  if (wire.messageType !== nameServerV1.TopicMessageType.TOPIC_MESSAGE_TYPE_UNSPECIFIED) update.messageType = messageTypeFromWire(wire.messageType);
  if (wire.queueCount !== 0) update.queueCount = wire.queueCount;
  return { name: wire.name, update };
}

export function updateTopicResponseFromWire(wire: nameServerV1.UpdateTopicResponse): TopicRoute {
  return topicRouteFromWire(present(wire.route, protoPackage, 'route'));
}

// consumer groups

function retryPolicyToWire(policy: RetryPolicy): nameServerV1.ConsumerGroupConfig['retryPolicy'] {
  return policy.kind === RetryPolicyKind.Exponential
    ? { $case: 'exponential', value: { initialMs: policy.initialMs, maxMs: policy.maxMs, multiplier: policy.multiplier } }
    : { $case: 'customized', value: { nextMs: [...policy.nextMs] } };
}

function retryPolicyFromWire(wire: nameServerV1.ConsumerGroupConfig['retryPolicy']): RetryPolicy {
  const policy = present(wire, protoPackage, 'retry_policy');
  return policy.$case === 'exponential'
    ? { kind: RetryPolicyKind.Exponential, initialMs: policy.value.initialMs, maxMs: policy.value.maxMs, multiplier: policy.value.multiplier }
    : { kind: RetryPolicyKind.Customized, nextMs: [...policy.value.nextMs] };
}

export function consumerGroupToWire(config: ConsumerGroupConfig): nameServerV1.ConsumerGroupConfig {
  return {
    name: config.name,
    fifo: config.fifo,
    maxDeliveryAttempts: config.maxDeliveryAttempts,
    retryPolicy: retryPolicyToWire(config.retryPolicy),
    startPolicy: config.startPolicy !== undefined ? wireGroupStartPolicyOf[config.startPolicy] : nameServerV1.GroupStartPolicy.GROUP_START_POLICY_UNSPECIFIED,
    startTimestampMs: config.startTimestampMs ?? 0,
    createdAtMs: config.createdAtMs ?? 0,
  };
}

export function consumerGroupFromWire(wire: nameServerV1.ConsumerGroupConfig): ConsumerGroupConfig {
  const config: ConsumerGroupConfig = {
    name: wire.name,
    fifo: wire.fifo,
    maxDeliveryAttempts: wire.maxDeliveryAttempts,
    retryPolicy: retryPolicyFromWire(wire.retryPolicy),
  };
  if (wire.startPolicy !== nameServerV1.GroupStartPolicy.GROUP_START_POLICY_UNSPECIFIED) {
    config.startPolicy = decodedEnum(groupStartPolicyOfWire, wire.startPolicy, protoPackage, 'start_policy');
  }
  if (config.startPolicy === StartPolicy.Timestamp) config.startTimestampMs = wire.startTimestampMs;
  if (wire.createdAtMs > 0) config.createdAtMs = wire.createdAtMs;
  return config;
}

export function getGroupResponseToWire(config: ConsumerGroupConfig | undefined): nameServerV1.GetGroupResponse {
  return config === undefined ? {} : { group: consumerGroupToWire(config) };
}

export function getGroupResponseFromWire(wire: nameServerV1.GetGroupResponse): ConsumerGroupConfig | undefined {
  return wire.group === undefined ? undefined : consumerGroupFromWire(wire.group);
}

export function upsertGroupRequestToWire(config: ConsumerGroupConfig, options: UpsertGroupOptions = {}): nameServerV1.UpsertGroupRequest {
  return { group: consumerGroupToWire(config), createOnly: options.createOnly === true, epoch: epochUnfenced };
}

export function upsertGroupRequestFromWire(wire: nameServerV1.UpsertGroupRequest): ConsumerGroupConfig {
  return consumerGroupFromWire(present(wire.group, protoPackage, 'group'));
}

export function upsertGroupResponseFromWire(wire: nameServerV1.UpsertGroupResponse): ConsumerGroupConfig {
  return consumerGroupFromWire(present(wire.group, protoPackage, 'group'));
}
