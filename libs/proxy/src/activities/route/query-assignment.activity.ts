import { validateConsumerGroupName } from '@quiver/protocol';
import type { ProxyContext } from '../../context';
import { namespaceOf, wireResource } from '../../converters/resources';
import type { ProxyServices } from '../../processor/proxy-services';
import { ok, ProxyFailure, status } from '../../status';
import { Code, Permission, type QueryAssignmentRequest, type QueryAssignmentResponse } from '../../wire';
import { validatedTopic } from './query-route.activity';

/**
 * QueryAssignment (push consumers): one assignment per store node with queue id -1. Balancing
 * happens per message when popping, so every consumer of a group gets every store node.
 */
export async function queryAssignment(
  services: ProxyServices,
  request: QueryAssignmentRequest,
  context: ProxyContext,
): Promise<QueryAssignmentResponse> {
  const topic = validatedTopic(request.topic, context);
  const groupProblem = validateConsumerGroupName(request.group?.name ?? '');
  if (groupProblem) throw new ProxyFailure(groupProblem.code, groupProblem.message);
  const route = await services.routes.routeOrCreate(topic, true);
  const endpoints = services.endpointsFor(request.endpoints);
  const wireTopic = wireResource(topic, namespaceOf(request.topic, context));
  const assignments = route.placements
    .filter((placement) => placement.live)
    .map((placement) => ({
      messageQueue: {
        topic: wireTopic,
        id: -1,
        permission: Permission.READ_WRITE,
        broker: { name: placement.storeNode, id: 0, endpoints },
        acceptMessageTypes: [],
      },
    }));
  if (assignments.length === 0) {
    return { status: status(Code.FORBIDDEN, 'no readable queue'), assignments: [] };
  }
  return { status: ok(), assignments };
}
