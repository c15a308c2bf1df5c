/**
 * consumption-layout is where libs/consumption's state lives in the store node's consumer-state
 * LevelDB (in the message LevelDB before the split; consumer-state-move.ts moves it). Its
 * key prefixes come from the one registry in `@quiver/storage` (layout.ts, which also lists
 * these keys), so no two owners can share a prefix.
 *
 *   PopCursor     'C' group:str16 topic:str16 queueId:u32             -> cursor record
 *   PopInFlight   'F' group:str16 topic:str16 queueId:u32 offset:u64  -> in-flight record
 *   PopGeneration 'G'                                                 -> generation record
 *   ConsumerStateMove 'O'                                             -> empty (consumer-state-move.ts)
 *
 * Records use the storage framing (formatVersion:u8 crc32c:u32 payload):
 *   cursor record     (format 2) => cursor:u64 (the next offset never handed out to the group)
 *                                   resetGeneration:u64 (first pop generation after the last offset reset)
 *                     (format 1) => cursor:u64 (read as resetGeneration 0)
 *   in-flight record  (format 1) => invisibleUntilMs:u64 deliveryAttempt:u32 popGeneration:u64
 *   generation record (format 1) => reservedUntil:u64 (every generation below it may have been used)
 */
import { ByteReader, ByteWriter, frameRecord, frameU64Record, KeyPrefix, RecordDecodeError, unframeRecord, unframeU64Record } from '@quiver/storage';

export const ConsumptionRecordFormat = {
  PopCursor: 2,
  PopInFlight: 1,
  PopGeneration: 1,
} as const;

export interface QueueAddress {
  group: string;
  topic: string;
  queueId: number;
}

export interface InFlightRecordValue {
  invisibleUntilMs: number;
  deliveryAttempt: number;
  popGeneration: number;
}

export function popCursorPrefix(): Buffer {
  return Buffer.from([KeyPrefix.PopCursor]);
}

export function popCursorKey(address: QueueAddress): Buffer {
  return new ByteWriter(64).u8(KeyPrefix.PopCursor).string16(address.group).string16(address.topic).u32(address.queueId).finish();
}

export function decodePopCursorKey(key: Uint8Array): QueueAddress {
  const reader = new ByteReader(key);
  if (reader.u8() !== KeyPrefix.PopCursor) throw new RecordDecodeError('not a pop cursor key');
  const address = { group: reader.string16(), topic: reader.string16(), queueId: reader.u32() };
  reader.expectEnd();
  return address;
}

export interface PopCursorValue {
  cursor: number;
  resetGeneration: number;
}

/** POP_CURSOR_FORMAT_V1 is the cursor record before offset resets: cursor only. */
const POP_CURSOR_FORMAT_V1 = 1;

export function encodePopCursor(value: PopCursorValue): Buffer {
  return frameRecord(ConsumptionRecordFormat.PopCursor, new ByteWriter(16).u64(value.cursor).u64(value.resetGeneration).finish());
}

export function decodePopCursor(record: Uint8Array): PopCursorValue {
  if (record[0] === POP_CURSOR_FORMAT_V1) {
    const reader = new ByteReader(unframeRecord(record, POP_CURSOR_FORMAT_V1));
    const cursor = reader.u64();
    reader.expectEnd();
    return { cursor, resetGeneration: 0 };
  }
  const reader = new ByteReader(unframeRecord(record, ConsumptionRecordFormat.PopCursor));
  const value = { cursor: reader.u64(), resetGeneration: reader.u64() };
  reader.expectEnd();
  return value;
}

export function popInFlightPrefix(): Buffer {
  return Buffer.from([KeyPrefix.PopInFlight]);
}

export function popInFlightKey(address: QueueAddress, offset: number): Buffer {
  return new ByteWriter(72).u8(KeyPrefix.PopInFlight).string16(address.group).string16(address.topic).u32(address.queueId).u64(offset).finish();
}

/** popInFlightQueuePrefix is the part of a queue's in-flight keys before the offset, so the keys of one queue are built from it (popInFlightKeyAt). */
export function popInFlightQueuePrefix(address: QueueAddress): Buffer {
  return new ByteWriter(64).u8(KeyPrefix.PopInFlight).string16(address.group).string16(address.topic).u32(address.queueId).finish();
}

const TWO_POW_32 = 2 ** 32;

/** popInFlightKeyAt is popInFlightKey(address, offset) for the queue whose popInFlightQueuePrefix is `queuePrefix`, without encoding the names again. */
export function popInFlightKeyAt(queuePrefix: Buffer, offset: number): Buffer {
  if (!(Number.isSafeInteger(offset) && offset >= 0)) throw new RangeError(`u64 out of safe range: ${offset}`);
  const key = Buffer.allocUnsafe(queuePrefix.length + 8);
  queuePrefix.copy(key, 0);
  key.writeUInt32BE(Math.floor(offset / TWO_POW_32), queuePrefix.length);
  key.writeUInt32BE(offset % TWO_POW_32, queuePrefix.length + 4);
  return key;
}

export function decodePopInFlightKey(key: Uint8Array): QueueAddress & { offset: number } {
  const reader = new ByteReader(key);
  if (reader.u8() !== KeyPrefix.PopInFlight) throw new RecordDecodeError('not a pop in-flight key');
  const decoded = { group: reader.string16(), topic: reader.string16(), queueId: reader.u32(), offset: reader.u64() };
  reader.expectEnd();
  return decoded;
}

export function encodeInFlightRecord(value: InFlightRecordValue): Buffer {
  const payload = new ByteWriter(20).u64(value.invisibleUntilMs).u32(value.deliveryAttempt).u64(value.popGeneration).finish();
  return frameRecord(ConsumptionRecordFormat.PopInFlight, payload);
}

export function decodeInFlightRecord(record: Uint8Array): InFlightRecordValue {
  const reader = new ByteReader(unframeRecord(record, ConsumptionRecordFormat.PopInFlight));
  const value = { invisibleUntilMs: reader.u64(), deliveryAttempt: reader.u32(), popGeneration: reader.u64() };
  reader.expectEnd();
  return value;
}

export function consumerStateMoveMarkerKey(): Buffer {
  return Buffer.from([KeyPrefix.ConsumerStateMove]);
}

export function popGenerationKey(): Buffer {
  return Buffer.from([KeyPrefix.PopGeneration]);
}

export function encodePopGeneration(reservedUntil: number): Buffer {
  return frameU64Record(ConsumptionRecordFormat.PopGeneration, reservedUntil);
}

export function decodePopGeneration(record: Uint8Array): number {
  return unframeU64Record(record, ConsumptionRecordFormat.PopGeneration);
}
