import { bodyDigestMd5Upper } from './digest';

describe('digest - md5', () => {
  it.each([
    ['', 'D41D8CD98F00B204E9800998ECF8427E'],
    ['abc', '900150983CD24FB0D6963F7D28E17F72'],
    ['The quick brown fox jumps over the lazy dog', '9E107D9D372BB6826BD81D3542A419D6'],
  ])('md5 - %j has the known upper-case digest', (text, digest) => {
    expect(bodyDigestMd5Upper(new TextEncoder().encode(text))).toBe(digest);
  });

  it('md5 - digests the exact bytes, binary included', () => {
    const body = Uint8Array.from([0x00, 0xff, 0x80, 0x7f]);
    expect(bodyDigestMd5Upper(body)).toMatch(/^[0-9A-F]{32}$/);
    expect(bodyDigestMd5Upper(body.subarray(0, 3))).not.toBe(bodyDigestMd5Upper(body));
  });
});
