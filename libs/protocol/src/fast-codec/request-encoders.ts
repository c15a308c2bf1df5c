/**
 * Hand-written encoders for the requests a batching client sends most (SendMessage with many
 * messages, AckMessage with a batch of entries), for clients: the lean benchmark driver and
 * RawClient with `fastCodecs`. They emit exactly the bytes of the generated
 * `X.encode(v).finish()` (same field order, same default-skipping) in the two passes of
 * response-encoders.ts: one sizing pass that also records every nested-message and string
 * length, then one write pass into a single `Buffer.allocUnsafe`.
 *
 * The writer and the Message encoders are a copy of response-encoders.ts (each module keeps its
 * encoder state to itself); a fix to one belongs in both. Whenever a generated encode function
 * for one of these messages changes, mirror it here; the property spec compares both byte for
 * byte.
 */
import type { Duration } from '../gen/google/protobuf/duration';
import type { Timestamp } from '../gen/google/protobuf/timestamp';
import type { DeadLetterQueue, Digest, Message, Resource, SystemProperties } from '../gen/apache/rocketmq/v2/definition';
import type { AckMessageEntry, AckMessageRequest, SendMessageRequest } from '../gen/apache/rocketmq/v2/service';

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
const uint64Bits = 64;

/** Up to this many UTF-16 units a JS loop beats a native byteLength/write call. */
const shortStringUnits = 64;
const asciiMax = 0x7f;
const initialLengthSlots = 256;

// Field numbers, per message, in the order the generated encoders write them.
const resourceFields = { resourceNamespace: 1, name: 2 } as const;
const timeFields = { seconds: 1, nanos: 2 } as const;
const digestFields = { type: 1, checksum: 2 } as const;
const deadLetterQueueFields = { topic: 1, messageId: 2 } as const;
const mapEntryFields = { key: 1, value: 2 } as const;
const messageFields = { topic: 1, userProperties: 2, systemProperties: 3, body: 4 } as const;
const systemPropertyFields = {
  tag: 1,
  keys: 2,
  messageId: 3,
  bodyDigest: 4,
  bodyEncoding: 5,
  messageType: 6,
  bornTimestamp: 7,
  bornHost: 8,
  storeTimestamp: 9,
  storeHost: 10,
  deliveryTimestamp: 11,
  receiptHandle: 12,
  queueId: 13,
  queueOffset: 14,
  invisibleDuration: 15,
  deliveryAttempt: 16,
  messageGroup: 17,
  traceContext: 18,
  orphanedTransactionRecoveryDuration: 19,
  deadLetterQueue: 20,
  liteTopic: 21,
  priority: 22,
} as const;
const ackEntryFields = { messageId: 1, receiptHandle: 2, liteTopic: 3 } as const;
const ackRequestFields = { group: 1, topic: 2, entries: 3 } as const;
const sendRequestFields = { messages: 1 } as const;

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
  out = emptyBuffer; // do not pin the last request between calls
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
  if (value < 0) return negativeVarintBytes;
  if (value <= int32Max) return uint32Size(value);
  let size = 1;
  while (value > varintPayloadMask) {
    value = Math.floor(value / varintContinuation);
    size++;
  }
  return size;
}

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
// Tags, precomputed with their varint sizes.

const tagResourceNamespace = lengthTag(resourceFields.resourceNamespace);
const tagResourceName = lengthTag(resourceFields.name);
const tagTimeSeconds = varintTag(timeFields.seconds);
const tagTimeNanos = varintTag(timeFields.nanos);
const tagDigestType = varintTag(digestFields.type);
const tagDigestChecksum = lengthTag(digestFields.checksum);
const tagDlqTopic = lengthTag(deadLetterQueueFields.topic);
const tagDlqMessageId = lengthTag(deadLetterQueueFields.messageId);
const tagEntryKey = lengthTag(mapEntryFields.key);
const tagEntryValue = lengthTag(mapEntryFields.value);
const tagMessageTopic = lengthTag(messageFields.topic);
const tagMessageUserProperty = lengthTag(messageFields.userProperties);
const tagMessageSystemProperties = lengthTag(messageFields.systemProperties);
const tagMessageBody = lengthTag(messageFields.body);

const sp = systemPropertyFields;
const tagSpTag = lengthTag(sp.tag);
const tagSpKeys = lengthTag(sp.keys);
const tagSpMessageId = lengthTag(sp.messageId);
const tagSpBodyDigest = lengthTag(sp.bodyDigest);
const tagSpBodyEncoding = varintTag(sp.bodyEncoding);
const tagSpMessageType = varintTag(sp.messageType);
const tagSpBornTimestamp = lengthTag(sp.bornTimestamp);
const tagSpBornHost = lengthTag(sp.bornHost);
const tagSpStoreTimestamp = lengthTag(sp.storeTimestamp);
const tagSpStoreHost = lengthTag(sp.storeHost);
const tagSpDeliveryTimestamp = lengthTag(sp.deliveryTimestamp);
const tagSpReceiptHandle = lengthTag(sp.receiptHandle);
const tagSpQueueId = varintTag(sp.queueId);
const tagSpQueueOffset = varintTag(sp.queueOffset);
const tagSpInvisibleDuration = lengthTag(sp.invisibleDuration);
const tagSpDeliveryAttempt = varintTag(sp.deliveryAttempt);
const tagSpMessageGroup = lengthTag(sp.messageGroup);
const tagSpTraceContext = lengthTag(sp.traceContext);
const tagSpOrphanedDuration = lengthTag(sp.orphanedTransactionRecoveryDuration);
const tagSpDeadLetterQueue = lengthTag(sp.deadLetterQueue);
const tagSpLiteTopic = lengthTag(sp.liteTopic);
const tagSpPriority = varintTag(sp.priority);
// Fields 1-15 have one-byte tags; System properties 16-22 need two.
const tagSize1 = 1;
const tagSize2 = 2;

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

function resourceSize(m: Resource): number {
  let size = 0;
  if (m.resourceNamespace !== '') size += stringFieldSize(tagSize1, m.resourceNamespace);
  if (m.name !== '') size += stringFieldSize(tagSize1, m.name);
  return size;
}

function writeResource(m: Resource): void {
  if (m.resourceNamespace !== '') writeStringField(tagResourceNamespace, m.resourceNamespace);
  if (m.name !== '') writeStringField(tagResourceName, m.name);
}

/** Timestamp and Duration share one layout: int64 seconds = 1, int32 nanos = 2. */
function timeSize(m: Timestamp | Duration): number {
  let size = 0;
  if (m.seconds !== 0) size += tagSize1 + int64Size(m.seconds);
  if (m.nanos !== 0) size += tagSize1 + int32Size(m.nanos);
  return size;
}

function writeTime(m: Timestamp | Duration): void {
  if (m.seconds !== 0) {
    writeUint32(tagTimeSeconds);
    writeInt64(m.seconds);
  }
  if (m.nanos !== 0) {
    writeUint32(tagTimeNanos);
    writeInt32(m.nanos);
  }
}

function digestSize(m: Digest): number {
  let size = 0;
  if (m.type !== 0) size += tagSize1 + int32Size(m.type);
  if (m.checksum !== '') size += stringFieldSize(tagSize1, m.checksum);
  return size;
}

function writeDigest(m: Digest): void {
  if (m.type !== 0) {
    writeUint32(tagDigestType);
    writeInt32(m.type);
  }
  if (m.checksum !== '') writeStringField(tagDigestChecksum, m.checksum);
}

function deadLetterQueueSize(m: DeadLetterQueue): number {
  let size = 0;
  if (m.topic !== '') size += stringFieldSize(tagSize1, m.topic);
  if (m.messageId !== '') size += stringFieldSize(tagSize1, m.messageId);
  return size;
}

function writeDeadLetterQueue(m: DeadLetterQueue): void {
  if (m.topic !== '') writeStringField(tagDlqTopic, m.topic);
  if (m.messageId !== '') writeStringField(tagDlqMessageId, m.messageId);
}

function systemPropertiesSize(m: SystemProperties): number {
  let size = 0;
  if (m.tag !== undefined) size += stringFieldSize(tagSize1, m.tag);
  for (const key of m.keys) size += stringFieldSize(tagSize1, key);
  if (m.messageId !== '') size += stringFieldSize(tagSize1, m.messageId);
  if (m.bodyDigest !== undefined) size += messageFieldSize(tagSize1, m.bodyDigest, digestSize);
  if (m.bodyEncoding !== 0) size += tagSize1 + int32Size(m.bodyEncoding);
  if (m.messageType !== 0) size += tagSize1 + int32Size(m.messageType);
  if (m.bornTimestamp !== undefined) size += messageFieldSize(tagSize1, m.bornTimestamp, timeSize);
  if (m.bornHost !== '') size += stringFieldSize(tagSize1, m.bornHost);
  if (m.storeTimestamp !== undefined) size += messageFieldSize(tagSize1, m.storeTimestamp, timeSize);
  if (m.storeHost !== '') size += stringFieldSize(tagSize1, m.storeHost);
  if (m.deliveryTimestamp !== undefined) size += messageFieldSize(tagSize1, m.deliveryTimestamp, timeSize);
  if (m.receiptHandle !== undefined) size += stringFieldSize(tagSize1, m.receiptHandle);
  if (m.queueId !== 0) size += tagSize1 + int32Size(m.queueId);
  if (m.queueOffset !== undefined) size += tagSize1 + int64Size(m.queueOffset);
  if (m.invisibleDuration !== undefined) size += messageFieldSize(tagSize1, m.invisibleDuration, timeSize);
  if (m.deliveryAttempt !== undefined) size += tagSize2 + int32Size(m.deliveryAttempt);
  if (m.messageGroup !== undefined) size += stringFieldSize(tagSize2, m.messageGroup);
  if (m.traceContext !== undefined) size += stringFieldSize(tagSize2, m.traceContext);
  if (m.orphanedTransactionRecoveryDuration !== undefined) {
    size += messageFieldSize(tagSize2, m.orphanedTransactionRecoveryDuration, timeSize);
  }
  if (m.deadLetterQueue !== undefined) size += messageFieldSize(tagSize2, m.deadLetterQueue, deadLetterQueueSize);
  if (m.liteTopic !== undefined) size += stringFieldSize(tagSize2, m.liteTopic);
  if (m.priority !== undefined) size += tagSize2 + int32Size(m.priority);
  return size;
}

function writeSystemProperties(m: SystemProperties): void {
  if (m.tag !== undefined) writeStringField(tagSpTag, m.tag);
  for (const key of m.keys) writeStringField(tagSpKeys, key);
  if (m.messageId !== '') writeStringField(tagSpMessageId, m.messageId);
  if (m.bodyDigest !== undefined) writeMessageField(tagSpBodyDigest, m.bodyDigest, writeDigest);
  if (m.bodyEncoding !== 0) {
    writeUint32(tagSpBodyEncoding);
    writeInt32(m.bodyEncoding);
  }
  if (m.messageType !== 0) {
    writeUint32(tagSpMessageType);
    writeInt32(m.messageType);
  }
  if (m.bornTimestamp !== undefined) writeMessageField(tagSpBornTimestamp, m.bornTimestamp, writeTime);
  if (m.bornHost !== '') writeStringField(tagSpBornHost, m.bornHost);
  if (m.storeTimestamp !== undefined) writeMessageField(tagSpStoreTimestamp, m.storeTimestamp, writeTime);
  if (m.storeHost !== '') writeStringField(tagSpStoreHost, m.storeHost);
  if (m.deliveryTimestamp !== undefined) writeMessageField(tagSpDeliveryTimestamp, m.deliveryTimestamp, writeTime);
  if (m.receiptHandle !== undefined) writeStringField(tagSpReceiptHandle, m.receiptHandle);
  if (m.queueId !== 0) {
    writeUint32(tagSpQueueId);
    writeInt32(m.queueId);
  }
  if (m.queueOffset !== undefined) {
    writeUint32(tagSpQueueOffset);
    writeInt64(m.queueOffset);
  }
  if (m.invisibleDuration !== undefined) writeMessageField(tagSpInvisibleDuration, m.invisibleDuration, writeTime);
  if (m.deliveryAttempt !== undefined) {
    writeUint32(tagSpDeliveryAttempt);
    writeInt32(m.deliveryAttempt);
  }
  if (m.messageGroup !== undefined) writeStringField(tagSpMessageGroup, m.messageGroup);
  if (m.traceContext !== undefined) writeStringField(tagSpTraceContext, m.traceContext);
  if (m.orphanedTransactionRecoveryDuration !== undefined) {
    writeMessageField(tagSpOrphanedDuration, m.orphanedTransactionRecoveryDuration, writeTime);
  }
  if (m.deadLetterQueue !== undefined) writeMessageField(tagSpDeadLetterQueue, m.deadLetterQueue, writeDeadLetterQueue);
  if (m.liteTopic !== undefined) writeStringField(tagSpLiteTopic, m.liteTopic);
  if (m.priority !== undefined) {
    writeUint32(tagSpPriority);
    writeInt32(m.priority);
  }
}

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
    writeUint32(tagMessageUserProperty);
    writeUint32(lengths[lengthRead++]);
    if (key !== '') writeStringField(tagEntryKey, key);
    if (value !== '') writeStringField(tagEntryValue, value);
  }
}

function messageSize(m: Message): number {
  let size = 0;
  if (m.topic !== undefined) size += messageFieldSize(tagSize1, m.topic, resourceSize);
  size += userPropertiesSize(m.userProperties);
  if (m.systemProperties !== undefined) size += messageFieldSize(tagSize1, m.systemProperties, systemPropertiesSize);
  if (m.body.length !== 0) size += bytesFieldSize(tagSize1, m.body);
  return size;
}

function writeMessage(m: Message): void {
  if (m.topic !== undefined) writeMessageField(tagMessageTopic, m.topic, writeResource);
  writeUserProperties(m.userProperties);
  if (m.systemProperties !== undefined) {
    writeMessageField(tagMessageSystemProperties, m.systemProperties, writeSystemProperties);
  }
  if (m.body.length !== 0) writeBytesField(tagMessageBody, m.body);
}

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
