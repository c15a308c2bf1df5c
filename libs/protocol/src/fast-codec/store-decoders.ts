/**
 * Hand-written decoders for the hot messages of the internal store hop (quiver.store.v1):
 * AppendBatchRequest, which a store node decodes for every coalesced batch of appends, and
 * PopMessagesResponse, which a proxy decodes for every pop. Each returns a value deep-equal to
 * the generated `X.decode(bytes)` and throws for exactly the inputs that make the generated
 * decoder throw: the reader (wire-reader.ts) mirrors the generated decoders' quirks on purpose
 * (one read position, early ends, wrong wire types skipped, int64 / uint64 as numbers within
 * the safe range, bools as any 64-bit varint), and a singular field seen twice keeps the last
 * value, sub-messages included (no merge).
 *
 * Differences the generated code cannot observe: bodies are views of the input instead of
 * copies (same Buffer type and bytes; see "Bodies as views" below), and nested groups inside
 * skipped fields are walked with an explicit stack and a fixed depth bound instead of
 * recursion (see wire-reader.ts).
 *
 * ts-proto's decode recursion limit (100 levels) cannot trigger here: this schema nests at most
 * five messages deep (PopMessagesResponse, PoppedMessage, StoredMessage, MessageToStore, map entry).
 *
 * Bodies as views. A decoded body shares memory with the input and keeps the whole input
 * alive as long as it lives. That is safe for how both ends use them:
 * - the input is never written after it is decoded: grpc-js hands a deserializer a Buffer it
 *   assembled for that one message (Buffer.concat in its StreamDecoder) and drops it, and on the
 *   Calls stream the input is the `request` / `response` bytes of a StoreCall / StoreReply,
 *   which the generated decoder of those copies into a Buffer of their own;
 * - on the store node an AppendBatch's bodies live until the group commit that takes their
 *   append (at once, or after the write of the batch before it) encodes each message into its
 *   record, synchronously: encodePlacedMessageRecord copies the body into the record, and the
 *   queue log keeps no reference to the request's messages after that (what it keeps are
 *   records). The input is held about as long as the copies would have been, and no longer;
 * - on the proxy a pop's bodies live until ReceiveMessage turns them into response frames,
 *   whose encoder copies them into the frame (or until the surplus of a pop is released, which
 *   reads no body); nothing keeps a PoppedMessage after that.
 * Whoever starts keeping a decoded body for longer (a cache, a buffer of prefetched messages)
 * must copy it, or it pins the whole batch it came in.
 *
 * Whenever a generated decode function for one of these messages changes, mirror it here; the
 * property spec compares both on valid, mutated and truncated inputs.
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
  before,
  decodeWith,
  noBody,
  ownBody,
  readBool,
  readBytes,
  readInt32,
  readInt64,
  readString,
  readStringMapEntry,
  readTag,
  readUint64,
  skipUnknown,
  subEnd,
} from './wire-reader';

// Tags (field number << 3 | wire type), per message.
const tagMtsMessageId = 10;
const tagMtsTag = 18;
const tagMtsKeys = 26;
const tagMtsUserProperty = 34;
const tagMtsBody = 42;
const tagMtsBodyGzipped = 48;
const tagMtsBornTimestampMs = 56;
const tagMtsBornHost = 66;
const tagMtsKind = 72;
const tagMtsMessageGroup = 82;
const tagMtsDeliveryTimestampMs = 88;
const tagMtsTraceContext = 98;
const tagStoredMessage = 10;
const tagStoredTopic = 18;
const tagStoredQueueId = 24;
const tagStoredQueueOffset = 32;
const tagStoredStoreTimestampMs = 40;
const tagStoredStoreHost = 50;
const tagPoppedMessage = 10;
const tagPoppedDeliveryAttempt = 16;
const tagPoppedPopGeneration = 24;
const tagPoppedInvisibleUntilMs = 32;
const tagPopMessages = 10;
const tagPopDeadLettered = 16;
const tagAppendTopic = 10;
const tagAppendQueueId = 16;
const tagAppendMessages = 26;
const tagAppendEpoch = 120;
const tagBatchAppends = 10;
const tagBatchEpoch = 120;

// ---------------------------------------------------------------------------------------------
// Messages. Each takes the end its generated counterpart computes (subEnd(), unchecked).
// The object literals list the keys in the generated createBase order.

function decodeMessageToStore(end: number): MessageToStore {
  // noBody marks "no body yet"; it is never handed out (see ownBody).
  const message: MessageToStore = {
    messageId: '',
    tag: undefined,
    keys: [],
    userProperties: {},
    body: noBody,
    bodyGzipped: false,
    bornTimestampMs: 0,
    bornHost: '',
    kind: 0,
    messageGroup: undefined,
    deliveryTimestampMs: undefined,
    traceContext: undefined,
  };
  while (before(end)) {
    const tag = readTag();
    switch (tag) {
      case tagMtsMessageId:
        message.messageId = readString();
        break;
      case tagMtsTag:
        message.tag = readString();
        break;
      case tagMtsKeys:
        message.keys.push(readString());
        break;
      case tagMtsUserProperty:
        readStringMapEntry(subEnd(), message.userProperties);
        break;
      case tagMtsBody:
        message.body = readBytes();
        break;
      case tagMtsBodyGzipped:
        message.bodyGzipped = readBool();
        break;
      case tagMtsBornTimestampMs:
        message.bornTimestampMs = readInt64();
        break;
      case tagMtsBornHost:
        message.bornHost = readString();
        break;
      case tagMtsKind:
        message.kind = readInt32();
        break;
      case tagMtsMessageGroup:
        message.messageGroup = readString();
        break;
      case tagMtsDeliveryTimestampMs:
        message.deliveryTimestampMs = readInt64();
        break;
      case tagMtsTraceContext:
        message.traceContext = readString();
        break;
      default:
        if (!skipUnknown(tag)) return ownBody(message);
    }
  }
  return ownBody(message);
}

function decodeStoredMessage(end: number): StoredMessage {
  const message: StoredMessage = { message: undefined, topic: '', queueId: 0, queueOffset: 0, storeTimestampMs: 0, storeHost: '' };
  while (before(end)) {
    const tag = readTag();
    switch (tag) {
      case tagStoredMessage:
        message.message = decodeMessageToStore(subEnd());
        break;
      case tagStoredTopic:
        message.topic = readString();
        break;
      case tagStoredQueueId:
        message.queueId = readInt32();
        break;
      case tagStoredQueueOffset:
        message.queueOffset = readInt64();
        break;
      case tagStoredStoreTimestampMs:
        message.storeTimestampMs = readInt64();
        break;
      case tagStoredStoreHost:
        message.storeHost = readString();
        break;
      default:
        if (!skipUnknown(tag)) return message;
    }
  }
  return message;
}

function decodePoppedMessage(end: number): PoppedMessage {
  const message: PoppedMessage = { message: undefined, deliveryAttempt: 0, popGeneration: 0, invisibleUntilMs: 0 };
  while (before(end)) {
    const tag = readTag();
    switch (tag) {
      case tagPoppedMessage:
        message.message = decodeStoredMessage(subEnd());
        break;
      case tagPoppedDeliveryAttempt:
        message.deliveryAttempt = readInt32();
        break;
      case tagPoppedPopGeneration:
        message.popGeneration = readInt64();
        break;
      case tagPoppedInvisibleUntilMs:
        message.invisibleUntilMs = readInt64();
        break;
      default:
        if (!skipUnknown(tag)) return message;
    }
  }
  return message;
}

function decodePopResponse(end: number): PopMessagesResponse {
  const response: PopMessagesResponse = { messages: [], deadLettered: 0 };
  while (before(end)) {
    const tag = readTag();
    if (tag === tagPopMessages) {
      response.messages.push(decodePoppedMessage(subEnd()));
    } else if (tag === tagPopDeadLettered) {
      response.deadLettered = readInt32();
    } else if (!skipUnknown(tag)) {
      break;
    }
  }
  return response;
}

function decodeAppendMessagesRequest(end: number): AppendMessagesRequest {
  const request: AppendMessagesRequest = { topic: '', queueId: 0, messages: [], epoch: 0 };
  while (before(end)) {
    const tag = readTag();
    switch (tag) {
      case tagAppendTopic:
        request.topic = readString();
        break;
      case tagAppendQueueId:
        request.queueId = readInt32();
        break;
      case tagAppendMessages:
        request.messages.push(decodeMessageToStore(subEnd()));
        break;
      case tagAppendEpoch:
        request.epoch = readUint64();
        break;
      default:
        if (!skipUnknown(tag)) return request;
    }
  }
  return request;
}

function decodeBatchRequest(end: number): AppendBatchRequest {
  const request: AppendBatchRequest = { appends: [], epoch: 0 };
  while (before(end)) {
    const tag = readTag();
    if (tag === tagBatchAppends) {
      request.appends.push(decodeAppendMessagesRequest(subEnd()));
    } else if (tag === tagBatchEpoch) {
      request.epoch = readUint64();
    } else if (!skipUnknown(tag)) {
      break;
    }
  }
  return request;
}

// ---------------------------------------------------------------------------------------------
// Public decoders.

/** decodeAppendBatchRequest equals `AppendBatchRequest.decode(bytes)` and throws when it throws; bodies are views of `bytes`. */
export function decodeAppendBatchRequest(bytes: Uint8Array): AppendBatchRequest {
  return decodeWith(bytes, decodeBatchRequest);
}

/** decodePopMessagesResponse equals `PopMessagesResponse.decode(bytes)` and throws when it throws; bodies are views of `bytes`. */
export function decodePopMessagesResponse(bytes: Uint8Array): PopMessagesResponse {
  return decodeWith(bytes, decodePopResponse);
}
