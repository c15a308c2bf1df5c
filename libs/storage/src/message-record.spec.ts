import { MessageKind } from '@quiver/core';
import type { StoredMessage } from '@quiver/core';
import fc from 'fast-check';

import { RecordDecodeError } from './bytes';
import { decodeMessageRecord, encodeMessageRecord } from './message-record';

/** Format version 1 of a message with every optional field set, as recorded when the format was fixed. */
const FULL_RECORD_V1_HEX =
  '016a62f39200066f72646572730000000300000001000000020000018bcfe5687b000e31302e302e302e313a3130393131002230313030303030303030303030' +
  '303031303230303030303030303030303030303031021f0000018bcfe56801000a70726f64756365722d31000454616741000267310000018bcfe57b88000930' +
  '302d6162632d3031000200026b3100036bc3a900020005636f6c6f720003726564000d5f5f5348415244494e474b4559000267310000000568656c6c6f';

/** Format version 1 of a message with no optional field, no keys, no properties and an empty body. */
const MINIMAL_RECORD_V1_HEX = '0115e29bee000174000000000000000000000000000000000000000100016800026964010000000000000000020001620000000000000000';

const fullMessage: StoredMessage = {
  topic: 'orders',
  queueId: 3,
  queueOffset: 4_294_967_298,
  storeTimestampMs: 1_700_000_000_123,
  storeHost: '10.0.0.1:10911',
  messageId: '0100000000000001020000000000000001',
  kind: MessageKind.Fifo,
  bodyGzipped: true,
  bornTimestampMs: 1_700_000_000_001,
  bornHost: 'producer-1',
  tag: 'TagA',
  messageGroup: 'g1',
  deliveryTimestampMs: 1_700_000_005_000,
  traceContext: '00-abc-01',
  keys: ['k1', 'ké'],
  userProperties: { color: 'red', __SHARDINGKEY: 'g1' },
  body: Buffer.from('hello'),
};

describe('message record - format version 1 fixtures', () => {
  it('fixture - a full record decodes field by field', () => {
    const message = decodeMessageRecord(Buffer.from(FULL_RECORD_V1_HEX, 'hex'));
    expect(message.topic).toBe('orders');
    expect(message.queueId).toBe(3);
    expect(message.queueOffset).toBe(4_294_967_298);
    expect(message.storeTimestampMs).toBe(1_700_000_000_123);
    expect(message.storeHost).toBe('10.0.0.1:10911');
    expect(message.messageId).toBe('0100000000000001020000000000000001');
    expect(message.kind).toBe(MessageKind.Fifo);
    expect(message.bodyGzipped).toBe(true);
    expect(message.bornTimestampMs).toBe(1_700_000_000_001);
    expect(message.bornHost).toBe('producer-1');
    expect(message.tag).toBe('TagA');
    expect(message.messageGroup).toBe('g1');
    expect(message.deliveryTimestampMs).toBe(1_700_000_005_000);
    expect(message.traceContext).toBe('00-abc-01');
    expect(message.keys).toEqual(['k1', 'ké']);
    expect(message.userProperties).toEqual({ color: 'red', __SHARDINGKEY: 'g1' });
    expect(Buffer.from(message.body).toString()).toBe('hello');
  });

  it('fixture - a full message encodes to the recorded bytes', () => {
    expect(encodeMessageRecord(fullMessage).toString('hex')).toBe(FULL_RECORD_V1_HEX);
  });

  it('fixture - a minimal record decodes with every optional field absent', () => {
    const message = decodeMessageRecord(Buffer.from(MINIMAL_RECORD_V1_HEX, 'hex'));
    expect(message).toEqual({
      topic: 't',
      queueId: 0,
      queueOffset: 0,
      storeTimestampMs: 1,
      storeHost: 'h',
      messageId: 'id',
      kind: MessageKind.Normal,
      bodyGzipped: false,
      bornTimestampMs: 2,
      bornHost: 'b',
      keys: [],
      userProperties: {},
      body: Buffer.alloc(0),
    });
    expect('tag' in message).toBe(false);
    expect('messageGroup' in message).toBe(false);
    expect('deliveryTimestampMs' in message).toBe(false);
    expect('traceContext' in message).toBe(false);
  });
});

describe('message record - integrity', () => {
  it('integrity - flipping any byte of a record is detected', () => {
    const record = Buffer.from(FULL_RECORD_V1_HEX, 'hex');
    for (let index = 0; index < record.length; index++) {
      for (const mask of [0x01, 0x80, 0xff]) {
        const damaged = Buffer.from(record);
        damaged[index] = damaged[index]! ^ mask;
        expect(() => decodeMessageRecord(damaged)).toThrow(RecordDecodeError);
      }
    }
  });

  it('integrity - a truncated or extended record is detected', () => {
    const record = Buffer.from(FULL_RECORD_V1_HEX, 'hex');
    for (const length of [0, 1, 4, 5, 20, record.length - 1]) {
      expect(() => decodeMessageRecord(record.subarray(0, length))).toThrow(RecordDecodeError);
    }
    expect(() => decodeMessageRecord(Buffer.concat([record, Buffer.from([0])]))).toThrow(RecordDecodeError);
  });

  it('integrity - an unknown format version is rejected', () => {
    const record = Buffer.from(MINIMAL_RECORD_V1_HEX, 'hex');
    record[0] = 2;
    expect(() => decodeMessageRecord(record)).toThrow(/format version 2/);
  });

  it('integrity - a property named __proto__ stays an ordinary property', () => {
    const message: StoredMessage = { ...fullMessage, userProperties: JSON.parse('{"__proto__":"x","a":"b"}') as Record<string, string> };
    const decoded = decodeMessageRecord(encodeMessageRecord(message));
    expect(Object.getPrototypeOf(decoded.userProperties)).toBe(Object.prototype);
    expect(Object.keys(decoded.userProperties)).toEqual(['__proto__', 'a']);
  });
});

const safeNumber = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
const shortText = fc.string({ maxLength: 40, unit: 'binary' });
const storedMessage: fc.Arbitrary<StoredMessage> = fc
  .record(
    {
      topic: shortText,
      queueId: fc.integer({ min: 0, max: 0xffff_ffff }),
      queueOffset: safeNumber,
      storeTimestampMs: safeNumber,
      storeHost: shortText,
      messageId: shortText,
      kind: fc.constantFrom(...Object.values(MessageKind)),
      bodyGzipped: fc.boolean(),
      bornTimestampMs: safeNumber,
      bornHost: shortText,
      tag: shortText,
      messageGroup: shortText,
      deliveryTimestampMs: safeNumber,
      traceContext: shortText,
      keys: fc.array(shortText, { maxLength: 5 }),
      userProperties: fc.dictionary(shortText, shortText, { maxKeys: 5 }),
      body: fc.uint8Array({ maxLength: 64 }),
    },
    { requiredKeys: ['topic', 'queueId', 'queueOffset', 'storeTimestampMs', 'storeHost', 'messageId', 'kind', 'bodyGzipped', 'bornTimestampMs', 'bornHost', 'keys', 'userProperties', 'body'] },
  )
  .map((message) => ({ ...message, userProperties: { ...message.userProperties } }));

describe('message record - round trip (property)', () => {
  it('round trip - every valid message decodes to itself', () => {
    fc.assert(
      fc.property(storedMessage, (message) => {
        const decoded = decodeMessageRecord(encodeMessageRecord(message));
        expect({ ...decoded, body: Buffer.from(decoded.body) }).toEqual({ ...message, body: Buffer.from(message.body) });
      }),
      { numRuns: 300, seed: 1 },
    );
  });

  it('round trip - arbitrary bytes never decode silently into a message with a bad checksum', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        try {
          decodeMessageRecord(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(RecordDecodeError);
        }
      }),
      { numRuns: 300, seed: 2 },
    );
  });
});
