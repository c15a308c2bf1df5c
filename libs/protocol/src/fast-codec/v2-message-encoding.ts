/**
 * Encoding of the apache.rocketmq.v2 Message and what it holds (Resource, user property map
 * entries, SystemProperties, Digest, Timestamp, Duration, DeadLetterQueue) with the two-pass
 * writer of wire-writer.ts, for the ReceiveMessageResponse encoder (response-encoders.ts,
 * server side) and the SendMessageRequest encoder (request-encoders.ts, client side); Resource
 * also for AckMessageRequest. Each message has a sizing function and a write function that must
 * visit the same fields under the same conditions, in the generated encoder's order.
 *
 * The proxy only encodes responses and a client only requests, so in production each process
 * feeds these functions Messages of one origin. A process that encodes both (an in-process test)
 * shows them the object shapes of both, which makes their property reads polymorphic and the
 * encoders some 5-10% slower there (measured); not worth a second copy.
 *
 * Whenever a generated encode function for one of these messages changes, mirror it here; the
 * encoder specs compare both byte for byte.
 */
import type { Duration } from '../gen/google/protobuf/duration';
import type { Timestamp } from '../gen/google/protobuf/timestamp';
import type { DeadLetterQueue, Digest, Message, Resource, SystemProperties } from '../gen/apache/rocketmq/v2/definition';
import {
  bytesFieldSize,
  int32Size,
  int64Size,
  lengthTag,
  messageFieldSize,
  stringFieldSize,
  stringMapFieldSize,
  tagSize1,
  tagSize2,
  varintTag,
  writeBytesField,
  writeInt32Field,
  writeInt64Field,
  writeMessageField,
  writeStringField,
  writeStringMapField,
} from './wire-writer';

// Field numbers, per message, in the order the generated encoders write them.
const resourceFields = { resourceNamespace: 1, name: 2 } as const;
const timeFields = { seconds: 1, nanos: 2 } as const;
const digestFields = { type: 1, checksum: 2 } as const;
const deadLetterQueueFields = { topic: 1, messageId: 2 } as const;
const messageFields = { topic: 1, userProperties: 2, systemProperties: 3, body: 4 } as const;
const systemPropertyFields = {
  tag: 1,
  keys: 2,
  messageId: 3,
  bodyDigest: 4,
  bodyEncoding: 5,
  messageType: 6,
  bornTimestamp: 7,
  bornHost: 8,
  storeTimestamp: 9,
  storeHost: 10,
  deliveryTimestamp: 11,
  receiptHandle: 12,
  queueId: 13,
  queueOffset: 14,
  invisibleDuration: 15,
  deliveryAttempt: 16,
  messageGroup: 17,
  traceContext: 18,
  orphanedTransactionRecoveryDuration: 19,
  deadLetterQueue: 20,
  liteTopic: 21,
  priority: 22,
} as const;

// Tags, precomputed. Fields 1-15 have one-byte tags (tagSize1); System properties 16-22 need two.
const tagResourceNamespace = lengthTag(resourceFields.resourceNamespace);
const tagResourceName = lengthTag(resourceFields.name);
const tagTimeSeconds = varintTag(timeFields.seconds);
const tagTimeNanos = varintTag(timeFields.nanos);
const tagDigestType = varintTag(digestFields.type);
const tagDigestChecksum = lengthTag(digestFields.checksum);
const tagDlqTopic = lengthTag(deadLetterQueueFields.topic);
const tagDlqMessageId = lengthTag(deadLetterQueueFields.messageId);
const tagMessageTopic = lengthTag(messageFields.topic);
const tagMessageUserProperty = lengthTag(messageFields.userProperties);
const tagMessageSystemProperties = lengthTag(messageFields.systemProperties);
const tagMessageBody = lengthTag(messageFields.body);

const sp = systemPropertyFields;
const tagSpTag = lengthTag(sp.tag);
const tagSpKeys = lengthTag(sp.keys);
const tagSpMessageId = lengthTag(sp.messageId);
const tagSpBodyDigest = lengthTag(sp.bodyDigest);
const tagSpBodyEncoding = varintTag(sp.bodyEncoding);
const tagSpMessageType = varintTag(sp.messageType);
const tagSpBornTimestamp = lengthTag(sp.bornTimestamp);
const tagSpBornHost = lengthTag(sp.bornHost);
const tagSpStoreTimestamp = lengthTag(sp.storeTimestamp);
const tagSpStoreHost = lengthTag(sp.storeHost);
const tagSpDeliveryTimestamp = lengthTag(sp.deliveryTimestamp);
const tagSpReceiptHandle = lengthTag(sp.receiptHandle);
const tagSpQueueId = varintTag(sp.queueId);
const tagSpQueueOffset = varintTag(sp.queueOffset);
const tagSpInvisibleDuration = lengthTag(sp.invisibleDuration);
const tagSpDeliveryAttempt = varintTag(sp.deliveryAttempt);
const tagSpMessageGroup = lengthTag(sp.messageGroup);
const tagSpTraceContext = lengthTag(sp.traceContext);
const tagSpOrphanedDuration = lengthTag(sp.orphanedTransactionRecoveryDuration);
const tagSpDeadLetterQueue = lengthTag(sp.deadLetterQueue);
const tagSpLiteTopic = lengthTag(sp.liteTopic);
const tagSpPriority = varintTag(sp.priority);

export function resourceSize(m: Resource): number {
  let size = 0;
  if (m.resourceNamespace !== '') size += stringFieldSize(tagSize1, m.resourceNamespace);
  if (m.name !== '') size += stringFieldSize(tagSize1, m.name);
  return size;
}

export function writeResource(m: Resource): void {
  if (m.resourceNamespace !== '') writeStringField(tagResourceNamespace, m.resourceNamespace);
  if (m.name !== '') writeStringField(tagResourceName, m.name);
}

/** Timestamp and Duration share one layout: int64 seconds = 1, int32 nanos = 2. */
export function timeSize(m: Timestamp | Duration): number {
  let size = 0;
  if (m.seconds !== 0) size += tagSize1 + int64Size(m.seconds);
  if (m.nanos !== 0) size += tagSize1 + int32Size(m.nanos);
  return size;
}

export function writeTime(m: Timestamp | Duration): void {
  if (m.seconds !== 0) writeInt64Field(tagTimeSeconds, m.seconds);
  if (m.nanos !== 0) writeInt32Field(tagTimeNanos, m.nanos);
}

function digestSize(m: Digest): number {
  let size = 0;
  if (m.type !== 0) size += tagSize1 + int32Size(m.type);
  if (m.checksum !== '') size += stringFieldSize(tagSize1, m.checksum);
  return size;
}

function writeDigest(m: Digest): void {
  if (m.type !== 0) writeInt32Field(tagDigestType, m.type);
  if (m.checksum !== '') writeStringField(tagDigestChecksum, m.checksum);
}

function deadLetterQueueSize(m: DeadLetterQueue): number {
  let size = 0;
  if (m.topic !== '') size += stringFieldSize(tagSize1, m.topic);
  if (m.messageId !== '') size += stringFieldSize(tagSize1, m.messageId);
  return size;
}

function writeDeadLetterQueue(m: DeadLetterQueue): void {
  if (m.topic !== '') writeStringField(tagDlqTopic, m.topic);
  if (m.messageId !== '') writeStringField(tagDlqMessageId, m.messageId);
}

function systemPropertiesSize(m: SystemProperties): number {
  let size = 0;
  if (m.tag !== undefined) size += stringFieldSize(tagSize1, m.tag);
  for (const key of m.keys) size += stringFieldSize(tagSize1, key);
  if (m.messageId !== '') size += stringFieldSize(tagSize1, m.messageId);
  if (m.bodyDigest !== undefined) size += messageFieldSize(tagSize1, m.bodyDigest, digestSize);
  if (m.bodyEncoding !== 0) size += tagSize1 + int32Size(m.bodyEncoding);
  if (m.messageType !== 0) size += tagSize1 + int32Size(m.messageType);
  if (m.bornTimestamp !== undefined) size += messageFieldSize(tagSize1, m.bornTimestamp, timeSize);
  if (m.bornHost !== '') size += stringFieldSize(tagSize1, m.bornHost);
  if (m.storeTimestamp !== undefined) size += messageFieldSize(tagSize1, m.storeTimestamp, timeSize);
  if (m.storeHost !== '') size += stringFieldSize(tagSize1, m.storeHost);
  if (m.deliveryTimestamp !== undefined) size += messageFieldSize(tagSize1, m.deliveryTimestamp, timeSize);
  if (m.receiptHandle !== undefined) size += stringFieldSize(tagSize1, m.receiptHandle);
  if (m.queueId !== 0) size += tagSize1 + int32Size(m.queueId);
  if (m.queueOffset !== undefined) size += tagSize1 + int64Size(m.queueOffset);
  if (m.invisibleDuration !== undefined) size += messageFieldSize(tagSize1, m.invisibleDuration, timeSize);
  if (m.deliveryAttempt !== undefined) size += tagSize2 + int32Size(m.deliveryAttempt);
  if (m.messageGroup !== undefined) size += stringFieldSize(tagSize2, m.messageGroup);
  if (m.traceContext !== undefined) size += stringFieldSize(tagSize2, m.traceContext);
  if (m.orphanedTransactionRecoveryDuration !== undefined) {
    size += messageFieldSize(tagSize2, m.orphanedTransactionRecoveryDuration, timeSize);
  }
  if (m.deadLetterQueue !== undefined) size += messageFieldSize(tagSize2, m.deadLetterQueue, deadLetterQueueSize);
  if (m.liteTopic !== undefined) size += stringFieldSize(tagSize2, m.liteTopic);
  if (m.priority !== undefined) size += tagSize2 + int32Size(m.priority);
  return size;
}

function writeSystemProperties(m: SystemProperties): void {
  if (m.tag !== undefined) writeStringField(tagSpTag, m.tag);
  for (const key of m.keys) writeStringField(tagSpKeys, key);
  if (m.messageId !== '') writeStringField(tagSpMessageId, m.messageId);
  if (m.bodyDigest !== undefined) writeMessageField(tagSpBodyDigest, m.bodyDigest, writeDigest);
  if (m.bodyEncoding !== 0) writeInt32Field(tagSpBodyEncoding, m.bodyEncoding);
  if (m.messageType !== 0) writeInt32Field(tagSpMessageType, m.messageType);
  if (m.bornTimestamp !== undefined) writeMessageField(tagSpBornTimestamp, m.bornTimestamp, writeTime);
  if (m.bornHost !== '') writeStringField(tagSpBornHost, m.bornHost);
  if (m.storeTimestamp !== undefined) writeMessageField(tagSpStoreTimestamp, m.storeTimestamp, writeTime);
  if (m.storeHost !== '') writeStringField(tagSpStoreHost, m.storeHost);
  if (m.deliveryTimestamp !== undefined) writeMessageField(tagSpDeliveryTimestamp, m.deliveryTimestamp, writeTime);
  if (m.receiptHandle !== undefined) writeStringField(tagSpReceiptHandle, m.receiptHandle);
  if (m.queueId !== 0) writeInt32Field(tagSpQueueId, m.queueId);
  if (m.queueOffset !== undefined) writeInt64Field(tagSpQueueOffset, m.queueOffset);
  if (m.invisibleDuration !== undefined) writeMessageField(tagSpInvisibleDuration, m.invisibleDuration, writeTime);
  if (m.deliveryAttempt !== undefined) writeInt32Field(tagSpDeliveryAttempt, m.deliveryAttempt);
  if (m.messageGroup !== undefined) writeStringField(tagSpMessageGroup, m.messageGroup);
  if (m.traceContext !== undefined) writeStringField(tagSpTraceContext, m.traceContext);
  if (m.orphanedTransactionRecoveryDuration !== undefined) {
    writeMessageField(tagSpOrphanedDuration, m.orphanedTransactionRecoveryDuration, writeTime);
  }
  if (m.deadLetterQueue !== undefined) writeMessageField(tagSpDeadLetterQueue, m.deadLetterQueue, writeDeadLetterQueue);
  if (m.liteTopic !== undefined) writeStringField(tagSpLiteTopic, m.liteTopic);
  if (m.priority !== undefined) writeInt32Field(tagSpPriority, m.priority);
}

export function messageSize(m: Message): number {
  let size = 0;
  if (m.topic !== undefined) size += messageFieldSize(tagSize1, m.topic, resourceSize);
  size += stringMapFieldSize(tagSize1, m.userProperties);
  if (m.systemProperties !== undefined) size += messageFieldSize(tagSize1, m.systemProperties, systemPropertiesSize);
  if (m.body.length !== 0) size += bytesFieldSize(tagSize1, m.body);
  return size;
}

export function writeMessage(m: Message): void {
  if (m.topic !== undefined) writeMessageField(tagMessageTopic, m.topic, writeResource);
  writeStringMapField(tagMessageUserProperty, m.userProperties);
  if (m.systemProperties !== undefined) {
    writeMessageField(tagMessageSystemProperties, m.systemProperties, writeSystemProperties);
  }
  if (m.body.length !== 0) writeBytesField(tagMessageBody, m.body);
}
