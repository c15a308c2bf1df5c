/**
 * Decoding of the apache.rocketmq.v2 Message and what it holds (Resource, user property map
 * entries, SystemProperties, Digest, Timestamp, Duration, DeadLetterQueue) with the reader of
 * wire-reader.ts, for the SendMessageRequest decoder (request-decoders.ts, server side) and the
 * ReceiveMessageResponse decoder (response-decoders.ts, client side). Each function returns a
 * value deep-equal to the generated `X.decode` with the quirks wire-reader.ts lists; a singular
 * field seen twice keeps the last value, sub-messages included (no merge).
 *
 * Each takes the end its generated counterpart computes (subEnd(): the read position plus the
 * length, unchecked). The object literals list the keys in the generated createBase order.
 * Whenever a generated decode function for one of these messages changes, mirror it here; the
 * decoder specs compare both on valid, mutated and truncated inputs.
 */
import type { Duration } from '../gen/google/protobuf/duration';
import type { Timestamp } from '../gen/google/protobuf/timestamp';
import type { DeadLetterQueue, Digest, Message, Resource, SystemProperties } from '../gen/apache/rocketmq/v2/definition';
import {
  before,
  noBody,
  ownBody,
  readBytes,
  readInt32,
  readInt64,
  readString,
  readStringMapEntry,
  readTag,
  skipUnknown,
  subEnd,
} from './wire-reader';

// Tags (field number << 3 | wire type), per message.
const tagMessageTopic = 10;
const tagMessageUserProperty = 18;
const tagMessageSystemProperties = 26;
const tagMessageBody = 34;
const tagResourceNamespace = 10;
const tagResourceName = 18;
const tagTimeSeconds = 8;
const tagTimeNanos = 16;
const tagDigestType = 8;
const tagDigestChecksum = 18;
const tagDlqTopic = 10;
const tagDlqMessageId = 18;
const tagSpTag = 10;
const tagSpKeys = 18;
const tagSpMessageId = 26;
const tagSpBodyDigest = 34;
const tagSpBodyEncoding = 40;
const tagSpMessageType = 48;
const tagSpBornTimestamp = 58;
const tagSpBornHost = 66;
const tagSpStoreTimestamp = 74;
const tagSpStoreHost = 82;
const tagSpDeliveryTimestamp = 90;
const tagSpReceiptHandle = 98;
const tagSpQueueId = 104;
const tagSpQueueOffset = 112;
const tagSpInvisibleDuration = 122;
const tagSpDeliveryAttempt = 128;
const tagSpMessageGroup = 138;
const tagSpTraceContext = 146;
const tagSpOrphanedDuration = 154;
const tagSpDeadLetterQueue = 162;
const tagSpLiteTopic = 170;
const tagSpPriority = 176;

function decodeResource(end: number): Resource {
  const message: Resource = { resourceNamespace: '', name: '' };
  while (before(end)) {
    const tag = readTag();
    switch (tag) {
      case tagResourceNamespace:
        message.resourceNamespace = readString();
        break;
      case tagResourceName:
        message.name = readString();
        break;
      default:
        if (!skipUnknown(tag)) return message;
    }
  }
  return message;
}

/** Timestamp and Duration share one layout: int64 seconds = 1, int32 nanos = 2. */
export function decodeTime(end: number): Timestamp | Duration {
  const message: Timestamp | Duration = { seconds: 0, nanos: 0 };
  while (before(end)) {
    const tag = readTag();
    switch (tag) {
      case tagTimeSeconds:
        message.seconds = readInt64();
        break;
      case tagTimeNanos:
        message.nanos = readInt32();
        break;
      default:
        if (!skipUnknown(tag)) return message;
    }
  }
  return message;
}

function decodeDigest(end: number): Digest {
  const message: Digest = { type: 0, checksum: '' };
  while (before(end)) {
    const tag = readTag();
    switch (tag) {
      case tagDigestType:
        message.type = readInt32();
        break;
      case tagDigestChecksum:
        message.checksum = readString();
        break;
      default:
        if (!skipUnknown(tag)) return message;
    }
  }
  return message;
}

function decodeDeadLetterQueue(end: number): DeadLetterQueue {
  const message: DeadLetterQueue = { topic: '', messageId: '' };
  while (before(end)) {
    const tag = readTag();
    switch (tag) {
      case tagDlqTopic:
        message.topic = readString();
        break;
      case tagDlqMessageId:
        message.messageId = readString();
        break;
      default:
        if (!skipUnknown(tag)) return message;
    }
  }
  return message;
}

function decodeSystemProperties(end: number): SystemProperties {
  const message: SystemProperties = {
    tag: undefined,
    keys: [],
    messageId: '',
    bodyDigest: undefined,
    bodyEncoding: 0,
    messageType: 0,
    bornTimestamp: undefined,
    bornHost: '',
    storeTimestamp: undefined,
    storeHost: '',
    deliveryTimestamp: undefined,
    receiptHandle: undefined,
    queueId: 0,
    queueOffset: undefined,
    invisibleDuration: undefined,
    deliveryAttempt: undefined,
    messageGroup: undefined,
    traceContext: undefined,
    orphanedTransactionRecoveryDuration: undefined,
    deadLetterQueue: undefined,
    liteTopic: undefined,
    priority: undefined,
  };
  while (before(end)) {
    const tag = readTag();
    switch (tag) {
      case tagSpTag:
        message.tag = readString();
        break;
      case tagSpKeys:
        message.keys.push(readString());
        break;
      case tagSpMessageId:
        message.messageId = readString();
        break;
      case tagSpBodyDigest:
        message.bodyDigest = decodeDigest(subEnd());
        break;
      case tagSpBodyEncoding:
        message.bodyEncoding = readInt32();
        break;
      case tagSpMessageType:
        message.messageType = readInt32();
        break;
      case tagSpBornTimestamp:
        message.bornTimestamp = decodeTime(subEnd());
        break;
      case tagSpBornHost:
        message.bornHost = readString();
        break;
      case tagSpStoreTimestamp:
        message.storeTimestamp = decodeTime(subEnd());
        break;
      case tagSpStoreHost:
        message.storeHost = readString();
        break;
      case tagSpDeliveryTimestamp:
        message.deliveryTimestamp = decodeTime(subEnd());
        break;
      case tagSpReceiptHandle:
        message.receiptHandle = readString();
        break;
      case tagSpQueueId:
        message.queueId = readInt32();
        break;
      case tagSpQueueOffset:
        message.queueOffset = readInt64();
        break;
      case tagSpInvisibleDuration:
        message.invisibleDuration = decodeTime(subEnd());
        break;
      case tagSpDeliveryAttempt:
        message.deliveryAttempt = readInt32();
        break;
      case tagSpMessageGroup:
        message.messageGroup = readString();
        break;
      case tagSpTraceContext:
        message.traceContext = readString();
        break;
      case tagSpOrphanedDuration:
        message.orphanedTransactionRecoveryDuration = decodeTime(subEnd());
        break;
      case tagSpDeadLetterQueue:
        message.deadLetterQueue = decodeDeadLetterQueue(subEnd());
        break;
      case tagSpLiteTopic:
        message.liteTopic = readString();
        break;
      case tagSpPriority:
        message.priority = readInt32();
        break;
      default:
        if (!skipUnknown(tag)) return message;
    }
  }
  return message;
}

/** decodeMessage decodes a Message; its body is a view of the input (see wire-reader.ts). */
export function decodeMessage(end: number): Message {
  // noBody marks "no body yet"; it is never handed out (see ownBody).
  const message: Message = { topic: undefined, userProperties: {}, systemProperties: undefined, body: noBody };
  while (before(end)) {
    const tag = readTag();
    switch (tag) {
      case tagMessageTopic:
        message.topic = decodeResource(subEnd());
        break;
      case tagMessageUserProperty:
        readStringMapEntry(subEnd(), message.userProperties);
        break;
      case tagMessageSystemProperties:
        message.systemProperties = decodeSystemProperties(subEnd());
        break;
      case tagMessageBody:
        message.body = readBytes();
        break;
      default:
        if (!skipUnknown(tag)) return ownBody(message);
    }
  }
  return ownBody(message);
}
