/**
 * bytes holds the primitive binary codec every key and record of the layout is built from:
 * unsigned big-endian integers (so encoded keys sort by their numbers), u64 limited to safe
 * integers, and strings as a u16 byte length followed by UTF-8.
 *
 * A writer asserts on out-of-range input (the caller validated it; anything else is a bug).
 * A reader throws `RecordDecodeError` on malformed input, because malformed bytes on disk are
 * corruption, an operating condition the caller reports.
 */
import { assert } from '@quiver/core';

import { STRING_FIELD_BYTES_MAX } from './limits';

const TWO_POW_32 = 0x1_0000_0000;
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });
/** POOLED_BYTES_MAX is the largest Buffer.allocUnsafe served from Node's shared pool. */
const POOLED_BYTES_MAX = Buffer.poolSize >>> 1;

/** RecordDecodeError is thrown when stored bytes do not decode: the record is corrupt. */
export class RecordDecodeError extends Error {
  override name = 'RecordDecodeError';
}

/** ByteWriter appends binary fields to a growing buffer. */
export class ByteWriter {
  private buffer: Buffer;
  private length = 0;

  constructor(initialCapacityBytes = 256) {
    this.buffer = Buffer.allocUnsafe(initialCapacityBytes);
  }

  u8(value: number): this {
    if (!(Number.isInteger(value) && value >= 0 && value <= 0xff)) assert(false, `u8 out of range: ${value}`);
    this.reserve(1);
    this.buffer.writeUInt8(value, this.length);
    this.length += 1;
    return this;
  }

  u16(value: number): this {
    if (!(Number.isInteger(value) && value >= 0 && value <= 0xffff)) assert(false, `u16 out of range: ${value}`);
    this.reserve(2);
    this.buffer.writeUInt16BE(value, this.length);
    this.length += 2;
    return this;
  }

  u32(value: number): this {
    if (!(Number.isInteger(value) && value >= 0 && value <= 0xffff_ffff)) assert(false, `u32 out of range: ${value}`);
    this.reserve(4);
    this.buffer.writeUInt32BE(value, this.length);
    this.length += 4;
    return this;
  }

  /** u64 writes a non-negative safe integer as 8 big-endian bytes. */
  u64(value: number): this {
    if (!(Number.isSafeInteger(value) && value >= 0)) assert(false, `u64 out of safe range: ${value}`);
    this.reserve(8);
    this.buffer.writeUInt32BE(Math.floor(value / TWO_POW_32), this.length);
    this.buffer.writeUInt32BE(value % TWO_POW_32, this.length + 4);
    this.length += 8;
    return this;
  }

  /** string16 writes a u16 byte length and the UTF-8 bytes. */
  string16(value: string): this {
    const byteLength = Buffer.byteLength(value, 'utf8');
    if (byteLength > STRING_FIELD_BYTES_MAX) assert(false, `string field of ${byteLength} bytes exceeds ${STRING_FIELD_BYTES_MAX}`);
    this.u16(byteLength);
    this.reserve(byteLength);
    this.buffer.write(value, this.length, byteLength, 'utf8');
    this.length += byteLength;
    return this;
  }

  /** bytes32 writes a u32 byte length and the bytes. */
  bytes32(value: Uint8Array): this {
    this.u32(value.byteLength);
    return this.raw(value);
  }

  raw(value: Uint8Array): this {
    this.reserve(value.byteLength);
    this.buffer.set(value, this.length);
    this.length += value.byteLength;
    return this;
  }

  /**
   * finish returns the written bytes as a buffer of exactly their length. A small buffer is
   * returned as a view (it lives in Node's shared allocation pool either way, so a copy would
   * only cost time); a large one is copied when it has spare capacity, so it pins no more
   * memory than it holds. The writer must not be used after finish.
   */
  finish(): Buffer {
    if (this.length === this.buffer.length || this.buffer.length <= POOLED_BYTES_MAX) return this.buffer.subarray(0, this.length);
    return Buffer.from(this.buffer.subarray(0, this.length));
  }

  private reserve(byteCount: number): void {
    if (this.length + byteCount <= this.buffer.length) return;
    let capacity = this.buffer.length * 2;
    while (capacity < this.length + byteCount) capacity *= 2;
    const grown = Buffer.allocUnsafe(capacity);
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
  }
}

/** ByteReader reads the fields ByteWriter wrote, checking every bound. */
export class ByteReader {
  private readonly buffer: Buffer;
  private position = 0;

  constructor(bytes: Uint8Array) {
    this.buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get remainingBytes(): number {
    return this.buffer.length - this.position;
  }

  u8(): number {
    this.need(1);
    const value = this.buffer.readUInt8(this.position);
    this.position += 1;
    return value;
  }

  u16(): number {
    this.need(2);
    const value = this.buffer.readUInt16BE(this.position);
    this.position += 2;
    return value;
  }

  u32(): number {
    this.need(4);
    const value = this.buffer.readUInt32BE(this.position);
    this.position += 4;
    return value;
  }

  u64(): number {
    this.need(8);
    const high = this.buffer.readUInt32BE(this.position);
    const low = this.buffer.readUInt32BE(this.position + 4);
    this.position += 8;
    const value = high * TWO_POW_32 + low;
    if (!Number.isSafeInteger(value)) throw new RecordDecodeError(`u64 ${high}:${low} is beyond the safe integer range`);
    return value;
  }

  string16(): string {
    const byteLength = this.u16();
    this.need(byteLength);
    const bytes = this.buffer.subarray(this.position, this.position + byteLength);
    this.position += byteLength;
    try {
      return utf8Decoder.decode(bytes);
    } catch (error) {
      throw new RecordDecodeError('string field is not valid UTF-8', { cause: error });
    }
  }

  /** bytes32 returns a view into the read buffer, not a copy. */
  bytes32(): Buffer {
    const byteLength = this.u32();
    this.need(byteLength);
    const bytes = this.buffer.subarray(this.position, this.position + byteLength);
    this.position += byteLength;
    return bytes;
  }

  /** expectEnd throws unless every byte was read: trailing bytes mean a corrupt or misread record. */
  expectEnd(): void {
    if (this.position !== this.buffer.length) {
      throw new RecordDecodeError(`${this.buffer.length - this.position} trailing bytes`);
    }
  }

  private need(byteCount: number): void {
    if (this.position + byteCount > this.buffer.length) {
      throw new RecordDecodeError(`record truncated: need ${byteCount} bytes at ${this.position}, have ${this.buffer.length - this.position}`);
    }
  }
}
