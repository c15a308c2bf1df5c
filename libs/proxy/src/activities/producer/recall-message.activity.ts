import { isQuiverError, QuiverErrorCode, TopicMessageType } from '@quiver/core';
import type { ProxyContext } from '../../context';
import type { ProxyServices } from '../../processor/proxy-services';
import { ok, ProxyFailure } from '../../status';
import { Code, type RecallMessageRequest, type RecallMessageResponse } from '../../wire';
import { storeOf } from '../consumer/consumer-common';
import { validatedTopic } from '../route/query-route.activity';

/**
 * RecallMessage (PROTOCOL.md 6.10, 7.11): cancel a delay message that is not delivered yet, by
 * the recall handle its send returned. Answers MESSAGE_PROPERTY_CONFLICT_WITH_TYPE when the topic
 * takes no delay messages, BAD_REQUEST for a malformed handle or one of another topic, NOT_FOUND
 * when the message was delivered or recalled already.
 */
export async function recallMessage(services: ProxyServices, request: RecallMessageRequest, context: ProxyContext): Promise<RecallMessageResponse> {
  const topic = validatedTopic(request.topic, context);
  const route = await services.routes.routeOrCreate(topic, false);
  if (route.messageType !== TopicMessageType.Delay && route.messageType !== TopicMessageType.Mixed) {
    throw new ProxyFailure(Code.MESSAGE_PROPERTY_CONFLICT_WITH_TYPE, `topic accepts ${route.messageType} messages, only DELAY and MIXED topics recall`);
  }
  const handle = (await services.recallHandles()).decode(request.recallHandle, topic);
  if (handle === undefined) throw new ProxyFailure(Code.BAD_REQUEST, 'the recall handle is malformed or belongs to another topic');
  const store = await storeOf(services, handle.storeNode);
  try {
    const recalled = await store.recallMessage({ topic, dueMs: handle.dueMs, timerOffset: handle.timerOffset });
    return { status: ok(), messageId: recalled.messageId };
  } catch (error) {
    if (isQuiverError(error, QuiverErrorCode.MessageNotFound)) {
      throw new ProxyFailure(Code.NOT_FOUND, 'the message was delivered or recalled already');
    }
    throw error;
  }
}
