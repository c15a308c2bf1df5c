import fc from 'fast-check';
import { ByteWriter, frameRecord, KeyPrefix } from '@quiver/storage';

import {
  decodeInFlightRecord,
  decodePopCursor,
  decodePopCursorKey,
  decodePopInFlightKey,
  encodeInFlightRecord,
  encodePopCursor,
  popCursorKey,
  popInFlightKey,
  popInFlightKeyAt,
  popInFlightQueuePrefix,
} from './consumption-layout';

describe('consumption layout', () => {
  it('popInFlightKeyAt - from a queue prefix builds exactly popInFlightKey', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 40 }),
        fc.string({ minLength: 1, maxLength: 40 }),
        fc.nat(0xffff_ffff),
        fc.oneof(fc.nat(), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER })),
        (group, topic, queueId, offset) => {
          const address = { group, topic, queueId };
          expect(popInFlightKeyAt(popInFlightQueuePrefix(address), offset).equals(popInFlightKey(address, offset))).toBe(true);
        },
      ),
    );
    expect(() => popInFlightKeyAt(popInFlightQueuePrefix({ group: 'g', topic: 't', queueId: 0 }), -1)).toThrow(RangeError);
  });

  it('fixture - keys encode to the recorded bytes, under the prefixes of the storage registry', () => {
    const cursorKey = popCursorKey({ group: 'g', topic: 't', queueId: 2 });
    expect(cursorKey.toString('hex')).toBe('4300016700017400000002');
    expect(cursorKey[0]).toBe(KeyPrefix.PopCursor);
    const inFlightKey = popInFlightKey({ group: 'g', topic: 't', queueId: 2 }, 7);
    expect(inFlightKey.toString('hex')).toBe('46000167000174000000020000000000000007');
    expect(inFlightKey[0]).toBe(KeyPrefix.PopInFlight);
    expect(decodePopCursorKey(cursorKey)).toEqual({ group: 'g', topic: 't', queueId: 2 });
    expect(decodePopInFlightKey(inFlightKey)).toEqual({ group: 'g', topic: 't', queueId: 2, offset: 7 });
  });

  it('fixture - records encode to the recorded bytes and back', () => {
    const inFlight = encodeInFlightRecord({ invisibleUntilMs: 1_700_000_000_000, deliveryAttempt: 3, popGeneration: 42 });
    expect(inFlight.subarray(5).toString('hex')).toBe('0000018bcfe56800' + '00000003' + '000000000000002a');
    expect(inFlight[0]).toBe(1);
    expect(decodeInFlightRecord(inFlight)).toEqual({ invisibleUntilMs: 1_700_000_000_000, deliveryAttempt: 3, popGeneration: 42 });
    const cursor = encodePopCursor({ cursor: 9, resetGeneration: 5 });
    expect(cursor[0]).toBe(2);
    expect(cursor.subarray(5).toString('hex')).toBe('0000000000000009' + '0000000000000005');
    expect(decodePopCursor(cursor)).toEqual({ cursor: 9, resetGeneration: 5 });
  });

  it('compatibility - a format-1 cursor record (cursor only) reads as never reset', () => {
    const formatOne = frameRecord(1, new ByteWriter(8).u64(9).finish());
    expect(decodePopCursor(formatOne)).toEqual({ cursor: 9, resetGeneration: 0 });
  });

  it('integrity - a damaged record is rejected', () => {
    const record = encodePopCursor({ cursor: 9, resetGeneration: 0 });
    record[record.length - 1] ^= 1;
    expect(() => decodePopCursor(record)).toThrow(/checksum/);
  });
});
