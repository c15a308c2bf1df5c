import { deadLetterTopicOf } from '@quiver/protocol';
import type { ProxyContext } from '../../context';
import type { ProxyServices } from '../../processor/proxy-services';
import { ok } from '../../status';
import type { ForwardMessageToDeadLetterQueueRequest, ForwardMessageToDeadLetterQueueResponse } from '../../wire';
import { validatedTopic } from '../route/query-route.activity';
import { DEAD_LETTER_QUEUE_COUNT, resolveHandle, storeOf, validatedGroup } from './consumer-common';

/** ForwardMessageToDeadLetterQueue: copy the message to `%DLQ%<group>` on its store node, then ack it. */
export async function forwardMessageToDeadLetterQueue(
  services: ProxyServices,
  request: ForwardMessageToDeadLetterQueueRequest,
  context: ProxyContext,
): Promise<ForwardMessageToDeadLetterQueueResponse> {
  const group = validatedGroup(request.group, context);
  const topic = validatedTopic(request.topic, context);
  const handle = await resolveHandle(services, request.receiptHandle, group, topic);
  const deadLetterTopic = deadLetterTopicOf(group);
  await services.routes.ensureTopic(deadLetterTopic, DEAD_LETTER_QUEUE_COUNT);
  const store = await storeOf(services, handle.storeNode);
  services.autoRenewer.forget(group, topic, handle.storeNode, handle);
  await store.forwardToDeadLetterQueue({
    group,
    topic,
    queueId: handle.queueId,
    offset: handle.offset,
    popGeneration: handle.popGeneration,
    deadLetterTopic,
  });
  return { status: ok() };
}
