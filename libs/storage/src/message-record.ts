/**
 * message-record encodes a StoredMessage as the value of its 'M' key (see layout.ts).
 *
 * Message record (format version 1) => formatVersion:u8(=1) crc32c:u32 payload
 *   payload =>
 *     topic                str16
 *     queueId              u32
 *     queueOffset          u64
 *     storeTimestampMs     u64
 *     storeHost            str16
 *     messageId            str16
 *     kind                 u8     1 NORMAL, 2 FIFO, 3 DELAY, 4 TRANSACTION
 *     flags                u8     bit0 bodyGzipped, bit1 tag, bit2 messageGroup,
 *                                 bit3 deliveryTimestampMs, bit4 traceContext; other bits 0
 *     bornTimestampMs      u64
 *     bornHost             str16
 *     tag                  str16  if bit1
 *     messageGroup         str16  if bit2
 *     deliveryTimestampMs  u64    if bit3
 *     traceContext         str16  if bit4
 *     keyCount             u16, then keyCount × key str16
 *     propertyCount        u16, then propertyCount × (name str16, value str16)
 *     body                 u32 length, then the bytes
 *
 * str16 is a u16 byte length then UTF-8; numbers are big-endian; u64 holds safe integers only.
 */
import { assert, MessageKind } from '@quiver/core';
import type { MessageToStore, StoredMessage } from '@quiver/core';

import { ByteReader, RecordDecodeError } from './bytes';
import { RECORD_HEADER_BYTES, RecordFormat, sealRecord, unframeRecord } from './layout';
import {
  MESSAGE_BODY_BYTES_MAX,
  MESSAGE_KEY_COUNT_MAX,
  MESSAGE_PROPERTY_COUNT_MAX,
  QUEUE_ID_MAX,
  STRING_FIELD_BYTES_MAX,
} from './limits';

const TWO_POW_32 = 0x1_0000_0000;

const kindCodes: Record<MessageKind, number> = {
  [MessageKind.Normal]: 1,
  [MessageKind.Fifo]: 2,
  [MessageKind.Delay]: 3,
  [MessageKind.Transaction]: 4,
};
const kindsByCode = new Map<number, MessageKind>(Object.entries(kindCodes).map(([kind, code]) => [code, kind as MessageKind]));

const Flag = {
  BodyGzipped: 1 << 0,
  Tag: 1 << 1,
  MessageGroup: 1 << 2,
  DeliveryTimestamp: 1 << 3,
  TraceContext: 1 << 4,
} as const;
const knownFlags = Flag.BodyGzipped | Flag.Tag | Flag.MessageGroup | Flag.DeliveryTimestamp | Flag.TraceContext;

/** Placement is where a record sits: the fields a StoredMessage adds to a MessageToStore. */
export interface Placement {
  topic: string;
  queueId: number;
  queueOffset: number;
  storeTimestampMs: number;
  storeHost: string;
}

/** FIXED_PAYLOAD_BYTES: queueId u32, queueOffset u64, storeTimestampMs u64, kind u8, flags u8, bornTimestampMs u64, keyCount u16, propertyCount u16, body length u32. */
const FIXED_PAYLOAD_BYTES = 4 + 8 + 8 + 1 + 1 + 8 + 2 + 2 + 4;

/**
 * checkStoredMessage asserts that a message fits the record format. Callers validate client input
 * first (the store node answers BAD_REQUEST), so a failure here is a bug.
 */
export function checkStoredMessage(message: StoredMessage): void {
  recordPayloadBytes(message, message);
}

/** checkMessageToStore is checkStoredMessage for a message not placed yet (offset and store time still unknown). */
export function checkMessageToStore(message: MessageToStore, topic: string, queueId: number, storeHost: string): void {
  recordPayloadBytes(message, { topic, queueId, queueOffset: 0, storeTimestampMs: 0, storeHost });
}

/**
 * recordPayloadBytes checks a message and its placement against the record format and returns the
 * exact size of its payload. The messages of the assertions are built only when one fails: this
 * runs for every message stored.
 */
function recordPayloadBytes(message: MessageToStore, placement: Placement): number {
  let bytes = FIXED_PAYLOAD_BYTES;
  bytes += string16Bytes(placement.topic, 'topic');
  const queueId = placement.queueId;
  if (!(Number.isInteger(queueId) && queueId >= 0 && queueId <= QUEUE_ID_MAX)) assert(false, `bad queueId ${queueId}`);
  checkNumber(placement.queueOffset, 'queueOffset');
  checkNumber(placement.storeTimestampMs, 'storeTimestampMs');
  bytes += string16Bytes(placement.storeHost, 'storeHost');
  bytes += string16Bytes(message.messageId, 'messageId');
  if (kindCodes[message.kind] === undefined) assert(false, `unknown message kind ${message.kind}`);
  checkNumber(message.bornTimestampMs, 'bornTimestampMs');
  bytes += string16Bytes(message.bornHost, 'bornHost');
  if (message.tag !== undefined) bytes += string16Bytes(message.tag, 'tag');
  if (message.messageGroup !== undefined) bytes += string16Bytes(message.messageGroup, 'messageGroup');
  if (message.deliveryTimestampMs !== undefined) {
    checkNumber(message.deliveryTimestampMs, 'deliveryTimestampMs');
    bytes += 8;
  }
  if (message.traceContext !== undefined) bytes += string16Bytes(message.traceContext, 'traceContext');
  const keys = message.keys;
  if (keys.length > MESSAGE_KEY_COUNT_MAX) assert(false, `${keys.length} keys exceed ${MESSAGE_KEY_COUNT_MAX}`);
  for (let index = 0; index < keys.length; index++) bytes += string16Bytes(keys[index]!, 'keys[]');
  const properties = message.userProperties;
  const names = Object.keys(properties);
  if (names.length > MESSAGE_PROPERTY_COUNT_MAX) assert(false, `${names.length} properties exceed ${MESSAGE_PROPERTY_COUNT_MAX}`);
  for (const name of names) {
    bytes += string16Bytes(name, 'property name');
    bytes += string16Bytes(properties[name]!, 'property value');
  }
  if (!(message.body instanceof Uint8Array)) assert(false, 'body is not bytes');
  if (message.body.byteLength > MESSAGE_BODY_BYTES_MAX) assert(false, `body of ${message.body.byteLength} bytes exceeds ${MESSAGE_BODY_BYTES_MAX}`);
  if (typeof message.bodyGzipped !== 'boolean') assert(false, 'bodyGzipped is not a boolean');
  return bytes + message.body.byteLength;
}

/** string16Bytes checks a string field and returns its encoded size (u16 length + UTF-8). */
function string16Bytes(value: string, field: string): number {
  if (typeof value !== 'string') assert(false, `${field} is not a string`);
  const byteLength = Buffer.byteLength(value, 'utf8');
  if (byteLength > STRING_FIELD_BYTES_MAX) assert(false, `${field} exceeds ${STRING_FIELD_BYTES_MAX} bytes`);
  return 2 + byteLength;
}

function checkNumber(value: number, field: string): void {
  if (!(Number.isSafeInteger(value) && value >= 0)) assert(false, `${field} is not a non-negative safe integer: ${value}`);
}

/** encodeMessageRecord checks a message and encodes it as a framed record. */
export function encodeMessageRecord(message: StoredMessage): Buffer {
  return encodePlacedMessageRecord(message, message);
}

/**
 * encodePlacedMessageRecord is encodeMessageRecord for a message and its placement given apart,
 * so the queue log needs no merged copy of every message. It checks the message, sizes the
 * record exactly, writes every field once into a single buffer (the body is copied once) and
 * puts the checksum in front of the payload in place.
 */
export function encodePlacedMessageRecord(message: MessageToStore, placement: Placement): Buffer {
  const payloadBytes = recordPayloadBytes(message, placement);
  const record = Buffer.allocUnsafe(RECORD_HEADER_BYTES + payloadBytes);
  let at = RECORD_HEADER_BYTES;
  at = writeString16(record, at, placement.topic);
  record.writeUInt32BE(placement.queueId, at);
  at += 4;
  at = writeU64(record, at, placement.queueOffset);
  at = writeU64(record, at, placement.storeTimestampMs);
  at = writeString16(record, at, placement.storeHost);
  at = writeString16(record, at, message.messageId);
  let flags = 0;
  if (message.bodyGzipped) flags |= Flag.BodyGzipped;
  if (message.tag !== undefined) flags |= Flag.Tag;
  if (message.messageGroup !== undefined) flags |= Flag.MessageGroup;
  if (message.deliveryTimestampMs !== undefined) flags |= Flag.DeliveryTimestamp;
  if (message.traceContext !== undefined) flags |= Flag.TraceContext;
  record[at] = kindCodes[message.kind];
  record[at + 1] = flags;
  at += 2;
  at = writeU64(record, at, message.bornTimestampMs);
  at = writeString16(record, at, message.bornHost);
  if (message.tag !== undefined) at = writeString16(record, at, message.tag);
  if (message.messageGroup !== undefined) at = writeString16(record, at, message.messageGroup);
  if (message.deliveryTimestampMs !== undefined) at = writeU64(record, at, message.deliveryTimestampMs);
  if (message.traceContext !== undefined) at = writeString16(record, at, message.traceContext);
  record.writeUInt16BE(message.keys.length, at);
  at += 2;
  for (const key of message.keys) at = writeString16(record, at, key);
  const names = Object.keys(message.userProperties);
  record.writeUInt16BE(names.length, at);
  at += 2;
  for (const name of names) {
    at = writeString16(record, at, name);
    at = writeString16(record, at, message.userProperties[name]!);
  }
  record.writeUInt32BE(message.body.byteLength, at);
  at += 4;
  record.set(message.body, at);
  at += message.body.byteLength;
  assert(at === record.length, 'message record size mismatch');
  return sealRecord(record, RecordFormat.Message);
}

function writeString16(record: Buffer, at: number, value: string): number {
  const written = record.write(value, at + 2, 'utf8');
  record.writeUInt16BE(written, at);
  return at + 2 + written;
}

function writeU64(record: Buffer, at: number, value: number): number {
  record.writeUInt32BE(Math.floor(value / TWO_POW_32), at);
  record.writeUInt32BE(value % TWO_POW_32, at + 4);
  return at + 8;
}

/**
 * decodeMessageRecord checks a record's version and checksum and decodes it. Throws
 * RecordDecodeError for any defect; the body is a view into `record`.
 */
export function decodeMessageRecord(record: Uint8Array): StoredMessage {
  const reader = new ByteReader(unframeRecord(record, RecordFormat.Message));
  const topic = reader.string16();
  const queueId = reader.u32();
  const queueOffset = reader.u64();
  const storeTimestampMs = reader.u64();
  const storeHost = reader.string16();
  const messageId = reader.string16();
  const kindCode = reader.u8();
  const kind = kindsByCode.get(kindCode);
  if (kind === undefined) throw new RecordDecodeError(`unknown message kind code ${kindCode}`);
  const flags = reader.u8();
  if ((flags & ~knownFlags) !== 0) throw new RecordDecodeError(`unknown message flags ${flags.toString(2)}`);
  const bornTimestampMs = reader.u64();
  const bornHost = reader.string16();
  const message: StoredMessage = {
    topic,
    queueId,
    queueOffset,
    storeTimestampMs,
    storeHost,
    messageId,
    kind,
    bodyGzipped: (flags & Flag.BodyGzipped) !== 0,
    bornTimestampMs,
    bornHost,
    keys: [],
    userProperties: {},
    body: new Uint8Array(0),
  };
  if ((flags & Flag.Tag) !== 0) message.tag = reader.string16();
  if ((flags & Flag.MessageGroup) !== 0) message.messageGroup = reader.string16();
  if ((flags & Flag.DeliveryTimestamp) !== 0) message.deliveryTimestampMs = reader.u64();
  if ((flags & Flag.TraceContext) !== 0) message.traceContext = reader.string16();
  const keyCount = reader.u16();
  for (let index = 0; index < keyCount; index++) message.keys.push(reader.string16());
  const propertyCount = reader.u16();
  const properties: Array<[string, string]> = [];
  const names = new Set<string>();
  for (let index = 0; index < propertyCount; index++) {
    const name = reader.string16();
    if (names.has(name)) throw new RecordDecodeError(`duplicate property ${name}`);
    names.add(name);
    properties.push([name, reader.string16()]);
  }
  // fromEntries defines own properties, so a property named "__proto__" stays a property.
  message.userProperties = Object.fromEntries(properties);
  message.body = reader.bytes32();
  reader.expectEnd();
  return message;
}
