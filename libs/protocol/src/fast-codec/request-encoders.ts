/**
 * Hand-written encoders for the requests a batching client sends most (SendMessage with many
 * messages, AckMessage with a batch of entries), for clients: the lean benchmark driver and
 * RawClient with `fastCodecs`. They emit exactly the bytes of the generated
 * `X.encode(v).finish()` (same field order, same default-skipping) with the two-pass writer of
 * wire-writer.ts: one sizing pass that also records every nested-message and string length,
 * then one write pass into a single `Buffer.allocUnsafe`. The Messages of a SendMessageRequest
 * are encoded by v2-message-encoding.ts, as in the server's ReceiveMessageResponse encoder.
 *
 * Whenever a generated encode function for one of these messages changes, mirror it here; the
 * property spec compares both byte for byte.
 */
import type { AckMessageEntry, AckMessageRequest, SendMessageRequest } from '../gen/apache/rocketmq/v2/service';
import { messageSize, resourceSize, writeMessage, writeResource } from './v2-message-encoding';
import { encode, lengthTag, messageFieldSize, stringFieldSize, tagSize1, writeMessageField, writeStringField } from './wire-writer';

// Field numbers, per message, in the order the generated encoders write them.
const ackEntryFields = { messageId: 1, receiptHandle: 2, liteTopic: 3 } as const;
const ackRequestFields = { group: 1, topic: 2, entries: 3 } as const;
const sendRequestFields = { messages: 1 } as const;

// Tags, precomputed. Every field here is numbered 1-15, so every tag is one byte (tagSize1).
const tagAckEntryMessageId = lengthTag(ackEntryFields.messageId);
const tagAckEntryReceiptHandle = lengthTag(ackEntryFields.receiptHandle);
const tagAckEntryLiteTopic = lengthTag(ackEntryFields.liteTopic);
const tagAckGroup = lengthTag(ackRequestFields.group);
const tagAckTopic = lengthTag(ackRequestFields.topic);
const tagAckEntries = lengthTag(ackRequestFields.entries);
const tagSendMessages = lengthTag(sendRequestFields.messages);

// ---------------------------------------------------------------------------------------------
// Messages: each has a sizing function and a write function that must visit the same fields
// under the same conditions, in the generated encoder's order.

function ackEntrySize(m: AckMessageEntry): number {
  let size = 0;
  if (m.messageId !== '') size += stringFieldSize(tagSize1, m.messageId);
  if (m.receiptHandle !== '') size += stringFieldSize(tagSize1, m.receiptHandle);
  if (m.liteTopic !== undefined) size += stringFieldSize(tagSize1, m.liteTopic);
  return size;
}

function writeAckEntry(m: AckMessageEntry): void {
  if (m.messageId !== '') writeStringField(tagAckEntryMessageId, m.messageId);
  if (m.receiptHandle !== '') writeStringField(tagAckEntryReceiptHandle, m.receiptHandle);
  if (m.liteTopic !== undefined) writeStringField(tagAckEntryLiteTopic, m.liteTopic);
}

function ackMessageRequestSize(m: AckMessageRequest): number {
  let size = 0;
  if (m.group !== undefined) size += messageFieldSize(tagSize1, m.group, resourceSize);
  if (m.topic !== undefined) size += messageFieldSize(tagSize1, m.topic, resourceSize);
  for (const entry of m.entries) size += messageFieldSize(tagSize1, entry, ackEntrySize);
  return size;
}

function writeAckMessageRequest(m: AckMessageRequest): void {
  if (m.group !== undefined) writeMessageField(tagAckGroup, m.group, writeResource);
  if (m.topic !== undefined) writeMessageField(tagAckTopic, m.topic, writeResource);
  for (const entry of m.entries) writeMessageField(tagAckEntries, entry, writeAckEntry);
}

function sendMessageRequestSize(m: SendMessageRequest): number {
  let size = 0;
  for (const message of m.messages) size += messageFieldSize(tagSize1, message, messageSize);
  return size;
}

function writeSendMessageRequest(m: SendMessageRequest): void {
  for (const message of m.messages) writeMessageField(tagSendMessages, message, writeMessage);
}

// ---------------------------------------------------------------------------------------------
// Public encoders: same bytes as `Buffer.from(X.encode(value).finish())`.

/** encodeSendMessageRequest: a fresh Buffer holding a copy of every body. */
export function encodeSendMessageRequest(value: SendMessageRequest): Buffer {
  return encode(value, sendMessageRequestSize, writeSendMessageRequest);
}

export function encodeAckMessageRequest(value: AckMessageRequest): Buffer {
  return encode(value, ackMessageRequestSize, writeAckMessageRequest);
}
