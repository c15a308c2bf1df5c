/**
 * Hand-written decoders for the hot messages of the internal store hop (quiver.store.v1):
 * AppendBatchRequest, which a store node decodes for every coalesced batch of appends, and
 * PopMessagesResponse, which a proxy decodes for every pop. Each returns a value deep-equal to
 * the generated `X.decode(bytes)` and throws for exactly the inputs that make the generated
 * decoder throw, so it mirrors the generated decoders' quirks on purpose:
 *
 * - one read position over the whole input: a sub-message's length is never checked against
 *   the input or its parent, only every read is; a sub-message ends early at a zero tag or an
 *   end-group tag, and its parent carries on from there;
 * - a known field number with the wrong wire type is skipped like an unknown field;
 * - a singular field seen twice keeps the last value, sub-messages included (no merge);
 * - strings are decoded like BinaryReader.string(): the shared non-fatal TextDecoder (invalid
 *   UTF-8 becomes U+FFFD, a leading BOM is dropped); ASCII takes a shortcut with the same result;
 * - int64 and uint64 fields become numbers and throw outside the safe-integer range (ts-proto
 *   longToNumber; a uint64 is never negative, so it only throws above 2^53 - 1);
 * - a bool is any varint up to ten bytes, true unless all its 64 bits are zero.
 *
 * Differences the generated code cannot observe: bodies are views of the input instead of
 * copies (same Buffer type and bytes; see "Bodies as views" below), and nested groups inside
 * skipped fields are walked with an explicit stack and a fixed depth bound instead of
 * recursion (see groupNestingMax).
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
 * The reader is a copy of request-decoders.ts (each module keeps its reader state to itself),
 * plus uint64 and bool; a fix to one belongs in both. Whenever a generated decode function for
 * one of these messages changes, mirror it here; the property spec compares both on valid,
 * mutated and truncated inputs.
 */
import { getTextEncoding } from '@bufbuild/protobuf/wire';
import type {
  AppendBatchRequest,
  AppendMessagesRequest,
  MessageToStore,
  PoppedMessage,
  PopMessagesResponse,
  StoredMessage,
} from '../gen/quiver/store/v1/store';

// Wire types.
const wireVarint = 0;
const wireBit64 = 1;
const wireLengthDelimited = 2;
const wireStartGroup = 3;
const wireEndGroup = 4;
const wireBit32 = 5;
const wireTypeMask = 7;
const fieldShift = 3;
const bit64Bytes = 8;
const bit32Bytes = 4;

// Varint arithmetic, as in @bufbuild's varint32read / varint64read.
const continuation = 0x80;
const payloadMask = 0x7f;
/** The fifth byte of a 32-bit varint contributes its low four bits. */
const fifthByteMask = 0x0f;
/** The fifth byte of a 64-bit varint gives bits 32-34 from these bits. */
const fifthByteHighMask = 0x70;
const fifthByteHighShift = 4;
const varintBytesMax = 10;
const twoPow32 = 0x1_0000_0000;
/** An int64 is unsafe when its signed high word is at least this, or below its negation (or equal with a zero low word). */
const safeHighWordLimit = 0x20_0000;

/**
 * The generated reader skips nested groups recursively and overflows the JS stack at about 4.8k
 * levels with Node's default stack (deeper once optimized). A fixed bound well below that keeps
 * the outcome deterministic and throws whenever the generated reader does; the price is that
 * 2048 to ~4.8k nested groups, which no peer sends, are refused here but not there.
 */
const groupNestingMax = 2048;

/** ASCII strings up to this many bytes are built in JS; longer ones by a native slice. */
const shortStringBytes = 16;

// Tags (field number << 3 | wire type), per message.
const tagEntryKey = 10;
const tagEntryValue = 18;
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
// Reader state. Decoding is synchronous and never re-entered, so it lives at module level.

const emptyBuffer = Buffer.alloc(0);
let buf: Buffer = emptyBuffer;
let pos = 0;
let len = 0;
let decodeUtf8: ((bytes: Uint8Array) => string) | undefined;
/** varintHigh is the high word of the last readVarint64, which returns the low word. */
let varintHigh = 0;

// Same error types and texts as BinaryReader, so error details read the same.
function prematureEof(): RangeError {
  return new RangeError('premature EOF');
}

function invalidVarint(): Error {
  return new Error('invalid varint');
}

/** readUint32 is BinaryReader.uint32 (varint32read): tags, lengths and int32 fields. */
function readUint32(): number {
  if (pos >= len) throw prematureEof();
  let byte = buf[pos++];
  if (byte < continuation) return byte;
  let result = byte & payloadMask;
  for (let shift = 7; shift < 28; shift += 7) {
    if (pos >= len) throw prematureEof();
    byte = buf[pos++];
    result |= (byte & payloadMask) << shift;
    if (byte < continuation) return result;
  }
  if (pos >= len) throw prematureEof();
  byte = buf[pos++];
  result |= (byte & fifthByteMask) << 28;
  // Bytes six to ten only need to end the varint; their payload is dropped.
  for (let read = 5; byte >= continuation && read < varintBytesMax; read++) {
    if (pos >= len) throw prematureEof();
    byte = buf[pos++];
  }
  if (byte >= continuation) throw invalidVarint();
  return result >>> 0;
}

/** readLengthEnd reads a length prefix and returns the end of the bytes, checked against the input. */
function readLengthEnd(): number {
  const size = readUint32();
  const end = pos + size;
  if (end > len) throw prematureEof();
  return end;
}

/**
 * readVarint64 is BinaryReader's varint64read: it returns the low word (signed 32-bit) and
 * leaves the high word in varintHigh. A varint of more than ten bytes is invalid; one that
 * runs past the input is premature EOF (the generated reader finds that after the fact).
 */
function readVarint64(): number {
  let lo = 0;
  let hi = 0;
  let byte = 0;
  for (let shift = 0; shift < 28; shift += 7) {
    if (pos >= len) throw prematureEof();
    byte = buf[pos++];
    lo |= (byte & payloadMask) << shift;
    if (byte < continuation) {
      varintHigh = 0;
      return lo;
    }
  }
  if (pos >= len) throw prematureEof();
  byte = buf[pos++];
  lo |= (byte & fifthByteMask) << 28;
  hi = (byte & fifthByteHighMask) >> fifthByteHighShift;
  if (byte >= continuation) {
    for (let shift = 3; ; shift += 7) {
      if (shift > 31) throw invalidVarint();
      if (pos >= len) throw prematureEof();
      byte = buf[pos++];
      hi |= (byte & payloadMask) << shift;
      if (byte < continuation) break;
    }
  }
  varintHigh = hi;
  return lo;
}

/**
 * readInt64 is BinaryReader.int64 followed by ts-proto's longToNumber: the signed value as a
 * number, throwing outside ±(2^53 - 1) with longToNumber's messages.
 */
function readInt64(): number {
  const lo = readVarint64();
  const hi = varintHigh;
  // hi is the signed high word; hi * 2^32 + lo is exact whenever the result is safe.
  if (hi >= safeHighWordLimit) throw new Error('Value is larger than Number.MAX_SAFE_INTEGER');
  if (hi < -safeHighWordLimit || (hi === -safeHighWordLimit && lo === 0)) {
    throw new Error('Value is smaller than Number.MIN_SAFE_INTEGER');
  }
  return hi * twoPow32 + (lo >>> 0);
}

/** readUint64 is BinaryReader.uint64 followed by longToNumber: never negative, so it only throws above 2^53 - 1. */
function readUint64(): number {
  const lo = readVarint64();
  const hi = varintHigh >>> 0;
  if (hi >= safeHighWordLimit) throw new Error('Value is larger than Number.MAX_SAFE_INTEGER');
  return hi * twoPow32 + (lo >>> 0);
}

/** readBool is BinaryReader.bool: a 64-bit varint, true unless all its bits are zero. */
function readBool(): boolean {
  const lo = readVarint64();
  return lo !== 0 || varintHigh !== 0;
}

/** readString is BinaryReader.string(): non-fatal UTF-8 with BOM stripping. */
function readString(): string {
  const end = readLengthEnd();
  const start = pos;
  pos = end;
  for (let i = start; i < end; i++) {
    if (buf[i] >= continuation) return decodeUtf8Slow(start, end);
  }
  // ASCII: one code unit per byte, as UTF-8 decodes it (a BOM is not ASCII).
  return end - start <= shortStringBytes ? asciiShort(start, end) : buf.toString('latin1', start, end);
}

const fromCharCode = String.fromCharCode;

/**
 * asciiShort builds a short ASCII string with one fromCharCode call per eight bytes: far
 * cheaper than a native slice call or a per-character concatenation for the typical topic,
 * host, message id and property strings.
 */
function asciiShort(start: number, end: number): string {
  const b = buf;
  const s = start;
  switch (end - start) {
    case 0:
      return '';
    case 1:
      return fromCharCode(b[s]);
    case 2:
      return fromCharCode(b[s], b[s + 1]);
    case 3:
      return fromCharCode(b[s], b[s + 1], b[s + 2]);
    case 4:
      return fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3]);
    case 5:
      return fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4]);
    case 6:
      return fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5]);
    case 7:
      return fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6]);
    case 8:
      return fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7]);
    default:
      return asciiShort(s, s + 8) + asciiShort(s + 8, end);
  }
}

function decodeUtf8Slow(start: number, end: number): string {
  // The same decoder BinaryReader captures, so a configured text encoding applies here too.
  decodeUtf8 ??= getTextEncoding().decodeUtf8;
  return decodeUtf8(buf.subarray(start, end));
}

/** readBytes returns a view of the input (the generated decoder returns a copy; see the header). */
function readBytes(): Buffer {
  const end = readLengthEnd();
  const start = pos;
  pos = end;
  return Buffer.from(buf.buffer, buf.byteOffset + start, end - start);
}

// ---------------------------------------------------------------------------------------------
// Unknown fields, as BinaryReader.skip.

function skipField(wireType: number): void {
  switch (wireType) {
    case wireVarint:
      // Unlike readUint32 a skipped varint may be any length.
      for (;;) {
        if (pos >= len) throw prematureEof();
        if (buf[pos++] < continuation) return;
      }
    case wireBit64:
      pos += bit64Bytes;
      if (pos > len) throw prematureEof();
      return;
    case wireBit32:
      pos += bit32Bytes;
      if (pos > len) throw prematureEof();
      return;
    case wireLengthDelimited:
      pos = readLengthEnd();
      return;
    case wireStartGroup:
      skipGroup();
      return;
    default:
      throw new Error(`cant skip wire type ${wireType}`);
  }
}

/**
 * skipGroup consumes a group up to its end-group tag. The outermost group (entered from a
 * message) ends at any end-group tag, nested ones only at their own field number, and inside
 * a group every tag must have a field number and a wire type up to 5, as BinaryReader.tag().
 */
function skipGroup(): void {
  const open: number[] = [];
  for (;;) {
    const tag = readUint32();
    const fieldNo = tag >>> fieldShift;
    const wireType = tag & wireTypeMask;
    if (fieldNo === 0 || wireType > wireBit32) {
      throw new Error(`illegal tag: field no ${fieldNo} wire type ${wireType}`);
    }
    if (wireType === wireEndGroup) {
      const expected = open.pop();
      if (expected === undefined) return;
      if (fieldNo !== expected) throw new Error('invalid end group tag');
    } else if (wireType === wireStartGroup) {
      if (open.length + 1 >= groupNestingMax) throw new RangeError('protobuf group nesting too deep');
      open.push(fieldNo);
    } else {
      skipField(wireType);
    }
  }
}

/**
 * skipUnknown handles a tag no case matched. It returns false when the message ends here:
 * the generated loops stop at a zero tag or any end-group tag, without consuming more.
 */
function skipUnknown(tag: number): boolean {
  const wireType = tag & wireTypeMask;
  if (wireType === wireEndGroup || tag === 0) return false;
  skipField(wireType);
  return true;
}

/** readTag is readUint32 with the one-byte case inline. */
function readTag(): number {
  if (pos < len) {
    const byte = buf[pos];
    if (byte < continuation) {
      pos++;
      return byte;
    }
  }
  return readUint32();
}

/** subEnd reads a sub-message's length and returns its end, unchecked like the generated code. */
function subEnd(): number {
  const size = readUint32();
  return pos + size;
}

// ---------------------------------------------------------------------------------------------
// Messages. Each takes the end its generated counterpart computes (`pos + length`, unchecked).
// The object literals list the keys in the generated createBase order.

/**
 * decodeUserProperty reads one map entry into `properties` with a plain assignment, as the
 * generated code does (its `value !== undefined` check always passes, and a "__proto__" key
 * is dropped the same way).
 */
function decodeUserProperty(end: number, properties: { [key: string]: string }): void {
  let key = '';
  let value = '';
  while (pos < end) {
    const tag = readTag();
    if (tag === tagEntryKey) {
      key = readString();
    } else if (tag === tagEntryValue) {
      value = readString();
    } else if (!skipUnknown(tag)) {
      break;
    }
  }
  properties[key] = value;
}

function decodeMessageToStore(end: number): MessageToStore {
  // emptyBuffer marks "no body yet"; it is never handed out (see ownBody).
  const message: MessageToStore = {
    messageId: '',
    tag: undefined,
    keys: [],
    userProperties: {},
    body: emptyBuffer,
    bodyGzipped: false,
    bornTimestampMs: 0,
    bornHost: '',
    kind: 0,
    messageGroup: undefined,
    deliveryTimestampMs: undefined,
    traceContext: undefined,
  };
  while (pos < end) {
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
        decodeUserProperty(subEnd(), message.userProperties);
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
        message.kind = readUint32() | 0;
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

/** The generated default body is a fresh Buffer.alloc(0) per message, never a shared one. */
function ownBody(message: MessageToStore): MessageToStore {
  if (message.body === emptyBuffer) message.body = Buffer.alloc(0);
  return message;
}

function decodeStoredMessage(end: number): StoredMessage {
  const message: StoredMessage = { message: undefined, topic: '', queueId: 0, queueOffset: 0, storeTimestampMs: 0, storeHost: '' };
  while (pos < end) {
    const tag = readTag();
    switch (tag) {
      case tagStoredMessage:
        message.message = decodeMessageToStore(subEnd());
        break;
      case tagStoredTopic:
        message.topic = readString();
        break;
      case tagStoredQueueId:
        message.queueId = readUint32() | 0;
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
  while (pos < end) {
    const tag = readTag();
    switch (tag) {
      case tagPoppedMessage:
        message.message = decodeStoredMessage(subEnd());
        break;
      case tagPoppedDeliveryAttempt:
        message.deliveryAttempt = readUint32() | 0;
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

function decodePopResponse(): PopMessagesResponse {
  const response: PopMessagesResponse = { messages: [], deadLettered: 0 };
  while (pos < len) {
    const tag = readTag();
    if (tag === tagPopMessages) {
      response.messages.push(decodePoppedMessage(subEnd()));
    } else if (tag === tagPopDeadLettered) {
      response.deadLettered = readUint32() | 0;
    } else if (!skipUnknown(tag)) {
      break;
    }
  }
  return response;
}

function decodeAppendMessagesRequest(end: number): AppendMessagesRequest {
  const request: AppendMessagesRequest = { topic: '', queueId: 0, messages: [], epoch: 0 };
  while (pos < end) {
    const tag = readTag();
    switch (tag) {
      case tagAppendTopic:
        request.topic = readString();
        break;
      case tagAppendQueueId:
        request.queueId = readUint32() | 0;
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

function decodeBatchRequest(): AppendBatchRequest {
  const request: AppendBatchRequest = { appends: [], epoch: 0 };
  while (pos < len) {
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

function decodeWith<T>(bytes: Uint8Array, decodeTop: () => T): T {
  buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  pos = 0;
  len = buf.length;
  decodeUtf8 = undefined;
  try {
    return decodeTop();
  } finally {
    buf = emptyBuffer; // do not pin the input between calls
  }
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
