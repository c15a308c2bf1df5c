import { TopicMessageType } from '@quiver/core';
import { nameServerV1 } from '@quiver/protocol';
import type {
  ClusterIdentity,
  CreateTopicRequest,
  StoreNodeHeartbeat,
  StoreNodeHeartbeatResult,
  StoreNodeInfo,
  TopicPlacement,
  TopicRoute,
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
 *   GetTopicResponse => route?   (unset: the topic does not exist)
 *   every request   => ...fields epoch(15) = 0 (reserved for fencing, ignored by servers)
 *
 * Decoding rejects an unknown message type or a missing route/identity with BAD_REQUEST.
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
  };
}

export function clusterIdentityFromWire(wire: nameServerV1.ClusterIdentity): ClusterIdentity {
  return {
    clusterName: wire.clusterName,
    receiptHandleKey: wire.receiptHandleKey,
    autoCreateTopics: wire.autoCreateTopics,
    defaultQueueCount: wire.defaultQueueCount,
  };
}

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
