import { MessageKind, type MessageToStore, type PoppedMessage } from '@quiver/core';
import { limits } from '@quiver/config';
import {
  bodyDigestMd5Upper,
  durationFromMs,
  timestampFromMs,
  timestampToMs,
  validateKeys,
  validateMessageGroup,
  validateTag,
  validateUserProperties,
  type v2,
} from '@quiver/protocol';
import { ProxyFailure } from '../status';
import { Code, DigestType, Encoding, MessageType, type Message, type Resource } from '../wire';

/**
 * Conversion between apache.rocketmq.v2 messages and the store's model, with the per-message
 * checks of SendMessage (PROTOCOL.md section 6.3) in Apache's order.
 */

/** DELIVERY_DELAY_MS_MAX is the default max accepted delay (Apache's proxy default); `maxDelayMs` configures it. */
export const DELIVERY_DELAY_MS_MAX = limits.deliveryDelayMsDefault;

/** kindOf derives the kind from content, as Apache does: transaction > delay > group > normal. */
export function kindOf(message: Message): MessageKind {
  const system = message.systemProperties;
  if (system?.messageType === MessageType.TRANSACTION) return MessageKind.Transaction;
  if (system?.deliveryTimestamp) return MessageKind.Delay;
  if (system?.messageGroup) return MessageKind.Fifo;
  return MessageKind.Normal;
}

/** toMessageToStore validates one message of a send and converts it; throws ProxyFailure. */
export function toMessageToStore(message: Message, peer: string, nowMs: number, maxDelayMs: number = DELIVERY_DELAY_MS_MAX): MessageToStore {
  const system = message.systemProperties;
  const body = message.body ?? Buffer.alloc(0);
  if (body.length === 0) {
    throw new ProxyFailure(Code.MESSAGE_BODY_EMPTY, 'message body is empty');
  }
  if (body.length > limits.messageBodyBytesMax) {
    throw new ProxyFailure(Code.MESSAGE_BODY_TOO_LARGE, `message body of ${body.length} bytes exceeds ${limits.messageBodyBytesMax}`);
  }
  const tag = system?.tag;
  const keys = system?.keys ?? [];
  const problem =
    validateTag(tag ?? '') ?? validateKeys(keys) ?? validateUserProperties(message.userProperties ?? {}, tag ?? '', keys);
  if (problem) {
    throw new ProxyFailure(problem.code, problem.message);
  }
  const messageId = system?.messageId ?? '';
  if (messageId.trim() === '') {
    throw new ProxyFailure(Code.ILLEGAL_MESSAGE_ID, 'message id is blank');
  }
  let deliveryTimestampMs: number | undefined;
  if (system?.deliveryTimestamp) {
    deliveryTimestampMs = timestampToMs(system.deliveryTimestamp);
    if (!Number.isFinite(deliveryTimestampMs) || deliveryTimestampMs - nowMs > maxDelayMs) {
      throw new ProxyFailure(Code.ILLEGAL_DELIVERY_TIME, `delivery timestamp is more than ${maxDelayMs} ms ahead`);
    }
  }
  const messageGroup = system?.messageGroup;
  if (messageGroup !== undefined && messageGroup !== '') {
    const groupProblem = validateMessageGroup(messageGroup);
    if (groupProblem) throw new ProxyFailure(groupProblem.code, groupProblem.message);
  }
  const bornTimestampMs = system?.bornTimestamp ? timestampToMs(system.bornTimestamp) : nowMs;
  // One per message sent: optional fields are set in place, not spread from temporary objects.
  const converted: MessageToStore = {
    messageId,
    keys,
    userProperties: message.userProperties ?? {},
    body,
    bodyGzipped: system?.bodyEncoding === Encoding.GZIP,
    bornTimestampMs: Number.isFinite(bornTimestampMs) ? bornTimestampMs : nowMs,
    bornHost: system?.bornHost || peer,
    kind: kindOf(message),
  };
  if (tag) converted.tag = tag;
  if (messageGroup) converted.messageGroup = messageGroup;
  if (deliveryTimestampMs !== undefined) converted.deliveryTimestampMs = deliveryTimestampMs;
  if (system?.traceContext) converted.traceContext = system.traceContext;
  return converted;
}

const WIRE_TYPE_OF_KIND: Record<MessageKind, MessageType> = {
  [MessageKind.Normal]: MessageType.NORMAL,
  [MessageKind.Fifo]: MessageType.FIFO,
  [MessageKind.Delay]: MessageType.DELAY,
  [MessageKind.Transaction]: MessageType.TRANSACTION,
};

/** toWireMessage renders a handed-out message the way the official clients read it. */
export function toWireMessage(popped: PoppedMessage, topic: Resource, receiptHandle: string, nowMs: number): Message {
  const stored = popped.message;
  const body = Buffer.from(stored.body.buffer, stored.body.byteOffset, stored.body.byteLength);
  // One per message delivered: optional fields are set in place, not spread from temporary objects,
  // and the properties are copied only when one is added.
  let userProperties = stored.userProperties;
  // Apache leaks the sharding key to consumers and the official tests expect it.
  if (stored.messageGroup) userProperties = { ...userProperties, __SHARDINGKEY: stored.messageGroup };
  const systemProperties: v2.SystemProperties = {
    keys: stored.keys,
    messageId: stored.messageId,
    bodyDigest: { type: DigestType.MD5, checksum: bodyDigestMd5Upper(body) },
    bodyEncoding: stored.bodyGzipped ? Encoding.GZIP : Encoding.IDENTITY,
    messageType: WIRE_TYPE_OF_KIND[stored.kind],
    bornTimestamp: timestampFromMs(stored.bornTimestampMs),
    bornHost: stored.bornHost,
    storeTimestamp: timestampFromMs(stored.storeTimestampMs),
    storeHost: stored.storeHost,
    receiptHandle,
    queueId: stored.queueId,
    queueOffset: stored.queueOffset,
    invisibleDuration: durationFromMs(Math.max(0, popped.invisibleUntilMs - nowMs)),
    deliveryAttempt: popped.deliveryAttempt,
  };
  if (stored.tag !== undefined) systemProperties.tag = stored.tag;
  if (stored.deliveryTimestampMs !== undefined) systemProperties.deliveryTimestamp = timestampFromMs(stored.deliveryTimestampMs);
  if (stored.messageGroup) systemProperties.messageGroup = stored.messageGroup;
  if (stored.traceContext) systemProperties.traceContext = stored.traceContext;
  return { topic, userProperties, systemProperties, body };
}
