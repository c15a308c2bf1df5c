import fc from 'fast-check';

import { RecordDecodeError } from './bytes';
import {
  decodeKeyIndexKey,
  decodeMessageIdIndexKey,
  decodeMessageKey,
  decodeMessagePointer,
  decodeOperationsRecord,
  decodeQueueMeta,
  decodeRecordLogKey,
  decodeRecordLogPosition,
  decodeQueueRegistryKey,
  decodeTimerIndexKey,
  decodeTimerIndexRecord,
  decodeTransactionCheckKey,
  decodeTransactionRecord,
  encodeMessagePointer,
  encodeOperationsRecord,
  encodeQueueMeta,
  encodeRecordLogPosition,
  encodeTransactionRecord,
  encodeTimerIndexRecord,
  frameRecord,
  KeyPrefix,
  isMessagePointer,
  isOperationsRecord,
  keyIndexKey,
  LAYOUT_VERSION,
  LAYOUT_VERSIONS_READABLE,
  messageIdIndexKey,
  messageIdIndexPrefix,
  messageKey,
  prefixUpperBound,
  queueMetaKey,
  queueRegistryKey,
  recordLogKey,
  recordLogPositionKey,
  timerIndexDueBound,
  timerIndexKey,
  transactionCheckDueBound,
  transactionCheckKey,
  transactionCheckPrefix,
  transactionKey,
  TransactionState,
  unframeRecord,
} from './layout';

describe('layout - keys', () => {
  it('prefixes - every owner has its own first byte', () => {
    const prefixes = Object.values(KeyPrefix);
    expect(new Set(prefixes).size).toBe(prefixes.length);
  });

  it('layout - the version this build writes is 2 (the record log); it reads 1 and 2', () => {
    expect(LAYOUT_VERSION).toBe(2);
    expect(LAYOUT_VERSIONS_READABLE).toEqual([1, 2]);
  });

  it('fixture - record-log keys, pointers and positions encode to the recorded bytes and back', () => {
    expect(recordLogKey(258).toString('hex')).toBe('4c0000000000000102');
    expect(decodeRecordLogKey(recordLogKey(Number.MAX_SAFE_INTEGER))).toBe(Number.MAX_SAFE_INTEGER);
    const pointer = encodeMessagePointer(5);
    expect(pointer[0]).toBe(0xf0);
    expect(pointer.subarray(5).toString('hex')).toBe('0000000000000005');
    expect(isMessagePointer(pointer)).toBe(true);
    expect(decodeMessagePointer(pointer)).toBe(5);
    const position = encodeRecordLogPosition(7);
    expect(position[0]).toBe(1);
    expect(position.subarray(5).toString('hex')).toBe('0000000000000007');
    expect(decodeRecordLogPosition(position)).toBe(7);
    expect(recordLogPositionKey().toString('hex')).toBe('50');
  });

  it('fixture - an operations record encodes to the recorded bytes and decodes to its operations', () => {
    const record = encodeOperationsRecord([
      { type: 'put', key: Buffer.from('k'), value: Buffer.from('vv') },
      { type: 'del', key: Buffer.from('d') },
    ]);
    expect(record[0]).toBe(0xf1);
    expect(isOperationsRecord(record)).toBe(true);
    expect(record.subarray(5).toString('hex')).toBe('00000002' + '01' + '00000001' + '6b' + '00000002' + '7676' + '02' + '00000001' + '64');
    expect(decodeOperationsRecord(record)).toEqual([
      { type: 'put', key: Buffer.from('k'), value: Buffer.from('vv') },
      { type: 'del', key: Buffer.from('d') },
    ]);
    const damaged = Buffer.from(record);
    damaged[damaged.length - 1] ^= 1;
    expect(() => decodeOperationsRecord(damaged)).toThrow(RecordDecodeError);
  });

  it('record-log keys - sort by sequence as numbers (property)', () => {
    const sequence = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
    fc.assert(
      fc.property(sequence, sequence, (a, b) => {
        expect(Math.sign(Buffer.compare(recordLogKey(a), recordLogKey(b)))).toBe(Math.sign(a - b));
      }),
      { numRuns: 300, seed: 5 },
    );
  });

  it('fixture - keys encode to the recorded bytes', () => {
    expect(messageKey(1, 2).toString('hex')).toBe('4d000000010000000000000002');
    expect(queueRegistryKey('t', 7).toString('hex')).toBe('5200017400000007');
    expect(queueMetaKey(258).toString('hex')).toBe('5100000102');
    expect(messageIdIndexKey('ab', 1, 5).toString('hex')).toBe('4900026162000000010000000000000005');
    expect(keyIndexKey('t', 'k', 9, 1, 5).toString('hex')).toBe('4b00017400016b000000000000000900000001' + '0000000000000005');
  });

  it('fixture - a queue meta record encodes to the recorded bytes and back', () => {
    const record = encodeQueueMeta({ topic: 't', queueId: 1, minOffset: 0, nextOffset: 3 });
    expect(record.toString('hex')).toBe(record.subarray(0, 5).toString('hex') + '00017400000001' + '0000000000000000' + '0000000000000003');
    expect(record[0]).toBe(1);
    expect(decodeQueueMeta(record)).toEqual({ topic: 't', queueId: 1, minOffset: 0, nextOffset: 3 });
  });

  it('message keys - sort by queue, then by offset as numbers (property)', () => {
    const location = fc.record({ queue: fc.integer({ min: 0, max: 0xffff_ffff }), offset: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }) });
    fc.assert(
      fc.property(location, location, (a, b) => {
        const byNumbers = a.queue - b.queue || a.offset - b.offset;
        expect(Math.sign(Buffer.compare(messageKey(a.queue, a.offset), messageKey(b.queue, b.offset)))).toBe(Math.sign(byNumbers));
        expect(decodeMessageKey(messageKey(a.queue, a.offset))).toEqual({ queueInternalId: a.queue, offset: a.offset });
      }),
      { numRuns: 500, seed: 3 },
    );
  });

  it('index keys - decode to what they encode', () => {
    expect(decodeMessageIdIndexKey(messageIdIndexKey('id-1', 4, 9))).toEqual({ messageId: 'id-1', queueInternalId: 4, offset: 9 });
    expect(decodeKeyIndexKey(keyIndexKey('t', 'k', 100, 4, 9))).toEqual({ topic: 't', key: 'k', storeTimestampMs: 100, queueInternalId: 4, offset: 9 });
    expect(decodeQueueRegistryKey(queueRegistryKey('orders', 3))).toEqual({ topic: 'orders', queueId: 3 });
  });

  it('timer index - keys encode to the recorded bytes, decode back, and sort by due time then timer offset', () => {
    expect(timerIndexKey({ dueMs: 1, timerOffset: 2 }).toString('hex')).toBe('54' + '0000000000000001' + '0000000000000002');
    expect(decodeTimerIndexKey(timerIndexKey({ dueMs: 1_700_000_000_000, timerOffset: 9 }))).toEqual({ dueMs: 1_700_000_000_000, timerOffset: 9 });
    expect(decodeTimerIndexRecord(encodeTimerIndexRecord({ topic: 'orders', queueId: 3 }))).toEqual({ topic: 'orders', queueId: 3 });
    fc.assert(
      fc.property(fc.nat(), fc.nat(), fc.nat(), fc.nat(), (dueA, offsetA, dueB, offsetB) => {
        const order = Buffer.compare(timerIndexKey({ dueMs: dueA, timerOffset: offsetA }), timerIndexKey({ dueMs: dueB, timerOffset: offsetB }));
        const expected = Math.sign(dueA - dueB) || Math.sign(offsetA - offsetB);
        expect(order).toBe(expected);
      }),
    );
    const bound = timerIndexDueBound(100);
    expect(Buffer.compare(timerIndexKey({ dueMs: 100, timerOffset: Number.MAX_SAFE_INTEGER }), bound)).toBe(-1);
    expect(Buffer.compare(timerIndexKey({ dueMs: 101, timerOffset: 0 }), bound)).toBe(1);
  });

  it('transactions - keys and records encode to the recorded bytes and decode back; check keys of one topic sort by due time', () => {
    expect(transactionKey('ab').toString('hex')).toBe('58' + '0002' + '6162');
    expect(transactionCheckKey('t', 1, 'ab').toString('hex')).toBe('59' + '0001' + '74' + '0000000000000001' + '0002' + '6162');
    expect(decodeTransactionCheckKey(transactionCheckKey('orders', 1_700_000_000_000, 'tx'))).toEqual({ topic: 'orders', nextCheckMs: 1_700_000_000_000, transactionId: 'tx' });
    const record = { topic: 'orders', queueId: 3, halfOffset: 7, bornMs: 1_700_000_000_000, checkCount: 2, nextCheckMs: 1_700_000_030_000, state: TransactionState.Pending };
    const encoded = encodeTransactionRecord(record);
    expect(encoded.subarray(5).toString('hex')).toBe(
      '0006' + Buffer.from('orders').toString('hex') + '00000003' + '0000000000000007' + '0000018bcfe56800' + '00000002' + '0000018bcfe5dd30' + '00',
    );
    expect(decodeTransactionRecord(encoded)).toEqual(record);
    const bound = transactionCheckDueBound('t', 100);
    expect(Buffer.compare(transactionCheckKey('t', 100, 'zzz'), bound)).toBe(-1);
    expect(Buffer.compare(transactionCheckKey('t', 101, ''), bound)).toBe(1);
    const longerTopic = transactionCheckKey('tt', 0, 'a');
    expect(Buffer.compare(longerTopic, transactionCheckPrefix('t')) >= 0 && Buffer.compare(longerTopic, bound) < 0).toBe(false);
  });

  it('index keys - a message-id prefix never matches a longer id', () => {
    const prefix = messageIdIndexPrefix('ab');
    const longer = messageIdIndexKey('abc', 0, 0);
    expect(Buffer.compare(longer, prefix) >= 0 && Buffer.compare(longer, prefixUpperBound(prefix)) < 0).toBe(false);
    const own = messageIdIndexKey('ab', 0xffff_ffff, Number.MAX_SAFE_INTEGER);
    expect(Buffer.compare(own, prefix) >= 0 && Buffer.compare(own, prefixUpperBound(prefix)) < 0).toBe(true);
  });

  it('prefixUpperBound - carries over 0xff bytes', () => {
    expect(prefixUpperBound(Buffer.from([0x01, 0xff])).toString('hex')).toBe('02');
    expect(prefixUpperBound(Buffer.from([0x01, 0x02])).toString('hex')).toBe('0103');
  });
});

describe('layout - record framing', () => {
  it('framing - payload round-trips; checksum and version are checked', () => {
    const record = frameRecord(1, Buffer.from('payload'));
    expect(unframeRecord(record, 1).toString()).toBe('payload');
    expect(() => unframeRecord(record, 2)).toThrow(RecordDecodeError);
    const damaged = Buffer.from(record);
    damaged[damaged.length - 1] ^= 1;
    expect(() => unframeRecord(damaged, 1)).toThrow(/checksum/);
    expect(() => unframeRecord(Buffer.from([1, 0, 0]), 1)).toThrow(/shorter than its header/);
  });
});
