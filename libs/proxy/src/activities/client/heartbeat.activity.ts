import type { ProxyContext } from '../../context';
import { storedName } from '../../converters/resources';
import type { ProxyServices } from '../../processor/proxy-services';
import { ok } from '../../status';
import type { HeartbeatRequest, HeartbeatResponse, NotifyClientTerminationRequest, NotifyClientTerminationResponse } from '../../wire';

/** Heartbeat marks the client alive and always answers OK (Java un-isolates an endpoint only on OK). */
export async function heartbeat(services: ProxyServices, request: HeartbeatRequest, context: ProxyContext): Promise<HeartbeatResponse> {
  services.clients.touch(context.clientId, request.clientType, request.group ? storedName(request.group, context) : '');
  return { status: ok() };
}

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
