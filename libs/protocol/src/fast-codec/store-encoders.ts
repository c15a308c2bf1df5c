/**
 * Hand-written encoders for the hot messages of the internal store hop (quiver.store.v1):
 * AppendBatchRequest, which a proxy sends for every coalesced batch of appends, and
 * PopMessagesResponse, which a store node sends for every pop. They emit exactly the bytes of
 * the generated `X.encode(v).finish()` (same field order, same default-skipping, same checks
 * and throws on out-of-range numbers) in the two passes of response-encoders.ts: one sizing
 * pass that also records every nested-message and string length, then one write pass into a
 * single `Buffer.allocUnsafe`. The generated BinaryWriter forks a chunk list per sub-message,
 * runs TextEncoder per string, converts every int64 and uint64 through BigInt and a DataView,
 * and copies everything again in finish() and in `Buffer.from`; this avoids all of that.
 *
 * The writer is a copy of response-encoders.ts (each module keeps its encoder state to
 * itself), plus uint64 and bool; a fix to one belongs in both. Whenever a generated encode
 * function for one of these messages changes, mirror it here; the property spec compares both
 * byte for byte.
 */
import type {
  AppendBatchRequest,
  AppendMessagesRequest,
  MessageToStore,
  PoppedMessage,
  PopMessagesResponse,
  StoredMessage,
} from '../gen/quiver/store/v1/store';

// Wire types and tags.
const wireVarint = 0;
const wireLengthDelimited = 2;
const fieldShift = 3;
const varintTag = (field: number): number => (field << fieldShift) | wireVarint;
const lengthTag = (field: number): number => (field << fieldShift) | wireLengthDelimited;

// Varint arithmetic.
const varintPayloadBits = 7;
const varintPayloadMask = 0x7f;
const varintContinuation = 0x80;
/** A negative int32/int64 is sign-extended to 64 bits: always ten bytes on the wire. */
const negativeVarintBytes = 10;
const twoPow32 = 0x1_0000_0000;
const int32Max = 0x7fff_ffff;
const int64Min = -(2n ** 63n);
const int64Max = 2n ** 63n - 1n;
const uint64Max = 2n ** 64n - 1n;
const uint64Bits = 64;
/** Beyond 2^28, a varint takes one more byte at each of these powers of two. */
const twoPow35 = 2 ** 35;
const twoPow42 = 2 ** 42;
const twoPow49 = 2 ** 49;
const twoPow56 = 2 ** 56;
const twoPow63 = 2 ** 63;

/** Up to this many UTF-16 units a JS loop beats a native byteLength/write call. */
const shortStringUnits = 64;
const asciiMax = 0x7f;
const initialLengthSlots = 256;

// Field numbers, per message, in the order the generated encoders write them.
const mapEntryFields = { key: 1, value: 2 } as const;
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
// Encoder state. Encoding is synchronous and never re-entered, so one module-level state is
// shared: the sizing pass appends lengths in pre-order, the write pass reads them back in the
// same order.

let lengths = new Int32Array(initialLengthSlots);
let lengthCount = 0;
let lengthRead = 0;
const emptyBuffer = Buffer.alloc(0);
let out: Buffer = emptyBuffer;
let pos = 0;

function reserveLength(): number {
  if (lengthCount === lengths.length) {
    const grown = new Int32Array(lengths.length * 2);
    grown.set(lengths);
    lengths = grown;
  }
  return lengthCount++;
}

/**
 * encode runs both passes. Values are validated in the sizing pass (as BinaryWriter would),
 * so the write pass cannot fail half-way; a mismatch between the passes is a bug here.
 */
function encode<T>(value: T, sizeOf: (value: T) => number, write: (value: T) => void): Buffer {
  lengthCount = 0;
  const size = sizeOf(value);
  const result = Buffer.allocUnsafe(size);
  out = result;
  pos = 0;
  lengthRead = 0;
  write(value);
  out = emptyBuffer; // do not pin the last message between calls
  if (pos !== size || lengthRead !== lengthCount) {
    throw new Error(`fast-codec: wrote ${pos} of ${size} bytes`);
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Scalars.

/** uint32Size is the varint size of a non-negative value below 2^32 (tags and lengths). */
function uint32Size(value: number): number {
  if (value < 0x80) return 1;
  if (value < 0x4000) return 2;
  if (value < 0x20_0000) return 3;
  if (value < 0x1000_0000) return 4;
  return 5;
}

/** unsignedVarintSize is the varint size of a non-negative value below 2^64. */
function unsignedVarintSize(value: number): number {
  if (value < 0x1000_0000) return uint32Size(value);
  if (value < twoPow35) return 5;
  if (value < twoPow42) return 6;
  if (value < twoPow49) return 7;
  if (value < twoPow56) return 8;
  if (value < twoPow63) return 9;
  return 10;
}

function writeUint32(value: number): void {
  while (value > varintPayloadMask) {
    out[pos++] = (value & varintPayloadMask) | varintContinuation;
    value >>>= varintPayloadBits;
  }
  out[pos++] = value;
}

function checkInt32(value: number): void {
  // Same rule as BinaryWriter.int32: an integer within the int32 range.
  if ((value | 0) !== value) throw new Error(`invalid int32: ${value}`);
}

function int32Size(value: number): number {
  checkInt32(value);
  return value < 0 ? negativeVarintBytes : uint32Size(value);
}

function writeInt32(value: number): void {
  if (value >= 0) {
    writeUint32(value);
    return;
  }
  writeVarint64(value >>> 0, 0xffff_ffff);
}

/** writeVarint64 writes the 64-bit two's complement value hi:lo (both unsigned 32-bit). */
function writeVarint64(lo: number, hi: number): void {
  while (hi !== 0 || lo > varintPayloadMask) {
    out[pos++] = (lo & varintPayloadMask) | varintContinuation;
    lo = ((lo >>> varintPayloadBits) | (hi << (32 - varintPayloadBits))) >>> 0;
    hi >>>= varintPayloadBits;
  }
  out[pos++] = lo;
}

/**
 * int64 fields are plain numbers in this codegen; BinaryWriter.int64 converts them with
 * BigInt, which throws for non-integers and values outside the int64 range. Mirror that.
 */
function checkInt64(value: number): void {
  if (Number.isSafeInteger(value)) return;
  const big = BigInt(value); // throws RangeError for a non-integer
  if (big < int64Min || big > int64Max) throw new Error(`invalid int64: ${value}`);
}

function int64Size(value: number): number {
  checkInt64(value);
  return value < 0 ? negativeVarintBytes : unsignedVarintSize(value);
}

/** writeInt64 writes a checked int64 (negatives as their 64-bit two's complement). */
function writeInt64(value: number): void {
  if (value >= 0 && value <= int32Max) {
    writeUint32(value);
    return;
  }
  if (Number.isSafeInteger(value)) {
    const hi = Math.floor(value / twoPow32);
    writeVarint64(value - hi * twoPow32, hi >>> 0);
    return;
  }
  const bits = BigInt.asUintN(uint64Bits, BigInt(value));
  writeVarint64(Number(bits & 0xffff_ffffn), Number(bits >> 32n));
}

/** BinaryWriter.uint64 (protoInt64.uParse) throws for non-integers, negatives and values of 2^64 and more. */
function checkUint64(value: number): void {
  if (Number.isSafeInteger(value) && value >= 0) return;
  const big = BigInt(value); // throws RangeError for a non-integer
  if (big < 0n || big > uint64Max) throw new Error(`invalid uint64: ${value}`);
}

function uint64Size(value: number): number {
  checkUint64(value);
  return unsignedVarintSize(value);
}

/** A checked uint64 has the bits of the int64 of the same value modulo 2^64, so writeInt64 writes it. */
const writeUint64 = writeInt64;

// ---------------------------------------------------------------------------------------------
// Strings and bytes. A string's UTF-8 length is recorded in the sizing pass; the write pass
// knows the string is ASCII when that length equals its UTF-16 length.

function utf8Length(value: string): number {
  const units = value.length;
  if (units > shortStringUnits) return Buffer.byteLength(value, 'utf8');
  for (let i = 0; i < units; i++) {
    if (value.charCodeAt(i) > asciiMax) return Buffer.byteLength(value, 'utf8');
  }
  return units;
}

/** stringFieldSize sizes tag + length + UTF-8 bytes and records the byte length. */
function stringFieldSize(tagSize: number, value: string): number {
  const bytes = utf8Length(value);
  // Reserve first: reserveLength may replace `lengths` with a grown copy.
  const slot = reserveLength();
  lengths[slot] = bytes;
  return tagSize + uint32Size(bytes) + bytes;
}

function writeStringField(tag: number, value: string): void {
  writeUint32(tag);
  const bytes = lengths[lengthRead++];
  writeUint32(bytes);
  if (bytes === value.length) {
    if (bytes <= shortStringUnits) {
      for (let i = 0; i < bytes; i++) out[pos + i] = value.charCodeAt(i);
    } else {
      out.write(value, pos, bytes, 'latin1');
    }
  } else {
    out.write(value, pos, bytes, 'utf8');
  }
  pos += bytes;
}

function bytesFieldSize(tagSize: number, value: Uint8Array): number {
  return tagSize + uint32Size(value.byteLength) + value.byteLength;
}

function writeBytesField(tag: number, value: Uint8Array): void {
  writeUint32(tag);
  writeUint32(value.byteLength);
  out.set(value, pos);
  pos += value.byteLength;
}

/** messageFieldSize sizes a nested message field and records the body length. */
function messageFieldSize<T>(tagSize: number, value: T, sizeBody: (value: T) => number): number {
  const slot = reserveLength();
  const bytes = sizeBody(value);
  lengths[slot] = bytes;
  return tagSize + uint32Size(bytes) + bytes;
}

function writeMessageField<T>(tag: number, value: T, writeBody: (value: T) => void): void {
  writeUint32(tag);
  writeUint32(lengths[lengthRead++]);
  writeBody(value);
}

// ---------------------------------------------------------------------------------------------
// Tags. Every field here is numbered 1-15, so every tag is one byte.

const tagSize1 = 1;
/** A bool is one varint byte, 0 or 1, as BinaryWriter.bool writes it. */
const boolBytes = 1;

const tagEntryKey = lengthTag(mapEntryFields.key);
const tagEntryValue = lengthTag(mapEntryFields.value);

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

/**
 * Map entries are nested messages written for every key, even when key and value are both
 * empty (then the entry is zero bytes); inside, key and value follow the proto3 default rule.
 * Object.keys visits keys in the same order as the generated Object.entries.
 */
function userPropertiesSize(properties: { [key: string]: string }): number {
  let size = 0;
  const keys = Object.keys(properties);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    const value = properties[key];
    const slot = reserveLength();
    let entry = 0;
    if (key !== '') entry += stringFieldSize(tagSize1, key);
    if (value !== '') entry += stringFieldSize(tagSize1, value);
    lengths[slot] = entry;
    size += tagSize1 + uint32Size(entry) + entry;
  }
  return size;
}

function writeUserProperties(properties: { [key: string]: string }): void {
  const keys = Object.keys(properties);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    const value = properties[key];
    writeUint32(tagMtsUserProperty);
    writeUint32(lengths[lengthRead++]);
    if (key !== '') writeStringField(tagEntryKey, key);
    if (value !== '') writeStringField(tagEntryValue, value);
  }
}

function messageToStoreSize(m: MessageToStore): number {
  let size = 0;
  if (m.messageId !== '') size += stringFieldSize(tagSize1, m.messageId);
  if (m.tag !== undefined) size += stringFieldSize(tagSize1, m.tag);
  for (const key of m.keys) size += stringFieldSize(tagSize1, key);
  size += userPropertiesSize(m.userProperties);
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
  writeUserProperties(m.userProperties);
  if (m.body.length !== 0) writeBytesField(tagMtsBody, m.body);
  if (m.bodyGzipped !== false) {
    writeUint32(tagMtsBodyGzipped);
    out[pos++] = m.bodyGzipped ? 1 : 0;
  }
  if (m.bornTimestampMs !== 0) {
    writeUint32(tagMtsBornTimestampMs);
    writeInt64(m.bornTimestampMs);
  }
  if (m.bornHost !== '') writeStringField(tagMtsBornHost, m.bornHost);
  if (m.kind !== 0) {
    writeUint32(tagMtsKind);
    writeInt32(m.kind);
  }
  if (m.messageGroup !== undefined) writeStringField(tagMtsMessageGroup, m.messageGroup);
  if (m.deliveryTimestampMs !== undefined) {
    writeUint32(tagMtsDeliveryTimestampMs);
    writeInt64(m.deliveryTimestampMs);
  }
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
  if (m.queueId !== 0) {
    writeUint32(tagStoredQueueId);
    writeInt32(m.queueId);
  }
  if (m.queueOffset !== 0) {
    writeUint32(tagStoredQueueOffset);
    writeInt64(m.queueOffset);
  }
  if (m.storeTimestampMs !== 0) {
    writeUint32(tagStoredStoreTimestampMs);
    writeInt64(m.storeTimestampMs);
  }
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
  if (m.deliveryAttempt !== 0) {
    writeUint32(tagPoppedDeliveryAttempt);
    writeInt32(m.deliveryAttempt);
  }
  if (m.popGeneration !== 0) {
    writeUint32(tagPoppedPopGeneration);
    writeInt64(m.popGeneration);
  }
  if (m.invisibleUntilMs !== 0) {
    writeUint32(tagPoppedInvisibleUntilMs);
    writeInt64(m.invisibleUntilMs);
  }
}

function popMessagesResponseSize(m: PopMessagesResponse): number {
  let size = 0;
  for (const popped of m.messages) size += messageFieldSize(tagSize1, popped, poppedMessageSize);
  if (m.deadLettered !== 0) size += tagSize1 + int32Size(m.deadLettered);
  return size;
}

function writePopMessagesResponse(m: PopMessagesResponse): void {
  for (const popped of m.messages) writeMessageField(tagPopMessages, popped, writePoppedMessage);
  if (m.deadLettered !== 0) {
    writeUint32(tagPopDeadLettered);
    writeInt32(m.deadLettered);
  }
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
  if (m.queueId !== 0) {
    writeUint32(tagAppendQueueId);
    writeInt32(m.queueId);
  }
  for (const message of m.messages) writeMessageField(tagAppendMessages, message, writeMessageToStore);
  if (m.epoch !== 0) {
    writeUint32(tagAppendEpoch);
    writeUint64(m.epoch);
  }
}

function appendBatchRequestSize(m: AppendBatchRequest): number {
  let size = 0;
  for (const append of m.appends) size += messageFieldSize(tagSize1, append, appendMessagesRequestSize);
  if (m.epoch !== 0) size += tagSize1 + uint64Size(m.epoch);
  return size;
}

function writeAppendBatchRequest(m: AppendBatchRequest): void {
  for (const append of m.appends) writeMessageField(tagBatchAppends, append, writeAppendMessagesRequest);
  if (m.epoch !== 0) {
    writeUint32(tagBatchEpoch);
    writeUint64(m.epoch);
  }
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
