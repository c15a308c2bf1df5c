/**
 * Hand-written encoders for the hottest gRPC responses (ReceiveMessage, SendMessage,
 * AckMessage). They emit exactly the bytes of the generated `X.encode(v).finish()` (same field
 * order, same default-skipping) with the two-pass writer of wire-writer.ts: one sizing pass that
 * also records every nested-message and string length, then one write pass into a single
 * `Buffer.allocUnsafe`. The Message a ReceiveMessage frame carries is encoded by
 * v2-message-encoding.ts, as in the client's SendMessageRequest encoder.
 *
 * Whenever a generated encode function for one of these messages changes, mirror it here; the
 * property spec compares both byte for byte.
 */
import type { Status } from '../gen/apache/rocketmq/v2/definition';
import type {
  AckMessageResponse,
  AckMessageResultEntry,
  ReceiveMessageResponse,
  SendMessageResponse,
  SendResultEntry,
} from '../gen/apache/rocketmq/v2/service';
import { messageSize, timeSize, writeMessage, writeTime } from './v2-message-encoding';
import {
  encode,
  int32Size,
  int64Size,
  lengthTag,
  messageFieldSize,
  stringFieldSize,
  tagSize1,
  varintTag,
  writeInt32Field,
  writeInt64Field,
  writeMessageField,
  writeStringField,
} from './wire-writer';

// Field numbers, per message, in the order the generated encoders write them.
const statusFields = { code: 1, message: 2 } as const;
const sendResultEntryFields = { status: 1, messageId: 2, transactionId: 3, offset: 4, recallHandle: 5 } as const;
const ackResultEntryFields = { messageId: 1, receiptHandle: 2, status: 3 } as const;
const batchResponseFields = { status: 1, entries: 2 } as const;
const receiveResponseFields = { status: 1, message: 2, deliveryTimestamp: 3 } as const;

// Tags, precomputed. Every field here is numbered 1-15, so every tag is one byte (tagSize1).
const tagStatusCode = varintTag(statusFields.code);
const tagStatusMessage = lengthTag(statusFields.message);
const tagSendStatus = lengthTag(sendResultEntryFields.status);
const tagSendMessageId = lengthTag(sendResultEntryFields.messageId);
const tagSendTransactionId = lengthTag(sendResultEntryFields.transactionId);
const tagSendOffset = varintTag(sendResultEntryFields.offset);
const tagSendRecallHandle = lengthTag(sendResultEntryFields.recallHandle);
const tagAckMessageId = lengthTag(ackResultEntryFields.messageId);
const tagAckReceiptHandle = lengthTag(ackResultEntryFields.receiptHandle);
const tagAckStatus = lengthTag(ackResultEntryFields.status);
const tagBatchStatus = lengthTag(batchResponseFields.status);
const tagBatchEntries = lengthTag(batchResponseFields.entries);
const tagReceiveStatus = lengthTag(receiveResponseFields.status);
const tagReceiveMessage = lengthTag(receiveResponseFields.message);
const tagReceiveDeliveryTimestamp = lengthTag(receiveResponseFields.deliveryTimestamp);

// ---------------------------------------------------------------------------------------------
// Messages: each has a sizing function and a write function that must visit the same fields
// under the same conditions, in the generated encoder's order.

function statusSize(m: Status): number {
  let size = 0;
  if (m.code !== 0) size += tagSize1 + int32Size(m.code);
  if (m.message !== '') size += stringFieldSize(tagSize1, m.message);
  return size;
}

function writeStatus(m: Status): void {
  if (m.code !== 0) writeInt32Field(tagStatusCode, m.code);
  if (m.message !== '') writeStringField(tagStatusMessage, m.message);
}

function sendResultEntrySize(m: SendResultEntry): number {
  let size = 0;
  if (m.status !== undefined) size += messageFieldSize(tagSize1, m.status, statusSize);
  if (m.messageId !== '') size += stringFieldSize(tagSize1, m.messageId);
  if (m.transactionId !== '') size += stringFieldSize(tagSize1, m.transactionId);
  if (m.offset !== 0) size += tagSize1 + int64Size(m.offset);
  if (m.recallHandle !== '') size += stringFieldSize(tagSize1, m.recallHandle);
  return size;
}

function writeSendResultEntry(m: SendResultEntry): void {
  if (m.status !== undefined) writeMessageField(tagSendStatus, m.status, writeStatus);
  if (m.messageId !== '') writeStringField(tagSendMessageId, m.messageId);
  if (m.transactionId !== '') writeStringField(tagSendTransactionId, m.transactionId);
  if (m.offset !== 0) writeInt64Field(tagSendOffset, m.offset);
  if (m.recallHandle !== '') writeStringField(tagSendRecallHandle, m.recallHandle);
}

function ackResultEntrySize(m: AckMessageResultEntry): number {
  let size = 0;
  if (m.messageId !== '') size += stringFieldSize(tagSize1, m.messageId);
  if (m.receiptHandle !== '') size += stringFieldSize(tagSize1, m.receiptHandle);
  if (m.status !== undefined) size += messageFieldSize(tagSize1, m.status, statusSize);
  return size;
}

function writeAckResultEntry(m: AckMessageResultEntry): void {
  if (m.messageId !== '') writeStringField(tagAckMessageId, m.messageId);
  if (m.receiptHandle !== '') writeStringField(tagAckReceiptHandle, m.receiptHandle);
  if (m.status !== undefined) writeMessageField(tagAckStatus, m.status, writeStatus);
}

function sendMessageResponseSize(m: SendMessageResponse): number {
  let size = 0;
  if (m.status !== undefined) size += messageFieldSize(tagSize1, m.status, statusSize);
  for (const entry of m.entries) size += messageFieldSize(tagSize1, entry, sendResultEntrySize);
  return size;
}

function writeSendMessageResponse(m: SendMessageResponse): void {
  if (m.status !== undefined) writeMessageField(tagBatchStatus, m.status, writeStatus);
  for (const entry of m.entries) writeMessageField(tagBatchEntries, entry, writeSendResultEntry);
}

function ackMessageResponseSize(m: AckMessageResponse): number {
  let size = 0;
  if (m.status !== undefined) size += messageFieldSize(tagSize1, m.status, statusSize);
  for (const entry of m.entries) size += messageFieldSize(tagSize1, entry, ackResultEntrySize);
  return size;
}

function writeAckMessageResponse(m: AckMessageResponse): void {
  if (m.status !== undefined) writeMessageField(tagBatchStatus, m.status, writeStatus);
  for (const entry of m.entries) writeMessageField(tagBatchEntries, entry, writeAckResultEntry);
}

function receiveMessageResponseSize(m: ReceiveMessageResponse): number {
  const content = m.content;
  switch (content?.$case) {
    case 'status':
      return messageFieldSize(tagSize1, content.value, statusSize);
    case 'message':
      return messageFieldSize(tagSize1, content.value, messageSize);
    case 'deliveryTimestamp':
      return messageFieldSize(tagSize1, content.value, timeSize);
    default:
      return 0;
  }
}

function writeReceiveMessageResponse(m: ReceiveMessageResponse): void {
  const content = m.content;
  switch (content?.$case) {
    case 'status':
      writeMessageField(tagReceiveStatus, content.value, writeStatus);
      break;
    case 'message':
      writeMessageField(tagReceiveMessage, content.value, writeMessage);
      break;
    case 'deliveryTimestamp':
      writeMessageField(tagReceiveDeliveryTimestamp, content.value, writeTime);
      break;
  }
}

// ---------------------------------------------------------------------------------------------
// Public encoders: same bytes as `Buffer.from(X.encode(value).finish())`.

export function encodeReceiveMessageResponse(value: ReceiveMessageResponse): Buffer {
  return encode(value, receiveMessageResponseSize, writeReceiveMessageResponse);
}

export function encodeSendMessageResponse(value: SendMessageResponse): Buffer {
  return encode(value, sendMessageResponseSize, writeSendMessageResponse);
}

export function encodeAckMessageResponse(value: AckMessageResponse): Buffer {
  return encode(value, ackMessageResponseSize, writeAckMessageResponse);
}
