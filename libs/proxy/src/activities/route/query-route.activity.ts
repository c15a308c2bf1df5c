import { TopicMessageType } from '@quiver/core';
import type { TopicRoute } from '@quiver/client';
import { validateTopicName } from '@quiver/protocol';
import type { ProxyContext } from '../../context';
import { namespaceOf, storedName, wireResource } from '../../converters/resources';
import type { ProxyServices } from '../../processor/proxy-services';
import { ok, ProxyFailure } from '../../status';
import { MessageType, Permission, type MessageQueue, type QueryRouteRequest, type QueryRouteResponse, type Endpoints } from '../../wire';

const ACCEPTED_TYPES: Record<TopicMessageType, MessageType[]> = {
  [TopicMessageType.Normal]: [MessageType.NORMAL],
  [TopicMessageType.Fifo]: [MessageType.FIFO],
  [TopicMessageType.Delay]: [MessageType.DELAY],
  [TopicMessageType.Transaction]: [MessageType.TRANSACTION],
  [TopicMessageType.Mixed]: [MessageType.NORMAL, MessageType.FIFO, MessageType.DELAY, MessageType.TRANSACTION],
};

export function acceptedMessageTypes(type: TopicMessageType): MessageType[] {
  return ACCEPTED_TYPES[type];
}

/** validatedTopic checks a client-named topic and returns its stored name; throws ProxyFailure. */
export function validatedTopic(resource: { name: string; resourceNamespace: string } | undefined, context: ProxyContext): string {
  const problem = validateTopicName(resource?.name ?? '');
  if (problem) throw new ProxyFailure(problem.code, problem.message);
  return storedName(resource, context);
}

/**
 * QueryRoute: queues 0..N-1 of every store node holding the topic, all READ_WRITE with broker
 * id 0 (Node keeps only queue id 0, Java only broker id 0), reachable through this proxy tier.
 */
export async function queryRoute(services: ProxyServices, request: QueryRouteRequest, context: ProxyContext): Promise<QueryRouteResponse> {
  const topic = validatedTopic(request.topic, context);
  const route = await services.routes.routeOrCreate(topic, true);
  const endpoints = services.endpointsFor(request.endpoints);
  return { status: ok(), messageQueues: routeQueues(route, wireResource(topic, namespaceOf(request.topic, context)), endpoints) };
}

function routeQueues(route: TopicRoute, topic: { name: string; resourceNamespace: string }, endpoints: Endpoints): MessageQueue[] {
  const queues: MessageQueue[] = [];
  for (const placement of route.placements) {
    for (let id = 0; id < placement.queueCount; id++) {
      queues.push({
        topic,
        id,
        permission: Permission.READ_WRITE,
        broker: { name: placement.storeNode, id: 0, endpoints },
        acceptMessageTypes: acceptedMessageTypes(route.messageType),
      });
    }
  }
  return queues;
}
