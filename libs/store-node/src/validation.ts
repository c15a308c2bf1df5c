/**
 * validation checks StoreService requests at the store node's edge. In a cluster they arrive
 * over the network, so nothing is trusted: every defect is a QuiverError BAD_REQUEST (never an
 * assertion), and what passes is guaranteed to fit the storage record format.
 */
import { MessageKind, QuiverError, QuiverErrorCode } from '@quiver/core';
import type { MessageToStore } from '@quiver/core';
import type { AppendRequest, HandOut, PopRequest, PullRequest } from '@quiver/client';
import { POP_BATCH_MESSAGES_MAX, POP_QUEUE_COUNT_MAX, INVISIBLE_DURATION_MS_MAX } from '@quiver/consumption';
import { APPEND_MESSAGES_MAX, MESSAGE_BODY_BYTES_MAX, MESSAGE_KEY_COUNT_MAX, MESSAGE_PROPERTY_COUNT_MAX, STRING_FIELD_BYTES_MAX } from '@quiver/storage';

import { GROUP_NAME_BYTES_MAX, MESSAGE_ID_BYTES_MAX, MESSAGE_METADATA_BYTES_MAX, POLL_TIMEOUT_MS_MAX, QUEUE_ID_MAX, TOPIC_NAME_BYTES_MAX } from './limits';

const messageKinds = new Set<string>(Object.values(MessageKind));

function badRequest(message: string): QuiverError {
  return new QuiverError(QuiverErrorCode.BadRequest, message);
}

function isName(value: unknown, bytesMax: number): boolean {
  return typeof value === 'string' && value !== '' && Buffer.byteLength(value, 'utf8') <= bytesMax;
}

function checkName(value: unknown, field: string, bytesMax: number): void {
  if (!isName(value, bytesMax)) throw badRequest(`${field} must be a non-empty string of at most ${bytesMax} bytes`);
}

function isInteger(value: unknown, min: number, max: number): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

function checkInteger(value: unknown, field: string, min: number, max: number): void {
  if (!isInteger(value, min, max)) throw badRequest(`${field} must be an integer from ${min} to ${max}, got ${String(value)}`);
}

function isTimestamp(value: unknown): boolean {
  return isInteger(value, 0, Number.MAX_SAFE_INTEGER);
}

function checkTimestamp(value: unknown, field: string): void {
  checkInteger(value, field, 0, Number.MAX_SAFE_INTEGER);
}

export function checkTopic(topic: unknown, field = 'topic'): void {
  checkName(topic, field, TOPIC_NAME_BYTES_MAX);
}

export function checkGroup(group: unknown): void {
  checkName(group, 'group', GROUP_NAME_BYTES_MAX);
}

export function checkQueueId(queueId: unknown): void {
  checkInteger(queueId, 'queueId', 0, QUEUE_ID_MAX);
}

export function checkInvisibleDuration(invisibleDurationMs: unknown): void {
  checkInteger(invisibleDurationMs, 'invisibleDurationMs', 0, INVISIBLE_DURATION_MS_MAX);
}

/** checkHandOut checks a hand-out's shape; whether it is current is the consumption state's call. */
export function checkHandOut(handOut: HandOut): void {
  checkQueueId(handOut.queueId);
  checkInteger(handOut.offset, 'offset', 0, Number.MAX_SAFE_INTEGER);
  checkInteger(handOut.popGeneration, 'popGeneration', 0, Number.MAX_SAFE_INTEGER);
}

export function checkAppendRequest(request: AppendRequest): void {
  checkTopic(request.topic);
  checkQueueId(request.queueId);
  if (!Array.isArray(request.messages) || request.messages.length < 1 || request.messages.length > APPEND_MESSAGES_MAX) {
    throw badRequest(`an append holds 1 to ${APPEND_MESSAGES_MAX} messages`);
  }
  request.messages.forEach(checkMessage);
}

export function checkPopRequest(request: PopRequest): void {
  checkGroup(request.group);
  checkTopic(request.topic);
  checkInteger(request.queueCount, 'queueCount', 1, POP_QUEUE_COUNT_MAX);
  checkInteger(request.batchSize, 'batchSize', 1, POP_BATCH_MESSAGES_MAX);
  checkInvisibleDuration(request.invisibleDurationMs);
  checkInteger(request.pollTimeoutMs, 'pollTimeoutMs', 0, POLL_TIMEOUT_MS_MAX);
  if (typeof request.filter !== 'object' || request.filter === null) throw badRequest('filter is required');
}

export function checkPullRequest(request: PullRequest): void {
  checkTopic(request.topic);
  checkQueueId(request.queueId);
  checkInteger(request.offset, 'offset', 0, Number.MAX_SAFE_INTEGER);
  checkInteger(request.batchSize, 'batchSize', 1, POP_BATCH_MESSAGES_MAX);
  checkInteger(request.pollTimeoutMs, 'pollTimeoutMs', 0, POLL_TIMEOUT_MS_MAX);
  if (typeof request.filter !== 'object' || request.filter === null) throw badRequest('filter is required');
}

/** checkQueueIds checks the queues an offsets request names: 1..POP_QUEUE_COUNT_MAX ids, each a valid queue id. */
export function checkQueueIds(queueIds: unknown): void {
  if (!Array.isArray(queueIds) || queueIds.length < 1 || queueIds.length > POP_QUEUE_COUNT_MAX) {
    throw badRequest(`queueIds must name 1 to ${POP_QUEUE_COUNT_MAX} queues`);
  }
  queueIds.forEach(checkQueueId);
}

/**
 * checkMessage checks messages[index] of an append: types, counts and sizes, so the storage
 * record format holds it. It runs for every message sent, so nothing is allocated unless it
 * fails (field names are built for the error only).
 */
export function checkMessage(message: MessageToStore, index: number): void {
  if (typeof message !== 'object' || message === null) throw badRequest(`${messageField(index)} is not a message`);
  if (!isName(message.messageId, MESSAGE_ID_BYTES_MAX)) checkName(message.messageId, `${messageField(index)}.messageId`, MESSAGE_ID_BYTES_MAX);
  let metadataBytes = textBytes(message.bornHost, true, index, 'bornHost');
  metadataBytes += textBytes(message.tag, false, index, 'tag');
  metadataBytes += textBytes(message.messageGroup, false, index, 'messageGroup');
  metadataBytes += textBytes(message.traceContext, false, index, 'traceContext');
  if (!isTimestamp(message.bornTimestampMs)) checkTimestamp(message.bornTimestampMs, `${messageField(index)}.bornTimestampMs`);
  if (message.deliveryTimestampMs !== undefined && !isTimestamp(message.deliveryTimestampMs)) {
    checkTimestamp(message.deliveryTimestampMs, `${messageField(index)}.deliveryTimestampMs`);
  }
  if (typeof message.kind !== 'string' || !messageKinds.has(message.kind)) throw badRequest(`${messageField(index)}.kind is not a message kind`);
  if (typeof message.bodyGzipped !== 'boolean') throw badRequest(`${messageField(index)}.bodyGzipped must be a boolean`);
  if (!(message.body instanceof Uint8Array)) throw badRequest(`${messageField(index)}.body must be bytes`);
  if (message.body.byteLength > MESSAGE_BODY_BYTES_MAX) throw badRequest(`${messageField(index)}.body exceeds ${MESSAGE_BODY_BYTES_MAX} bytes`);
  const keys: unknown = message.keys;
  if (!Array.isArray(keys) || keys.length > MESSAGE_KEY_COUNT_MAX) throw badRequest(`${messageField(index)}.keys holds at most ${MESSAGE_KEY_COUNT_MAX} keys`);
  for (let key = 0; key < keys.length; key++) metadataBytes += textBytes(keys[key], true, index, 'keys', key);
  const userProperties: unknown = message.userProperties;
  if (typeof userProperties !== 'object' || userProperties === null || Array.isArray(userProperties)) {
    throw badRequest(`${messageField(index)}.userProperties must be a string map`);
  }
  let propertyCount = 0;
  for (const name in userProperties) {
    if (!Object.prototype.hasOwnProperty.call(userProperties, name)) continue;
    propertyCount += 1;
    if (propertyCount > MESSAGE_PROPERTY_COUNT_MAX) throw badRequest(`${messageField(index)}.userProperties holds at most ${MESSAGE_PROPERTY_COUNT_MAX} entries`);
    metadataBytes += textBytes(name, true, index, 'userProperties name');
    metadataBytes += textBytes((userProperties as Record<string, unknown>)[name], true, index, 'userProperties', name);
  }
  if (metadataBytes > MESSAGE_METADATA_BYTES_MAX) throw badRequest(`${messageField(index)} carries ${metadataBytes} bytes of metadata, more than ${MESSAGE_METADATA_BYTES_MAX}`);
}

/** textBytes is the UTF-8 size of a text field of messages[index] (0 when optional and absent); `element` names a key's index or a property. */
function textBytes(value: unknown, required: boolean, index: number, name: string, element?: number | string): number {
  if (value === undefined && !required) return 0;
  if (typeof value !== 'string') throw badRequest(`${textFieldName(index, name, element)} must be a string`);
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes > STRING_FIELD_BYTES_MAX) throw badRequest(`${textFieldName(index, name, element)} exceeds ${STRING_FIELD_BYTES_MAX} bytes`);
  return bytes;
}

function messageField(index: number): string {
  return `messages[${index}]`;
}

function textFieldName(index: number, name: string, element: number | string | undefined): string {
  return `${messageField(index)}.${name}${element === undefined ? '' : `[${element}]`}`;
}
