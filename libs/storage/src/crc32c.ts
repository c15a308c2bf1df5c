import { crc32c as nativeCrc32c } from '@node-rs/crc32';

/**
 * CRC32C_NATIVE_BYTES_MIN is the size from which crc32c calls the native (SSE4.2) implementation.
 * Below it a table lookup per byte in JavaScript is cheaper than crossing into the addon (about
 * 70 ns against 180 ns for 8 bytes, measured): the store checksums a pointer or a cursor of a
 * few bytes for every message.
 */
export const CRC32C_NATIVE_BYTES_MIN = 48;

const CASTAGNOLI_REFLECTED = 0x82f63b78;

const TABLE = ((): Int32Array => {
  const table = new Int32Array(256);
  for (let byte = 0; byte < 256; byte++) {
    let crc = byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? CASTAGNOLI_REFLECTED ^ (crc >>> 1) : crc >>> 1;
    table[byte] = crc;
  }
  return table;
})();

/** crc32c is the CRC-32C (Castagnoli) of `bytes`, as an unsigned 32-bit number. */
export function crc32c(bytes: Uint8Array): number {
  if (bytes.length >= CRC32C_NATIVE_BYTES_MIN) return nativeCrc32c(Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  let crc = -1;
  for (let index = 0; index < bytes.length; index++) crc = TABLE[(crc ^ bytes[index]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}
