import type { ProxyContext } from '../../context';
import { namespaceOf, wireResource } from '../../converters/resources';
import type { ProxyServices } from '../../processor/proxy-services';
import { ok, status } from '../../status';
import { Code, Permission, type QueryAssignmentRequest, type QueryAssignmentResponse } from '../../wire';
import { validatedTopic } from './query-route.activity';
import { validatedGroup } from '../consumer/consumer-common';

/**
 * QueryAssignment (push consumers): every consumer of a group gets every store node, since
 * balancing happens per message when popping.
 */
export async function queryAssignment(
  services: ProxyServices,
  request: QueryAssignmentRequest,
  context: ProxyContext,
): Promise<QueryAssignmentResponse> {
  const topic = validatedTopic(request.topic, context);
  const group = validatedGroup(request.group, context);
  const [route, groupConfig] = await Promise.all([services.routes.routeOrCreate(topic, true), services.groups.config(group)]);
  // A FIFO group gets one assignment per queue (one receive loop each, consumed in order by the
  // client); other groups one per store node with queue id -1 (balancing happens per message).
  const queueIdsOf = (queueCount: number): number[] => (groupConfig.fifo ? Array.from({ length: queueCount }, (_, id) => id) : [-1]);
  const endpoints = services.endpointsFor(request.endpoints);
  const wireTopic = wireResource(topic, namespaceOf(request.topic, context));
  const assignments = route.placements
    .filter((placement) => placement.live)
    .flatMap((placement) =>
      queueIdsOf(placement.queueCount).map((id) => ({
        messageQueue: {
          topic: wireTopic,
          id,
          permission: Permission.READ_WRITE,
          broker: { name: placement.storeNode, id: 0, endpoints },
          acceptMessageTypes: [],
        },
      })),
    );
  if (assignments.length === 0) {
    return { status: status(Code.FORBIDDEN, 'no readable queue'), assignments: [] };
  }
  return { status: ok(), assignments };
}
