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
import type { StoredMessage } from '@quiver/core';

import { ByteReader, ByteWriter, RecordDecodeError } from './bytes';
import { frameRecord, RecordFormat, unframeRecord } from './layout';
import {
  MESSAGE_BODY_BYTES_MAX,
  MESSAGE_KEY_COUNT_MAX,
  MESSAGE_PROPERTY_COUNT_MAX,
  QUEUE_ID_MAX,
  STRING_FIELD_BYTES_MAX,
} from './limits';

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

/**
 * checkStoredMessage asserts that a message fits the record format. Callers validate client input
 * first (the store node answers BAD_REQUEST), so a failure here is a bug.
 */
export function checkStoredMessage(message: StoredMessage): void {
  const checkString = (value: string, field: string): void => {
    assert(typeof value === 'string', `${field} is not a string`);
    assert(Buffer.byteLength(value, 'utf8') <= STRING_FIELD_BYTES_MAX, `${field} exceeds ${STRING_FIELD_BYTES_MAX} bytes`);
  };
  const checkNumber = (value: number, field: string): void => {
    assert(Number.isSafeInteger(value) && value >= 0, `${field} is not a non-negative safe integer: ${value}`);
  };
  checkString(message.topic, 'topic');
  assert(Number.isInteger(message.queueId) && message.queueId >= 0 && message.queueId <= QUEUE_ID_MAX, `bad queueId ${message.queueId}`);
  checkNumber(message.queueOffset, 'queueOffset');
  checkNumber(message.storeTimestampMs, 'storeTimestampMs');
  checkString(message.storeHost, 'storeHost');
  checkString(message.messageId, 'messageId');
  assert(kindCodes[message.kind] !== undefined, `unknown message kind ${message.kind}`);
  checkNumber(message.bornTimestampMs, 'bornTimestampMs');
  checkString(message.bornHost, 'bornHost');
  if (message.tag !== undefined) checkString(message.tag, 'tag');
  if (message.messageGroup !== undefined) checkString(message.messageGroup, 'messageGroup');
  if (message.deliveryTimestampMs !== undefined) checkNumber(message.deliveryTimestampMs, 'deliveryTimestampMs');
  if (message.traceContext !== undefined) checkString(message.traceContext, 'traceContext');
  assert(message.keys.length <= MESSAGE_KEY_COUNT_MAX, `${message.keys.length} keys exceed ${MESSAGE_KEY_COUNT_MAX}`);
  message.keys.forEach((key, index) => checkString(key, `keys[${index}]`));
  const properties = Object.entries(message.userProperties);
  assert(properties.length <= MESSAGE_PROPERTY_COUNT_MAX, `${properties.length} properties exceed ${MESSAGE_PROPERTY_COUNT_MAX}`);
  for (const [name, value] of properties) {
    checkString(name, 'property name');
    checkString(value, `property ${name}`);
  }
  assert(message.body instanceof Uint8Array, 'body is not bytes');
  assert(message.body.byteLength <= MESSAGE_BODY_BYTES_MAX, `body of ${message.body.byteLength} bytes exceeds ${MESSAGE_BODY_BYTES_MAX}`);
  assert(typeof message.bodyGzipped === 'boolean', 'bodyGzipped is not a boolean');
}

/** encodeMessageRecord checks a message and encodes it as a framed record. */
export function encodeMessageRecord(message: StoredMessage): Buffer {
  checkStoredMessage(message);
  const writer = new ByteWriter(256 + message.body.byteLength);
  writer
    .string16(message.topic)
    .u32(message.queueId)
    .u64(message.queueOffset)
    .u64(message.storeTimestampMs)
    .string16(message.storeHost)
    .string16(message.messageId)
    .u8(kindCodes[message.kind]);
  let flags = 0;
  if (message.bodyGzipped) flags |= Flag.BodyGzipped;
  if (message.tag !== undefined) flags |= Flag.Tag;
  if (message.messageGroup !== undefined) flags |= Flag.MessageGroup;
  if (message.deliveryTimestampMs !== undefined) flags |= Flag.DeliveryTimestamp;
  if (message.traceContext !== undefined) flags |= Flag.TraceContext;
  writer.u8(flags).u64(message.bornTimestampMs).string16(message.bornHost);
  if (message.tag !== undefined) writer.string16(message.tag);
  if (message.messageGroup !== undefined) writer.string16(message.messageGroup);
  if (message.deliveryTimestampMs !== undefined) writer.u64(message.deliveryTimestampMs);
  if (message.traceContext !== undefined) writer.string16(message.traceContext);
  writer.u16(message.keys.length);
  for (const key of message.keys) writer.string16(key);
  const properties = Object.entries(message.userProperties);
  writer.u16(properties.length);
  for (const [name, value] of properties) writer.string16(name).string16(value);
  writer.bytes32(message.body);
  return frameRecord(RecordFormat.Message, writer.finish());
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
