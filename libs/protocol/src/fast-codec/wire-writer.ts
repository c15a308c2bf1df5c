/**
 * The protobuf writer of the hand-written encoders (response-encoders.ts, request-encoders.ts,
 * store-encoders.ts and the v2 Message encoding they share). An encoder emits exactly the bytes
 * of the generated `X.encode(v).finish()` (same field order, same default-skipping, same checks
 * and throws on out-of-range numbers) in two passes: one sizing pass that also records every
 * nested-message and string length, then one write pass into a single `Buffer.allocUnsafe`.
 * The generated BinaryWriter forks a chunk list per sub-message, runs TextEncoder per string,
 * converts every int64 and uint64 through BigInt and a DataView, and copies everything again in
 * finish() and in `Buffer.from`; this avoids all of that.
 *
 * A message has a sizing function (built from the `...Size` functions here) and a write
 * function (built from the `write...` functions) that must visit the same fields under the same
 * conditions, in the generated encoder's order; `encode` runs both.
 */

// Wire types and tags.
const wireVarint = 0;
const wireLengthDelimited = 2;
const fieldShift = 3;
/** varintTag is the tag of a varint field (int32, int64, uint64, bool, enum). */
export const varintTag = (field: number): number => (field << fieldShift) | wireVarint;
/** lengthTag is the tag of a length-delimited field (string, bytes, message, map entry). */
export const lengthTag = (field: number): number => (field << fieldShift) | wireLengthDelimited;
/** Fields 1-15 have one-byte tags, fields 16-2047 two-byte ones. */
export const tagSize1 = 1;
export const tagSize2 = 2;

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

// Tags of a map<string, string> entry: key = 1, value = 2.
const tagEntryKey = lengthTag(1);
const tagEntryValue = lengthTag(2);

// ---------------------------------------------------------------------------------------------
// Encoder state. Encoding is synchronous and never re-entered, so one module-level state serves
// every encoder: the sizing pass appends lengths in pre-order, the write pass reads them back in
// the same order.

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
 * encode runs both passes and returns a fresh Buffer (a later encode never changes an earlier
 * result). Values are validated in the sizing pass (as BinaryWriter would), so the write pass
 * cannot fail half-way; a mismatch between the passes is a bug here.
 */
export function encode<T>(value: T, sizeOf: (value: T) => number, write: (value: T) => void): Buffer {
  lengthCount = 0;
  const size = sizeOf(value);
  const result = Buffer.allocUnsafe(size);
  out = result;
  pos = 0;
  lengthRead = 0;
  write(value);
  out = emptyBuffer; // do not pin the last result between calls
  if (pos !== size || lengthRead !== lengthCount) {
    throw new Error(`fast-codec: wrote ${pos} of ${size} bytes`);
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Scalars. A `...Size` function checks its value as BinaryWriter does and throws where it throws.

/** uint32Size is the varint size of a non-negative value below 2^32 (tags and lengths). */
export function uint32Size(value: number): number {
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

/** writeUint32 writes a non-negative value below 2^32: tags, lengths. */
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

export function int32Size(value: number): number {
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

export function int64Size(value: number): number {
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

export function uint64Size(value: number): number {
  checkUint64(value);
  return unsignedVarintSize(value);
}

/** A checked uint64 has the bits of the int64 of the same value modulo 2^64, so writeInt64 writes it. */
const writeUint64 = writeInt64;

/** A bool is one varint byte, 0 or 1, as BinaryWriter.bool writes it. */
export const boolBytes = 1;

// Scalar fields: tag, then value. The caller has sized the value (which checks it).

export function writeInt32Field(tag: number, value: number): void {
  writeUint32(tag);
  writeInt32(value);
}

export function writeInt64Field(tag: number, value: number): void {
  writeUint32(tag);
  writeInt64(value);
}

export function writeUint64Field(tag: number, value: number): void {
  writeUint32(tag);
  writeUint64(value);
}

export function writeBoolField(tag: number, value: boolean): void {
  writeUint32(tag);
  out[pos++] = value ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------
// Strings, bytes and nested messages: the `...FieldSize` functions size tag + length + payload.
// A string's UTF-8 length is recorded in the sizing pass; the write pass knows the string is
// ASCII when that length equals its UTF-16 length.

function utf8Length(value: string): number {
  const units = value.length;
  if (units > shortStringUnits) return Buffer.byteLength(value, 'utf8');
  for (let i = 0; i < units; i++) {
    if (value.charCodeAt(i) > asciiMax) return Buffer.byteLength(value, 'utf8');
  }
  return units;
}

/** stringFieldSize sizes tag + length + UTF-8 bytes and records the byte length. */
export function stringFieldSize(tagSize: number, value: string): number {
  const bytes = utf8Length(value);
  // Reserve first: reserveLength may replace `lengths` with a grown copy.
  const slot = reserveLength();
  lengths[slot] = bytes;
  return tagSize + uint32Size(bytes) + bytes;
}

export function writeStringField(tag: number, value: string): void {
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

export function bytesFieldSize(tagSize: number, value: Uint8Array): number {
  return tagSize + uint32Size(value.byteLength) + value.byteLength;
}

export function writeBytesField(tag: number, value: Uint8Array): void {
  writeUint32(tag);
  writeUint32(value.byteLength);
  out.set(value, pos);
  pos += value.byteLength;
}

/** messageFieldSize sizes a nested message field and records the body length. */
export function messageFieldSize<T>(tagSize: number, value: T, sizeBody: (value: T) => number): number {
  const slot = reserveLength();
  const bytes = sizeBody(value);
  lengths[slot] = bytes;
  return tagSize + uint32Size(bytes) + bytes;
}

export function writeMessageField<T>(tag: number, value: T, writeBody: (value: T) => void): void {
  writeUint32(tag);
  writeUint32(lengths[lengthRead++]);
  writeBody(value);
}

/**
 * A map<string, string> field: one nested entry message per key, written even when key and
 * value are both empty (then the entry is zero bytes); inside, key and value follow the proto3
 * default rule. Object.keys visits keys in the same order as the generated Object.entries.
 */
export function stringMapFieldSize(tagSize: number, map: { [key: string]: string }): number {
  let size = 0;
  const keys = Object.keys(map);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    const value = map[key];
    const slot = reserveLength();
    let entry = 0;
    if (key !== '') entry += stringFieldSize(tagSize1, key);
    if (value !== '') entry += stringFieldSize(tagSize1, value);
    lengths[slot] = entry;
    size += tagSize + uint32Size(entry) + entry;
  }
  return size;
}

export function writeStringMapField(tag: number, map: { [key: string]: string }): void {
  const keys = Object.keys(map);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    const value = map[key];
    writeUint32(tag);
    writeUint32(lengths[lengthRead++]);
    if (key !== '') writeStringField(tagEntryKey, key);
    if (value !== '') writeStringField(tagEntryValue, value);
  }
}
