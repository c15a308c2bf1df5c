import type { ProxyContext } from '../../context';
import { storedName } from '../../converters/resources';
import type { ProxyServices } from '../../processor/proxy-services';
import { ok } from '../../status';
import { validateConsumerGroupName } from '@quiver/protocol';
import { ClientType, type HeartbeatRequest, type HeartbeatResponse, type NotifyClientTerminationRequest, type NotifyClientTerminationResponse } from '../../wire';

/**
 * Heartbeat marks the client alive and always answers OK (Java un-isolates an endpoint only on
 * OK). A consumer's group seen for the first time is recorded: from then on it gets what is sent.
 */
export async function heartbeat(services: ProxyServices, request: HeartbeatRequest, context: ProxyContext): Promise<HeartbeatResponse> {
  const group = request.group?.name ? storedName(request.group, context) : '';
  services.clients.touch(context.clientId, request.clientType, group);
  if (group !== '' && CONSUMER_TYPES.has(request.clientType) && validateConsumerGroupName(request.group?.name ?? '') === undefined) {
    try {
      await services.groups.known(group);
    } catch (error) {
      services.logger.warn({ err: error, group }, 'heartbeat: could not record the consumer group; its settings or first receive will');
    }
  }
  return { status: ok() };
}

const CONSUMER_TYPES: ReadonlySet<ClientType> = new Set([ClientType.PUSH_CONSUMER, ClientType.SIMPLE_CONSUMER, ClientType.PULL_CONSUMER]);

/**
 * NotifyClientTermination forgets the client and releases the messages held for it (they return
 * about a second later); Node awaits it in shutdown(), so it always answers OK.
 */
export async function notifyClientTermination(
  services: ProxyServices,
  _request: NotifyClientTerminationRequest,
  context: ProxyContext,
): Promise<NotifyClientTerminationResponse> {
  services.clients.remove(context.clientId);
  await services.autoRenewer.releaseClient(context.clientId);
  return { status: ok() };
}
