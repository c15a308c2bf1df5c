import fc from 'fast-check';

import { RecallHandleCodec } from './recall-handle';
import { ReceiptHandleCodec } from './receipt-handle';

const key = Buffer.alloc(32, 7);
const codec = new RecallHandleCodec(key);
const handle = { storeNode: 'store-0', dueMs: 1_700_000_060_000, timerOffset: 42 };

describe('RecallHandleCodec', () => {
  it('round trip - a handle decodes to what was encoded, for its topic only', () => {
    const encoded = codec.encode(handle, 'orders');
    expect(encoded).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(codec.decode(encoded, 'orders')).toEqual(handle);
    expect(codec.decode(encoded, 'payments')).toBeUndefined();
  });

  it('tamper - any changed byte, another key, or a receipt handle is refused', () => {
    const bytes = Buffer.from(codec.encode(handle, 'orders'), 'base64url');
    for (let index = 0; index < bytes.length; index++) {
      const tampered = Buffer.from(bytes);
      tampered[index] = tampered[index]! ^ 0x01;
      expect(codec.decode(tampered.toString('base64url'), 'orders')).toBeUndefined();
    }
    expect(new RecallHandleCodec(Buffer.alloc(32, 8)).decode(codec.encode(handle, 'orders'), 'orders')).toBeUndefined();
    const receipt = new ReceiptHandleCodec(key).encode({ storeNode: 'store-0', queueId: 1, offset: 2, popGeneration: 3, invisibleUntilMs: 4, autoRenew: false }, 'g', 'orders');
    expect(codec.decode(receipt, 'orders')).toBeUndefined();
  });

  it('fuzz - arbitrary strings never throw', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 600 }), (text) => {
        expect(() => codec.decode(text, 'orders')).not.toThrow();
      }),
    );
  });
});
