import { limits } from '@quiver/config';
import { durationToMs } from '@quiver/protocol';
import type { ProxyContext } from '../../context';
import type { ProxyServices } from '../../processor/proxy-services';
import { ok, ProxyFailure } from '../../status';
import { Code, type ChangeInvisibleDurationRequest, type ChangeInvisibleDurationResponse } from '../../wire';
import { validatedTopic } from '../route/query-route.activity';
import { resolveHandle, storeOf, validatedGroup } from './consumer-common';

/**
 * ChangeInvisibleDuration: 0 ms to 12 h (Node push consumers nack with 0 or a few ms). The
 * message gets a new generation, so the reply carries a new handle and the old one goes stale.
 */
export async function changeInvisibleDuration(
  services: ProxyServices,
  request: ChangeInvisibleDurationRequest,
  context: ProxyContext,
): Promise<ChangeInvisibleDurationResponse> {
  const group = validatedGroup(request.group, context);
  const topic = validatedTopic(request.topic, context);
  const durationMs = request.invisibleDuration ? durationToMs(request.invisibleDuration) : NaN;
  if (!(durationMs >= 0 && durationMs <= limits.invisibleDurationMsMax)) {
    throw new ProxyFailure(Code.ILLEGAL_INVISIBLE_TIME, `invisible duration must be 0 to ${limits.invisibleDurationMsMax} ms`);
  }
  const handle = await resolveHandle(services, request.receiptHandle, group, topic);
  const store = await storeOf(services, handle.storeNode);
  // The client takes over this hand-out's visibility (a push consumer's nack).
  services.autoRenewer.forget(group, topic, handle.storeNode, handle);
  const changed = await store.changeInvisibleDuration({
    group,
    topic,
    queueId: handle.queueId,
    offset: handle.offset,
    popGeneration: handle.popGeneration,
    invisibleDurationMs: durationMs,
  });
  const codec = await services.handles();
  const receiptHandle = codec.encode(
    { ...handle, popGeneration: changed.popGeneration, invisibleUntilMs: changed.invisibleUntilMs, autoRenew: false },
    group,
    topic,
  );
  return { status: ok(), receiptHandle };
}
