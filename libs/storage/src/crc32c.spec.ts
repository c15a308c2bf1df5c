import { crc32c as nativeCrc32c } from '@node-rs/crc32';
import fc from 'fast-check';

import { crc32c, CRC32C_NATIVE_BYTES_MIN } from './crc32c';

describe('crc32c', () => {
  it('known value - "123456789" checks to 0xe3069283 (the CRC-32C check value)', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(0))).toBe(0);
  });

  it('property - equals the native implementation at every length, on both sides of the threshold, and on views', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: CRC32C_NATIVE_BYTES_MIN * 3 }), fc.nat(7), (bytes, skip) => {
        const buffer = Buffer.from(bytes);
        expect(crc32c(buffer)).toBe(nativeCrc32c(buffer));
        const view = buffer.subarray(Math.min(skip, buffer.length));
        expect(crc32c(view)).toBe(nativeCrc32c(Buffer.from(view)));
      }),
      { numRuns: 2_000 },
    );
  });
});
