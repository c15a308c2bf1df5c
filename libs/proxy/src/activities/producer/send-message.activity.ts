import { MessageKind, QuiverError, QuiverErrorCode, TopicMessageType, type MessageToStore } from '@quiver/core';
import { limits } from '@quiver/config';
import { durationToMs } from '@quiver/protocol';
import { queueForMessageGroup } from '@quiver/routing';
import type { ProxyContext } from '../../context';
import { toMessageToStore } from '../../converters/message.converter';
import { storedName } from '../../converters/resources';
import type { ProxyServices } from '../../processor/proxy-services';
import { ok, ProxyFailure, toStatus } from '../../status';
import { Code, type SendMessageRequest, type SendMessageResponse, type SendResultEntry, type Status } from '../../wire';
import { validatedTopic } from '../route/query-route.activity';
import { storeOf } from '../consumer/consumer-common';

/**
 * SendMessage: validate every message (a batch is atomic: one bad message fails all), choose
 * the queue here (the client's choice is ignored), append durably, answer one entry per message.
 */
export async function sendMessage(services: ProxyServices, request: SendMessageRequest, context: ProxyContext): Promise<SendMessageResponse> {
  const messages = request.messages ?? [];
  try {
    if (messages.length === 0) throw new ProxyFailure(Code.MESSAGE_CORRUPTED, 'no message to send');
    if (messages.length > limits.sendRequestMessageCountMax) {
      throw new ProxyFailure(Code.PAYLOAD_TOO_LARGE, `at most ${limits.sendRequestMessageCountMax} messages per send`);
    }
    const topic = validatedTopic(messages[0]!.topic, context);
    if (messages.some((message) => storedName(message.topic, context) !== topic)) {
      throw new ProxyFailure(Code.MESSAGE_CORRUPTED, 'all messages of a send must have the same topic');
    }
    const nowMs = services.clock.nowMs();
    const converted = messages.map((message) => toMessageToStore(message, context.peer, nowMs, services.maxDelayMs));
    const totalBodyBytes = converted.reduce((sum, message) => sum + message.body.length, 0);
    if (totalBodyBytes > limits.sendRequestBodyBytesMax) {
      throw new ProxyFailure(Code.PAYLOAD_TOO_LARGE, `bodies of ${totalBodyBytes} bytes exceed ${limits.sendRequestBodyBytesMax} per send`);
    }
    const route = await services.routes.routeOrCreate(topic, true);
    checkTypes(converted, route.messageType);
    const queue = chooseQueue(services, route, converted);
    const store = await storeOf(services, queue.storeNode);
    if (converted[0]!.kind === MessageKind.Delay) {
      // Delay messages wait in the store node's timer log; the queue chosen here is where they land when due.
      const scheduled = await store.scheduleMessages({ topic, queueId: queue.queueId, messages: converted }, context.signal);
      const recallHandles = await services.recallHandles();
      return {
        status: ok(),
        entries: converted.map((message, index) =>
          sentEntry(ok(), message.messageId, scheduled.timers[index]!.timerOffset, recallHandles.encode({ storeNode: queue.storeNode, ...scheduled.timers[index]! }, topic)),
        ),
      };
    }
    if (converted[0]!.kind === MessageKind.Transaction) {
      // A half message waits in the store node's half log until EndTransaction or an orphan check resolves it.
      const recovery = messages[0]!.systemProperties?.orphanedTransactionRecoveryDuration;
      const checkImmunityMs = recovery !== undefined ? Math.max(0, Math.floor(durationToMs(recovery))) : undefined;
      await store.prepareTransaction(
        { topic, queueId: queue.queueId, message: converted[0]!, ...(checkImmunityMs !== undefined && Number.isSafeInteger(checkImmunityMs) ? { checkImmunityMs } : {}) },
        context.signal,
      );
      return { status: ok(), entries: [sentEntry(ok(), converted[0]!.messageId, 0)] };
    }
    const result = await store.appendMessages({ topic, queueId: queue.queueId, messages: converted }, context.signal);
    return { status: ok(), entries: converted.map((message, index) => sentEntry(ok(), message.messageId, result.offsets[index]!)) };
  } catch (error) {
    const failed = toStatus(error, services.logger);
    return { status: failed, entries: messages.map((message) => sentEntry(failed, message.systemProperties?.messageId ?? '', 0)) };
  }
}

/** sentEntry is one message's result; the transaction id always equals the message id (PROTOCOL.md 6.3). */
function sentEntry(status: Status, messageId: string, offset: number, recallHandle = ''): SendResultEntry {
  return { status, messageId, transactionId: messageId, offset, recallHandle };
}

function checkTypes(messages: MessageToStore[], topicType: TopicMessageType): void {
  const delay = messages[0]!.kind === MessageKind.Delay;
  for (const message of messages) {
    if (message.kind === MessageKind.Transaction && messages.length > 1) {
      // One half message per transaction, as the official clients send: a transaction ID names one message.
      throw new ProxyFailure(Code.MESSAGE_CORRUPTED, 'a transactional message is sent alone, never in a batch');
    }
    if ((message.kind === MessageKind.Delay) !== delay) {
      // A batch is stored as one unit: either all of it waits for delivery times, or none of it.
      throw new ProxyFailure(Code.MESSAGE_CORRUPTED, 'a batch must not mix delay messages with others');
    }
    if (topicType !== TopicMessageType.Mixed && topicType !== message.kind) {
      throw new ProxyFailure(
        Code.MESSAGE_PROPERTY_CONFLICT_WITH_TYPE,
        `topic accepts ${topicType} messages, message ${message.messageId} is ${message.kind}`,
      );
    }
  }
}

function chooseQueue(services: ProxyServices, route: Parameters<typeof queueForMessageGroup>[0], messages: MessageToStore[]) {
  // Delay messages go round robin: FIFO hashing does not apply to them (PROTOCOL.md 3.4 derives DELAY before FIFO).
  const group = messages[0]!.kind === MessageKind.Delay ? undefined : messages[0]!.messageGroup;
  if (group !== undefined) {
    if (messages.some((message) => message.messageGroup !== group)) {
      throw new ProxyFailure(Code.MESSAGE_CORRUPTED, 'all messages of a batch must have the same message group');
    }
    const queue = queueForMessageGroup(route, group);
    if (queue) return queue;
  } else {
    const queue = services.selector.select(route);
    if (queue) return queue;
  }
  throw new QuiverError(QuiverErrorCode.StoreUnavailable, `no live store node holds topic ${route.name}`, { retriable: true });
}
