/**
 * The protobuf reader of the hand-written decoders (request-decoders.ts, response-decoders.ts,
 * store-decoders.ts and the v2 Message decoding they share): BinaryReader's primitives with its
 * results, its error types and texts (grpc-js puts them in a call's status details), and the
 * quirks of the generated ts-proto decoders that every decoder here mirrors on purpose:
 *
 * - one read position over the whole input: a sub-message's length is never checked against
 *   the input or its parent, only every read is (subEnd); a sub-message ends early at a zero tag
 *   or an end-group tag (skipUnknown returns false), and its parent carries on from there;
 * - a known field number with the wrong wire type is skipped like an unknown field (the message
 *   decoders switch on whole tags, so such a tag falls through to skipUnknown);
 * - strings are decoded like BinaryReader.string(): the shared non-fatal TextDecoder (invalid
 *   UTF-8 becomes U+FFFD, a leading BOM is dropped); ASCII takes a shortcut with the same result;
 * - int64 and uint64 fields become numbers and throw outside the safe-integer range (ts-proto
 *   longToNumber; a uint64 is never negative, so it only throws above 2^53 - 1);
 * - a bool is any varint up to ten bytes, true unless all its 64 bits are zero.
 *
 * Differences the generated code cannot observe: bytes fields are views of the input instead of
 * copies (same Buffer type and bytes; a view keeps the whole input alive as long as it lives),
 * and nested groups inside skipped fields are walked with an explicit stack and a fixed depth
 * bound instead of recursion (see groupNestingMax).
 *
 * A message decoder takes the end its generated counterpart computes (`subEnd()`, or the input's
 * length at the top, as decodeWith passes it), loops `while (before(end))` over readTag() and
 * hands every tag it does not know to skipUnknown.
 */
import { getTextEncoding } from '@bufbuild/protobuf/wire';

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

// Tags of a map<string, string> entry: key = 1, value = 2.
const tagEntryKey = 10;
const tagEntryValue = 18;

// ---------------------------------------------------------------------------------------------
// Reader state. Decoding is synchronous and never re-entered, so one module-level state serves
// every decoder.

/** noBody is the default a message decoder starts its bytes field with; see ownBody. */
export const noBody = Buffer.alloc(0);
let buf: Buffer = noBody;
let pos = 0;
let len = 0;
let decodeUtf8: ((bytes: Uint8Array) => string) | undefined;
/** varintHigh is the high word of the last readVarint64, which returns the low word. */
let varintHigh = 0;

/**
 * decodeWith decodes `bytes` with `decodeTop`, which gets the input's length as the end of the
 * top-level message, and does not keep the input once done.
 */
export function decodeWith<T>(bytes: Uint8Array, decodeTop: (end: number) => T): T {
  buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  pos = 0;
  len = buf.length;
  decodeUtf8 = undefined;
  try {
    return decodeTop(len);
  } finally {
    buf = noBody; // do not pin the input between calls
  }
}

/** before is true while the read position is before `end`: a message loop's condition. */
export function before(end: number): boolean {
  return pos < end;
}

// Same error types and texts as BinaryReader.
function prematureEof(): RangeError {
  return new RangeError('premature EOF');
}

function invalidVarint(): Error {
  return new Error('invalid varint');
}

// ---------------------------------------------------------------------------------------------
// Scalars.

/** readUint32 is BinaryReader.uint32 (varint32read): tags, lengths and uint32 fields. */
export function readUint32(): number {
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

/** readInt32 is BinaryReader.int32: int32 and enum fields (a negative one takes ten bytes). */
export function readInt32(): number {
  return readUint32() | 0;
}

/** readTag is readUint32 with the one-byte case inline. */
export function readTag(): number {
  if (pos < len) {
    const byte = buf[pos];
    if (byte < continuation) {
      pos++;
      return byte;
    }
  }
  return readUint32();
}

/** readLengthEnd reads a length prefix and returns the end of the bytes, checked against the input. */
function readLengthEnd(): number {
  const size = readUint32();
  const end = pos + size;
  if (end > len) throw prematureEof();
  return end;
}

/** subEnd reads a sub-message's length and returns its end, unchecked like the generated code. */
export function subEnd(): number {
  const size = readUint32();
  return pos + size;
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
export function readInt64(): number {
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
export function readUint64(): number {
  const lo = readVarint64();
  const hi = varintHigh >>> 0;
  if (hi >= safeHighWordLimit) throw new Error('Value is larger than Number.MAX_SAFE_INTEGER');
  return hi * twoPow32 + (lo >>> 0);
}

/** readBool is BinaryReader.bool: a 64-bit varint, true unless all its bits are zero. */
export function readBool(): boolean {
  const lo = readVarint64();
  return lo !== 0 || varintHigh !== 0;
}

// ---------------------------------------------------------------------------------------------
// Strings and bytes.

/** readString is BinaryReader.string(): non-fatal UTF-8 with BOM stripping. */
export function readString(): string {
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
 * tag, host, message id and property strings.
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
export function readBytes(): Buffer {
  const end = readLengthEnd();
  const start = pos;
  pos = end;
  return Buffer.from(buf.buffer, buf.byteOffset + start, end - start);
}

/**
 * ownBody gives a message whose bytes field `body` was never read (still noBody) a fresh
 * Buffer.alloc(0), as the generated default is one per message, never a shared one.
 */
export function ownBody<T extends { body: Buffer }>(message: T): T {
  if (message.body === noBody) message.body = Buffer.alloc(0);
  return message;
}

/**
 * readStringMapEntry reads one map<string, string> entry into `map` with a plain assignment, as
 * the generated code does (its `value !== undefined` check always passes, and a "__proto__" key
 * is dropped the same way).
 */
export function readStringMapEntry(end: number, map: { [key: string]: string }): void {
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
  map[key] = value;
}

// ---------------------------------------------------------------------------------------------
// Unknown fields, as BinaryReader.skip.

/**
 * skipUnknown handles a tag no case matched. It returns false when the message ends here:
 * the generated loops stop at a zero tag or any end-group tag, without consuming more.
 */
export function skipUnknown(tag: number): boolean {
  const wireType = tag & wireTypeMask;
  if (wireType === wireEndGroup || tag === 0) return false;
  skipField(wireType);
  return true;
}

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
