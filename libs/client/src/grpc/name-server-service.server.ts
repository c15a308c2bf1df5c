import type { Server } from '@grpc/grpc-js';
import { nameServerV1 } from '@quiver/protocol';
import type { NameServerService } from '../name-server-service';
import {
  clusterIdentityToWire,
  consumerGroupToWire,
  createTopicRequestFromWire,
  getGroupResponseToWire,
  getTopicResponseToWire,
  updateTopicRequestFromWire,
  upsertGroupRequestFromWire,
  heartbeatRequestFromWire,
  heartbeatResultToWire,
  storeNodeInfoToWire,
  topicRouteToWire,
} from './name-server-service.converter';
import { internalUnary, serveDepsOf, type InternalServeOptions } from './server-adapter';

/**
 * serveNameServerService registers quiver.nameserver.v1.NameServerService on `server`, backed
 * by `nameServer` (the name server's local implementation). Each RPC decodes, calls, encodes;
 * a thrown QuiverError reaches the caller as the same QuiverError (see error-transport.ts).
 */
export function serveNameServerService(server: Server, nameServer: NameServerService, options: InternalServeOptions = {}): void {
  const deps = serveDepsOf(options);
  const service = nameServerV1.NameServerServiceService;
  const implementation: nameServerV1.NameServerServiceServer = {
    heartbeatStoreNode: internalUnary(service.heartbeatStoreNode.path, deps, async (request: nameServerV1.HeartbeatStoreNodeRequest) =>
      heartbeatResultToWire(await nameServer.heartbeatStoreNode(heartbeatRequestFromWire(request))),
    ),
    getTopic: internalUnary(service.getTopic.path, deps, async (request: nameServerV1.GetTopicRequest) =>
      getTopicResponseToWire(await nameServer.getTopic(request.name)),
    ),
    createTopic: internalUnary(
      service.createTopic.path,
      deps,
      async (request: nameServerV1.CreateTopicRequest): Promise<nameServerV1.CreateTopicResponse> => ({
        route: topicRouteToWire(await nameServer.createTopic(createTopicRequestFromWire(request))),
      }),
    ),
    listTopics: internalUnary(
      service.listTopics.path,
      deps,
      async (): Promise<nameServerV1.ListTopicsResponse> => ({ routes: (await nameServer.listTopics()).map(topicRouteToWire) }),
    ),
    updateTopic: internalUnary(
      service.updateTopic.path,
      deps,
      async (request: nameServerV1.UpdateTopicRequest): Promise<nameServerV1.UpdateTopicResponse> => {
        const { name, update } = updateTopicRequestFromWire(request);
        return { route: topicRouteToWire(await nameServer.updateTopic(name, update)) };
      },
    ),
    getGroup: internalUnary(service.getGroup.path, deps, async (request: nameServerV1.GetGroupRequest) =>
      getGroupResponseToWire(await nameServer.getGroup(request.name)),
    ),
    upsertGroup: internalUnary(
      service.upsertGroup.path,
      deps,
      async (request: nameServerV1.UpsertGroupRequest): Promise<nameServerV1.UpsertGroupResponse> => ({
        group: consumerGroupToWire(await nameServer.upsertGroup(upsertGroupRequestFromWire(request), { createOnly: request.createOnly })),
      }),
    ),
    listGroups: internalUnary(
      service.listGroups.path,
      deps,
      async (): Promise<nameServerV1.ListGroupsResponse> => ({ groups: (await nameServer.listGroups()).map(consumerGroupToWire) }),
    ),
    deleteGroup: internalUnary(
      service.deleteGroup.path,
      deps,
      async (request: nameServerV1.DeleteGroupRequest): Promise<nameServerV1.DeleteGroupResponse> => ({
        deleted: await nameServer.deleteGroup(request.name),
      }),
    ),
    deleteTopic: internalUnary(
      service.deleteTopic.path,
      deps,
      async (request: nameServerV1.DeleteTopicRequest): Promise<nameServerV1.DeleteTopicResponse> => ({
        deleted: await nameServer.deleteTopic(request.name),
      }),
    ),
    listStoreNodes: internalUnary(
      service.listStoreNodes.path,
      deps,
      async (): Promise<nameServerV1.ListStoreNodesResponse> => ({ storeNodes: (await nameServer.listStoreNodes()).map(storeNodeInfoToWire) }),
    ),
    getClusterIdentity: internalUnary(
      service.getClusterIdentity.path,
      deps,
      async (): Promise<nameServerV1.GetClusterIdentityResponse> => ({ identity: clusterIdentityToWire(await nameServer.getClusterIdentity()) }),
    ),
  };
  server.addService(service, implementation);
}
