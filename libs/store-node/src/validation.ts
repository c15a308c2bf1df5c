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

function checkName(value: unknown, field: string, bytesMax: number): void {
  if (typeof value !== 'string' || value === '' || Buffer.byteLength(value, 'utf8') > bytesMax) {
    throw badRequest(`${field} must be a non-empty string of at most ${bytesMax} bytes`);
  }
}

function checkInteger(value: unknown, field: string, min: number, max: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw badRequest(`${field} must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
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
  request.messages.forEach((message, index) => checkMessage(message, `messages[${index}]`));
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

/** checkMessage checks one message to store: types, counts and sizes, so the storage record format holds it. */
export function checkMessage(message: MessageToStore, field: string): void {
  if (typeof message !== 'object' || message === null) throw badRequest(`${field} is not a message`);
  let metadataBytes = 0;
  const checkText = (value: unknown, name: string, required: boolean): void => {
    if (value === undefined && !required) return;
    if (typeof value !== 'string') throw badRequest(`${field}.${name} must be a string`);
    const bytes = Buffer.byteLength(value, 'utf8');
    if (bytes > STRING_FIELD_BYTES_MAX) throw badRequest(`${field}.${name} exceeds ${STRING_FIELD_BYTES_MAX} bytes`);
    metadataBytes += bytes;
  };
  checkName(message.messageId, `${field}.messageId`, MESSAGE_ID_BYTES_MAX);
  checkText(message.bornHost, 'bornHost', true);
  checkText(message.tag, 'tag', false);
  checkText(message.messageGroup, 'messageGroup', false);
  checkText(message.traceContext, 'traceContext', false);
  checkTimestamp(message.bornTimestampMs, `${field}.bornTimestampMs`);
  if (message.deliveryTimestampMs !== undefined) checkTimestamp(message.deliveryTimestampMs, `${field}.deliveryTimestampMs`);
  if (typeof message.kind !== 'string' || !messageKinds.has(message.kind)) throw badRequest(`${field}.kind is not a message kind`);
  if (typeof message.bodyGzipped !== 'boolean') throw badRequest(`${field}.bodyGzipped must be a boolean`);
  if (!(message.body instanceof Uint8Array)) throw badRequest(`${field}.body must be bytes`);
  if (message.body.byteLength > MESSAGE_BODY_BYTES_MAX) throw badRequest(`${field}.body exceeds ${MESSAGE_BODY_BYTES_MAX} bytes`);
  if (!Array.isArray(message.keys) || message.keys.length > MESSAGE_KEY_COUNT_MAX) throw badRequest(`${field}.keys holds at most ${MESSAGE_KEY_COUNT_MAX} keys`);
  message.keys.forEach((key, index) => checkText(key, `keys[${index}]`, true));
  if (typeof message.userProperties !== 'object' || message.userProperties === null || Array.isArray(message.userProperties)) {
    throw badRequest(`${field}.userProperties must be a string map`);
  }
  const properties = Object.entries(message.userProperties);
  if (properties.length > MESSAGE_PROPERTY_COUNT_MAX) throw badRequest(`${field}.userProperties holds at most ${MESSAGE_PROPERTY_COUNT_MAX} entries`);
  for (const [name, value] of properties) {
    checkText(name, 'userProperties name', true);
    checkText(value, `userProperties[${name}]`, true);
  }
  if (metadataBytes > MESSAGE_METADATA_BYTES_MAX) throw badRequest(`${field} carries ${metadataBytes} bytes of metadata, more than ${MESSAGE_METADATA_BYTES_MAX}`);
}
