/**
 * Hand-written decoder for ReceiveMessageResponse, the frames of the ReceiveMessage server
 * stream (status, message, delivery_timestamp), for clients: the lean benchmark driver and
 * RawClient with `fastCodecs`. It returns a value deep-equal to the generated
 * `ReceiveMessageResponse.decode(bytes)` and throws for exactly the inputs that make the
 * generated decoder throw. It is the SendMessageRequest decoder of request-decoders.ts with
 * another top level: the Message below it (Resource, map entries, SystemProperties, Digest,
 * Timestamp, Duration, DeadLetterQueue) is decoded the same way, with the same deliberate
 * quirks of the generated decoders:
 *
 * - one read position over the whole input: a sub-message's length is never checked against
 *   the input or its parent, only every read is; a sub-message ends early at a zero tag or an
 *   end-group tag, and its parent carries on from there;
 * - a known field number with the wrong wire type is skipped like an unknown field;
 * - a singular field seen twice keeps the last value, sub-messages and the `content` oneof
 *   included (no merge: a second `message` replaces the first, a `status` after a `message`
 *   replaces the whole content);
 * - strings are decoded like BinaryReader.string(): the shared non-fatal TextDecoder (invalid
 *   UTF-8 becomes U+FFFD, a leading BOM is dropped); ASCII takes a shortcut with the same result;
 * - int64 fields become numbers and throw outside the safe-integer range (ts-proto longToNumber).
 *
 * Differences the generated code cannot observe: bodies are views of the input instead of
 * copies (same Buffer type and bytes; a body keeps the whole frame it came in alive), and
 * nested groups inside skipped fields are walked with an explicit stack and a fixed depth bound
 * instead of recursion (see groupNestingMax).
 *
 * ts-proto's decode recursion limit (100 levels) cannot trigger here: this schema nests at most
 * four messages deep (response, Message, SystemProperties, Timestamp).
 *
 * The reader and the Message decoders are a copy of request-decoders.ts (each module keeps its
 * reader state to itself); a fix to one belongs in both. Whenever a generated decode function
 * for one of these messages changes, mirror it here; the property spec compares both on valid,
 * mutated and truncated inputs.
 */
import { getTextEncoding } from '@bufbuild/protobuf/wire';
import type { Duration } from '../gen/google/protobuf/duration';
import type { Timestamp } from '../gen/google/protobuf/timestamp';
import type { DeadLetterQueue, Digest, Message, Resource, Status, SystemProperties } from '../gen/apache/rocketmq/v2/definition';
import type { ReceiveMessageResponse } from '../gen/apache/rocketmq/v2/service';

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
const varintBytesMax = 10;
const twoPow32 = 0x1_0000_0000;
/** An int64 is unsafe when its signed high word is at least this, or below its negation (or equal with a zero low word). */
const safeHighWordLimit = 0x20_0000;

/**
 * The generated reader skips nested groups recursively and overflows the JS stack at about 4.8k
 * levels with Node's default stack (deeper once optimized). A fixed bound well below that keeps
 * the outcome deterministic and throws whenever the generated reader does; the price is that
 * 2048 to ~4.8k nested groups, which no server sends, are refused here but not there.
 */
const groupNestingMax = 2048;

/** ASCII strings up to this many bytes are built in JS; longer ones by a native slice. */
const shortStringBytes = 16;

// Tags (field number << 3 | wire type), per message.
const tagResponseStatus = 10;
const tagResponseMessage = 18;
const tagResponseDeliveryTimestamp = 26;
const tagStatusCode = 8;
const tagStatusMessage = 18;
const tagMessageTopic = 10;
const tagMessageUserProperty = 18;
const tagMessageSystemProperties = 26;
const tagMessageBody = 34;
const tagEntryKey = 10;
const tagEntryValue = 18;
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

// ---------------------------------------------------------------------------------------------
// Reader state. Decoding is synchronous and never re-entered, so it lives at module level.

const emptyBuffer = Buffer.alloc(0);
let buf: Buffer = emptyBuffer;
let pos = 0;
let len = 0;
let decodeUtf8: ((bytes: Uint8Array) => string) | undefined;

// Same error types and texts as BinaryReader, so grpc-js debug details read the same.
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
 * readInt64 is BinaryReader.int64 (varint64read) followed by ts-proto's longToNumber: the
 * signed value as a number, throwing outside ±(2^53 - 1) with longToNumber's messages.
 */
function readInt64(): number {
  let lo = 0;
  let hi = 0;
  let byte = 0;
  let done = false;
  for (let shift = 0; shift < 28; shift += 7) {
    if (pos >= len) throw prematureEof();
    byte = buf[pos++];
    lo |= (byte & payloadMask) << shift;
    if (byte < continuation) {
      done = true;
      break;
    }
  }
  if (!done) {
    if (pos >= len) throw prematureEof();
    byte = buf[pos++];
    lo |= (byte & fifthByteMask) << 28;
    hi = (byte & 0x70) >> 4;
    if (byte >= continuation) {
      for (let shift = 3; ; shift += 7) {
        if (shift > 31) throw invalidVarint();
        if (pos >= len) throw prematureEof();
        byte = buf[pos++];
        hi |= (byte & payloadMask) << shift;
        if (byte < continuation) break;
      }
    }
  }
  // hi is the signed high word; hi * 2^32 + lo is exact whenever the result is safe.
  if (hi >= safeHighWordLimit) throw new Error('Value is larger than Number.MAX_SAFE_INTEGER');
  if (hi < -safeHighWordLimit || (hi === -safeHighWordLimit && lo === 0)) {
    throw new Error('Value is smaller than Number.MIN_SAFE_INTEGER');
  }
  return hi * twoPow32 + (lo >>> 0);
}

/** readString is BinaryReader.string(): non-fatal UTF-8 with BOM stripping. */
function readString(): string {
  const end = readLengthEnd();
  const start = pos;
  pos = end;
  // One OR over the bytes instead of a test per byte (measured: about 7% of a frame's decode).
  const b = buf;
  let any = 0;
  for (let i = start; i < end; i++) any |= b[i];
  if (any >= continuation) return decodeUtf8Slow(start, end);
  // ASCII: one code unit per byte, as UTF-8 decodes it (a BOM is not ASCII).
  return end - start <= shortStringBytes ? asciiShort(start, end) : b.toString('latin1', start, end);
}

const fromCharCode = String.fromCharCode;

/**
 * asciiShort builds a short ASCII string with one fromCharCode call per eight bytes: far
 * cheaper than a native slice call or a per-character concatenation for the typical topic,
 * tag, host and property strings.
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

/** readBytes returns a view of the input (the generated decoder returns a copy). */
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

// ---------------------------------------------------------------------------------------------
// Messages. Each takes the end its generated counterpart computes (`pos + length`, unchecked).
// The object literals list the keys in the generated createBase order.

function decodeResource(end: number): Resource {
  const message: Resource = { resourceNamespace: '', name: '' };
  while (pos < end) {
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
function decodeTime(end: number): Timestamp | Duration {
  const message: Timestamp | Duration = { seconds: 0, nanos: 0 };
  while (pos < end) {
    const tag = readTag();
    switch (tag) {
      case tagTimeSeconds:
        message.seconds = readInt64();
        break;
      case tagTimeNanos:
        message.nanos = readUint32() | 0;
        break;
      default:
        if (!skipUnknown(tag)) return message;
    }
  }
  return message;
}

function decodeDigest(end: number): Digest {
  const message: Digest = { type: 0, checksum: '' };
  while (pos < end) {
    const tag = readTag();
    switch (tag) {
      case tagDigestType:
        message.type = readUint32() | 0;
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
  while (pos < end) {
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

/** subEnd reads a sub-message's length and returns its end, unchecked like the generated code. */
function subEnd(): number {
  const size = readUint32();
  return pos + size;
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
  while (pos < end) {
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
        message.bodyEncoding = readUint32() | 0;
        break;
      case tagSpMessageType:
        message.messageType = readUint32() | 0;
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
        message.queueId = readUint32() | 0;
        break;
      case tagSpQueueOffset:
        message.queueOffset = readInt64();
        break;
      case tagSpInvisibleDuration:
        message.invisibleDuration = decodeTime(subEnd());
        break;
      case tagSpDeliveryAttempt:
        message.deliveryAttempt = readUint32() | 0;
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
        message.priority = readUint32() | 0;
        break;
      default:
        if (!skipUnknown(tag)) return message;
    }
  }
  return message;
}

/**
 * decodeUserProperty reads one map entry into `properties` with a plain assignment, as the
 * generated code does (so a "__proto__" key is dropped the same way).
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

function decodeMessage(end: number): Message {
  // emptyBuffer marks "no body yet"; it is never handed out (see ownBody).
  const message: Message = { topic: undefined, userProperties: {}, systemProperties: undefined, body: emptyBuffer };
  while (pos < end) {
    const tag = readTag();
    switch (tag) {
      case tagMessageTopic:
        message.topic = decodeResource(subEnd());
        break;
      case tagMessageUserProperty:
        decodeUserProperty(subEnd(), message.userProperties);
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

/** The generated default body is a fresh Buffer.alloc(0) per message, never a shared one. */
function ownBody(message: Message): Message {
  if (message.body === emptyBuffer) message.body = Buffer.alloc(0);
  return message;
}

function decodeStatus(end: number): Status {
  const message: Status = { code: 0, message: '' };
  while (pos < end) {
    const tag = readTag();
    switch (tag) {
      case tagStatusCode:
        message.code = readUint32() | 0;
        break;
      case tagStatusMessage:
        message.message = readString();
        break;
      default:
        if (!skipUnknown(tag)) return message;
    }
  }
  return message;
}

function decodeResponse(): ReceiveMessageResponse {
  const response: ReceiveMessageResponse = { content: undefined };
  while (pos < len) {
    const tag = readTag();
    switch (tag) {
      case tagResponseStatus:
        response.content = { $case: 'status', value: decodeStatus(subEnd()) };
        break;
      case tagResponseMessage:
        response.content = { $case: 'message', value: decodeMessage(subEnd()) };
        break;
      case tagResponseDeliveryTimestamp:
        response.content = { $case: 'deliveryTimestamp', value: decodeTime(subEnd()) };
        break;
      default:
        if (!skipUnknown(tag)) return response;
    }
  }
  return response;
}

/**
 * decodeReceiveMessageResponse equals `ReceiveMessageResponse.decode(bytes)` and throws when it
 * throws. A received message's body is a view of `bytes`, not a copy.
 */
export function decodeReceiveMessageResponse(bytes: Uint8Array): ReceiveMessageResponse {
  buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  pos = 0;
  len = buf.length;
  decodeUtf8 = undefined;
  try {
    return decodeResponse();
  } finally {
    buf = emptyBuffer; // do not pin the frame between calls
  }
}
