import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { ISSUED_HANDLES_MAX, ReceiptHandleCodec, type ReceiptHandle } from './receipt-handle';

const codec = new ReceiptHandleCodec(Buffer.alloc(32, 7));
const handle: ReceiptHandle = { storeNode: 'store-1', queueId: 3, offset: 12345, popGeneration: 99, invisibleUntilMs: 1_700_000_000_000, autoRenew: false };

describe('receipt handle - self-describing and tamper-evident', () => {
  it('round-trips through another codec with the same cluster key', () => {
    const other = new ReceiptHandleCodec(Buffer.alloc(32, 7));
    expect(other.decode(codec.encode(handle, 'g', 't'), 'g', 't')).toEqual(handle);
  });

  it('is rejected for another group, topic or key', () => {
    const encoded = codec.encode(handle, 'g', 't');
    expect(codec.decode(encoded, 'other', 't')).toBeUndefined();
    expect(codec.decode(encoded, 'g', 'other')).toBeUndefined();
    expect(new ReceiptHandleCodec(Buffer.alloc(32, 8)).decode(encoded, 'g', 't')).toBeUndefined();
  });

  it('any single changed character is rejected', () => {
    const encoded = codec.encode(handle, 'g', 't');
    fc.assert(
      fc.property(fc.nat(encoded.length - 1), fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'), (index, char) => {
        fc.pre(encoded[index] !== char);
        const forged = encoded.slice(0, index) + char + encoded.slice(index + 1);
        const decoded = codec.decode(forged, 'g', 't');
        // A change in the unused low bits of the last base64 character decodes to the same bytes.
        if (decoded !== undefined) expect(decoded).toEqual(handle);
      }),
    );
  });

  it('garbage never throws', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 600 }), (garbage) => {
        expect(() => codec.decode(garbage, 'g', 't')).not.toThrow();
      }),
    );
  });

  it('a handle issued here decodes to what a codec that never saw it verifies, once per issue; not in another group or topic', () => {
    fc.assert(
      fc.property(
        fc.record({
          storeNode: fc.string({ minLength: 1, maxLength: 64 }).filter((name) => Buffer.byteLength(name) <= 255 && !/[\ud800-\udfff]/.test(name)),
          queueId: fc.nat(0xffff),
          offset: fc.nat(),
          popGeneration: fc.nat(),
          invisibleUntilMs: fc.nat(),
          autoRenew: fc.boolean(),
        }),
        (issued) => {
          const issuer = new ReceiptHandleCodec(Buffer.alloc(32, 7));
          const verifier = new ReceiptHandleCodec(Buffer.alloc(32, 7));
          const encoded = issuer.encode(issued, 'g', 't');
          expect(issuer.decode(encoded, 'other', 't')).toBeUndefined();
          expect(issuer.decode(encoded, 'g', 'other')).toBeUndefined();
          expect(issuer.decode(encoded, 'g', 't')).toEqual(verifier.decode(encoded, 'g', 't'));
          expect(issuer.decode(encoded, 'g', 't')).toEqual(issued);
        },
      ),
    );
  });

  it('the MAC is HMAC-SHA256 as node:crypto computes it, for keys shorter and longer than a hash block', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 16, maxLength: 100 }),
        fc.record({
          storeNode: fc.string({ minLength: 1, maxLength: 64 }).filter((name) => Buffer.byteLength(name) <= 255 && !/[\ud800-\udfff]/.test(name)),
          queueId: fc.nat(0xffff),
          offset: fc.maxSafeNat(),
          popGeneration: fc.maxSafeNat(),
          invisibleUntilMs: fc.maxSafeNat(),
          autoRenew: fc.boolean(),
        }),
        fc.string({ minLength: 1, maxLength: 300 }),
        fc.string({ minLength: 1, maxLength: 300 }),
        (keyBytes, issued, group, topic) => {
          const key = Buffer.from(keyBytes);
          const bytes = Buffer.from(new ReceiptHandleCodec(key).encode(issued, group, topic), 'base64url');
          const body = bytes.subarray(0, bytes.length - 16);
          const expected = createHmac('sha256', key).update(body).update(group).update('\0').update(topic).digest().subarray(0, 16);
          expect(bytes.subarray(bytes.length - 16).equals(expected)).toBe(true);
          expect(new ReceiptHandleCodec(key).decode(bytes.toString('base64url'), group, topic)).toEqual(issued);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a negative or fractional offset is refused at encode', () => {
    expect(() => codec.encode({ ...handle, offset: -1 }, 'g', 't')).toThrow(TypeError);
    expect(() => codec.encode({ ...handle, popGeneration: 1.5 }, 'g', 't')).toThrow(TypeError);
  });

  it('keeps at most ISSUED_HANDLES_MAX issued handles; forgotten ones still decode in full', () => {
    const issuer = new ReceiptHandleCodec(Buffer.alloc(32, 7));
    const first = issuer.encode(handle, 'g', 't');
    for (let offset = 1; offset <= ISSUED_HANDLES_MAX; offset++) issuer.encode({ ...handle, offset }, 'g', 't');
    expect(issuer.issuedCount).toBe(ISSUED_HANDLES_MAX);
    expect(issuer.decode(first, 'g', 't')).toEqual(handle);
    const last = issuer.encode({ ...handle, offset: ISSUED_HANDLES_MAX + 1 }, 'g', 't');
    expect(issuer.issuedCount).toBe(ISSUED_HANDLES_MAX);
    expect(issuer.decode(last, 'g', 't')).toEqual({ ...handle, offset: ISSUED_HANDLES_MAX + 1 });
    expect(issuer.issuedCount).toBe(ISSUED_HANDLES_MAX - 1);
  });
});
