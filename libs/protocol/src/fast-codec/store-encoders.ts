/**
 * Hand-written encoders for the hot messages of the internal store hop (quiver.store.v1):
 * AppendBatchRequest, which a proxy sends for every coalesced batch of appends, and
 * PopMessagesResponse, which a store node sends for every pop. They emit exactly the bytes of
 * the generated `X.encode(v).finish()` (same field order, same default-skipping, same checks
 * and throws on out-of-range numbers) with the two-pass writer of wire-writer.ts: one sizing
 * pass that also records every nested-message and string length, then one write pass into a
 * single `Buffer.allocUnsafe`.
 *
 * Whenever a generated encode function for one of these messages changes, mirror it here; the
 * property spec compares both byte for byte.
 */
import type {
  AppendBatchRequest,
  AppendMessagesRequest,
  MessageToStore,
  PoppedMessage,
  PopMessagesResponse,
  StoredMessage,
} from '../gen/quiver/store/v1/store';
import {
  boolBytes,
  bytesFieldSize,
  encode,
  int32Size,
  int64Size,
  lengthTag,
  messageFieldSize,
  stringFieldSize,
  stringMapFieldSize,
  tagSize1,
  uint64Size,
  varintTag,
  writeBoolField,
  writeBytesField,
  writeInt32Field,
  writeInt64Field,
  writeMessageField,
  writeStringField,
  writeStringMapField,
  writeUint64Field,
} from './wire-writer';

// Field numbers, per message, in the order the generated encoders write them.
const messageToStoreFields = {
  messageId: 1,
  tag: 2,
  keys: 3,
  userProperties: 4,
  body: 5,
  bodyGzipped: 6,
  bornTimestampMs: 7,
  bornHost: 8,
  kind: 9,
  messageGroup: 10,
  deliveryTimestampMs: 11,
  traceContext: 12,
} as const;
const storedMessageFields = { message: 1, topic: 2, queueId: 3, queueOffset: 4, storeTimestampMs: 5, storeHost: 6 } as const;
const poppedMessageFields = { message: 1, deliveryAttempt: 2, popGeneration: 3, invisibleUntilMs: 4 } as const;
const popResponseFields = { messages: 1, deadLettered: 2 } as const;
const appendRequestFields = { topic: 1, queueId: 2, messages: 3, epoch: 15 } as const;
const appendBatchFields = { appends: 1, epoch: 15 } as const;

// ---------------------------------------------------------------------------------------------
// Tags. Every field here is numbered 1-15, so every tag is one byte.

const mts = messageToStoreFields;
const tagMtsMessageId = lengthTag(mts.messageId);
const tagMtsTag = lengthTag(mts.tag);
const tagMtsKeys = lengthTag(mts.keys);
const tagMtsUserProperty = lengthTag(mts.userProperties);
const tagMtsBody = lengthTag(mts.body);
const tagMtsBodyGzipped = varintTag(mts.bodyGzipped);
const tagMtsBornTimestampMs = varintTag(mts.bornTimestampMs);
const tagMtsBornHost = lengthTag(mts.bornHost);
const tagMtsKind = varintTag(mts.kind);
const tagMtsMessageGroup = lengthTag(mts.messageGroup);
const tagMtsDeliveryTimestampMs = varintTag(mts.deliveryTimestampMs);
const tagMtsTraceContext = lengthTag(mts.traceContext);

const tagStoredMessage = lengthTag(storedMessageFields.message);
const tagStoredTopic = lengthTag(storedMessageFields.topic);
const tagStoredQueueId = varintTag(storedMessageFields.queueId);
const tagStoredQueueOffset = varintTag(storedMessageFields.queueOffset);
const tagStoredStoreTimestampMs = varintTag(storedMessageFields.storeTimestampMs);
const tagStoredStoreHost = lengthTag(storedMessageFields.storeHost);

const tagPoppedMessage = lengthTag(poppedMessageFields.message);
const tagPoppedDeliveryAttempt = varintTag(poppedMessageFields.deliveryAttempt);
const tagPoppedPopGeneration = varintTag(poppedMessageFields.popGeneration);
const tagPoppedInvisibleUntilMs = varintTag(poppedMessageFields.invisibleUntilMs);

const tagPopMessages = lengthTag(popResponseFields.messages);
const tagPopDeadLettered = varintTag(popResponseFields.deadLettered);

const tagAppendTopic = lengthTag(appendRequestFields.topic);
const tagAppendQueueId = varintTag(appendRequestFields.queueId);
const tagAppendMessages = lengthTag(appendRequestFields.messages);
const tagAppendEpoch = varintTag(appendRequestFields.epoch);

const tagBatchAppends = lengthTag(appendBatchFields.appends);
const tagBatchEpoch = varintTag(appendBatchFields.epoch);

// ---------------------------------------------------------------------------------------------
// Messages: each has a sizing function and a write function that must visit the same fields
// under the same conditions, in the generated encoder's order.

function messageToStoreSize(m: MessageToStore): number {
  let size = 0;
  if (m.messageId !== '') size += stringFieldSize(tagSize1, m.messageId);
  if (m.tag !== undefined) size += stringFieldSize(tagSize1, m.tag);
  for (const key of m.keys) size += stringFieldSize(tagSize1, key);
  size += stringMapFieldSize(tagSize1, m.userProperties);
  if (m.body.length !== 0) size += bytesFieldSize(tagSize1, m.body);
  if (m.bodyGzipped !== false) size += tagSize1 + boolBytes;
  if (m.bornTimestampMs !== 0) size += tagSize1 + int64Size(m.bornTimestampMs);
  if (m.bornHost !== '') size += stringFieldSize(tagSize1, m.bornHost);
  if (m.kind !== 0) size += tagSize1 + int32Size(m.kind);
  if (m.messageGroup !== undefined) size += stringFieldSize(tagSize1, m.messageGroup);
  if (m.deliveryTimestampMs !== undefined) size += tagSize1 + int64Size(m.deliveryTimestampMs);
  if (m.traceContext !== undefined) size += stringFieldSize(tagSize1, m.traceContext);
  return size;
}

function writeMessageToStore(m: MessageToStore): void {
  if (m.messageId !== '') writeStringField(tagMtsMessageId, m.messageId);
  if (m.tag !== undefined) writeStringField(tagMtsTag, m.tag);
  for (const key of m.keys) writeStringField(tagMtsKeys, key);
  writeStringMapField(tagMtsUserProperty, m.userProperties);
  if (m.body.length !== 0) writeBytesField(tagMtsBody, m.body);
  if (m.bodyGzipped !== false) writeBoolField(tagMtsBodyGzipped, m.bodyGzipped);
  if (m.bornTimestampMs !== 0) writeInt64Field(tagMtsBornTimestampMs, m.bornTimestampMs);
  if (m.bornHost !== '') writeStringField(tagMtsBornHost, m.bornHost);
  if (m.kind !== 0) writeInt32Field(tagMtsKind, m.kind);
  if (m.messageGroup !== undefined) writeStringField(tagMtsMessageGroup, m.messageGroup);
  if (m.deliveryTimestampMs !== undefined) writeInt64Field(tagMtsDeliveryTimestampMs, m.deliveryTimestampMs);
  if (m.traceContext !== undefined) writeStringField(tagMtsTraceContext, m.traceContext);
}

function storedMessageSize(m: StoredMessage): number {
  let size = 0;
  if (m.message !== undefined) size += messageFieldSize(tagSize1, m.message, messageToStoreSize);
  if (m.topic !== '') size += stringFieldSize(tagSize1, m.topic);
  if (m.queueId !== 0) size += tagSize1 + int32Size(m.queueId);
  if (m.queueOffset !== 0) size += tagSize1 + int64Size(m.queueOffset);
  if (m.storeTimestampMs !== 0) size += tagSize1 + int64Size(m.storeTimestampMs);
  if (m.storeHost !== '') size += stringFieldSize(tagSize1, m.storeHost);
  return size;
}

function writeStoredMessage(m: StoredMessage): void {
  if (m.message !== undefined) writeMessageField(tagStoredMessage, m.message, writeMessageToStore);
  if (m.topic !== '') writeStringField(tagStoredTopic, m.topic);
  if (m.queueId !== 0) writeInt32Field(tagStoredQueueId, m.queueId);
  if (m.queueOffset !== 0) writeInt64Field(tagStoredQueueOffset, m.queueOffset);
  if (m.storeTimestampMs !== 0) writeInt64Field(tagStoredStoreTimestampMs, m.storeTimestampMs);
  if (m.storeHost !== '') writeStringField(tagStoredStoreHost, m.storeHost);
}

function poppedMessageSize(m: PoppedMessage): number {
  let size = 0;
  if (m.message !== undefined) size += messageFieldSize(tagSize1, m.message, storedMessageSize);
  if (m.deliveryAttempt !== 0) size += tagSize1 + int32Size(m.deliveryAttempt);
  if (m.popGeneration !== 0) size += tagSize1 + int64Size(m.popGeneration);
  if (m.invisibleUntilMs !== 0) size += tagSize1 + int64Size(m.invisibleUntilMs);
  return size;
}

function writePoppedMessage(m: PoppedMessage): void {
  if (m.message !== undefined) writeMessageField(tagPoppedMessage, m.message, writeStoredMessage);
  if (m.deliveryAttempt !== 0) writeInt32Field(tagPoppedDeliveryAttempt, m.deliveryAttempt);
  if (m.popGeneration !== 0) writeInt64Field(tagPoppedPopGeneration, m.popGeneration);
  if (m.invisibleUntilMs !== 0) writeInt64Field(tagPoppedInvisibleUntilMs, m.invisibleUntilMs);
}

function popMessagesResponseSize(m: PopMessagesResponse): number {
  let size = 0;
  for (const popped of m.messages) size += messageFieldSize(tagSize1, popped, poppedMessageSize);
  if (m.deadLettered !== 0) size += tagSize1 + int32Size(m.deadLettered);
  return size;
}

function writePopMessagesResponse(m: PopMessagesResponse): void {
  for (const popped of m.messages) writeMessageField(tagPopMessages, popped, writePoppedMessage);
  if (m.deadLettered !== 0) writeInt32Field(tagPopDeadLettered, m.deadLettered);
}

function appendMessagesRequestSize(m: AppendMessagesRequest): number {
  let size = 0;
  if (m.topic !== '') size += stringFieldSize(tagSize1, m.topic);
  if (m.queueId !== 0) size += tagSize1 + int32Size(m.queueId);
  for (const message of m.messages) size += messageFieldSize(tagSize1, message, messageToStoreSize);
  if (m.epoch !== 0) size += tagSize1 + uint64Size(m.epoch);
  return size;
}

function writeAppendMessagesRequest(m: AppendMessagesRequest): void {
  if (m.topic !== '') writeStringField(tagAppendTopic, m.topic);
  if (m.queueId !== 0) writeInt32Field(tagAppendQueueId, m.queueId);
  for (const message of m.messages) writeMessageField(tagAppendMessages, message, writeMessageToStore);
  if (m.epoch !== 0) writeUint64Field(tagAppendEpoch, m.epoch);
}

function appendBatchRequestSize(m: AppendBatchRequest): number {
  let size = 0;
  for (const append of m.appends) size += messageFieldSize(tagSize1, append, appendMessagesRequestSize);
  if (m.epoch !== 0) size += tagSize1 + uint64Size(m.epoch);
  return size;
}

function writeAppendBatchRequest(m: AppendBatchRequest): void {
  for (const append of m.appends) writeMessageField(tagBatchAppends, append, writeAppendMessagesRequest);
  if (m.epoch !== 0) writeUint64Field(tagBatchEpoch, m.epoch);
}

// ---------------------------------------------------------------------------------------------
// Public encoders: same bytes as `Buffer.from(X.encode(value).finish())`, and a fresh Buffer
// per call (a later encode never changes an earlier result).

export function encodeAppendBatchRequest(value: AppendBatchRequest): Buffer {
  return encode(value, appendBatchRequestSize, writeAppendBatchRequest);
}

export function encodePopMessagesResponse(value: PopMessagesResponse): Buffer {
  return encode(value, popMessagesResponseSize, writePopMessagesResponse);
}
