/**
 * The hand-written store-hop decoders must return what the generated ts-proto decoders return
 * (deep and strict: undefined vs default, Buffer bodies, map objects) and throw exactly when
 * they throw, for valid, hand-built, mutated and truncated inputs.
 */
import fc from 'fast-check';
import { AppendBatchRequest, type MessageToStore, PopMessagesResponse } from '../gen/quiver/store/v1/store';
import { decodeAppendBatchRequest, decodePopMessagesResponse } from './store-decoders';
import { benchMessage, fullMessage, popped, storeMutation, storeUnknownFields as unknownFields, storeValues, uint64 } from './store-arbitraries';
import {
  type Bytes,
  bytesOf,
  int32,
  lenField,
  mutate,
  nestedGroups,
  safeInt64Edges,
  strField,
  tag,
  unsafeInt64Edges,
  utf8Samples,
  varintBytes,
  varintField,
} from './wire-arbitraries';
import { type Decoders, expectBothThrow, expectDecodes, expectSameDecoding, shrinkBudget } from './spec-support';

const appendBatch: Decoders<AppendBatchRequest> = {
  name: 'AppendBatchRequest',
  generated: (bytes) => AppendBatchRequest.decode(bytes),
  fast: decodeAppendBatchRequest,
  bodies: (value) => value.appends.flatMap((append) => append.messages.map((message) => message.body)),
};

const popResponse: Decoders<PopMessagesResponse> = {
  name: 'PopMessagesResponse',
  generated: (bytes) => PopMessagesResponse.decode(bytes),
  fast: decodePopMessagesResponse,
  bodies: (value) => value.messages.flatMap((popped) => (popped.message?.message !== undefined ? [popped.message.message.body] : [])),
};

// --- hand-built protobuf bytes ----------------------------------------------------------------

/** appendOf wraps AppendMessagesRequest fields into a batch's `appends` field. */
const appendOf = (...fields: Bytes[]): Bytes => lenField(1, fields.flat());
/** messageOf wraps MessageToStore fields into an append's `messages` field. */
const messageOf = (...fields: Bytes[]): Bytes => lenField(3, fields.flat());
/** entryOf wraps map entry fields into a message's `user_properties` field. */
const entryOf = (...fields: Bytes[]): Bytes => lenField(4, fields.flat());
/** poppedOf wraps PoppedMessage fields into a response's `messages` field. */
const poppedOf = (...fields: Bytes[]): Bytes => lenField(1, fields.flat());
/** storedOf wraps StoredMessage fields into a PoppedMessage's `message` field. */
const storedOf = (...fields: Bytes[]): Bytes => lenField(1, fields.flat());
/** storedMtsOf wraps MessageToStore fields into a StoredMessage's `message` field. */
const storedMtsOf = (...fields: Bytes[]): Bytes => lenField(1, fields.flat());

// --- examples ---------------------------------------------------------------------------------

const benchBatch: AppendBatchRequest = {
  appends: Array.from({ length: 64 }, (_, i) => ({ topic: 'bench_send_64', queueId: i % 8, messages: [benchMessage(i)], epoch: 0 })),
  epoch: 0,
};
const benchPop: PopMessagesResponse = { messages: Array.from({ length: 32 }, (_, i) => popped(benchMessage(i), 1_000 + i)), deadLettered: 0 };

const encodeBatch = (value: AppendBatchRequest): Uint8Array => AppendBatchRequest.encode(value).finish();
const encodePop = (value: PopMessagesResponse): Uint8Array => PopMessagesResponse.encode(value).finish();

// --- specs --------------------------------------------------------------------------------------

describe('decodeAppendBatchRequest and decodePopMessagesResponse', () => {
  it('decode a bench batch of 64 appends and a bench pop of 32 messages like the generated decoders', () => {
    expect(expectDecodes(appendBatch, encodeBatch(benchBatch))).toStrictEqual(benchBatch);
    expect(expectDecodes(popResponse, encodePop(benchPop))).toStrictEqual(benchPop);
  });

  it('decode every field of a message, the optional ones present (even empty) and absent', () => {
    const absent: MessageToStore = { ...fullMessage(), tag: undefined, messageGroup: undefined, deliveryTimestampMs: undefined, traceContext: undefined };
    const batch: AppendBatchRequest = { appends: [{ topic: 't', queueId: -7, messages: [fullMessage(), absent], epoch: 9 }], epoch: 2 ** 40 };
    expect(expectDecodes(appendBatch, encodeBatch(batch))).toStrictEqual(batch);
    const pop: PopMessagesResponse = { messages: [popped(fullMessage(), 1), popped(absent, 2)], deadLettered: -2 };
    expect(expectDecodes(popResponse, encodePop(pop))).toStrictEqual(pop);
  });

  it('decode empty inputs and empty sub-messages with fresh defaults', () => {
    expect(expectDecodes(appendBatch, new Uint8Array(0))).toStrictEqual({ appends: [], epoch: 0 });
    expect(expectDecodes(popResponse, new Uint8Array(0))).toStrictEqual({ messages: [], deadLettered: 0 });
    const batch = expectDecodes(appendBatch, bytesOf(appendOf(), appendOf(messageOf(), messageOf())));
    expect(batch.appends).toHaveLength(2);
    const [first, second] = batch.appends[1]!.messages;
    expect(first!.body).not.toBe(second!.body);
    expect(first!.userProperties).not.toBe(second!.userProperties);
    expect(first!.keys).not.toBe(second!.keys);
    const pop = expectDecodes(popResponse, bytesOf(poppedOf(), poppedOf(storedOf()), poppedOf(storedOf(storedMtsOf()))));
    expect(pop.messages.map((entry) => entry.message?.message)).toStrictEqual([undefined, undefined, expect.objectContaining({ messageId: '' })]);
  });

  it('return bodies as Buffer views of a Buffer or a plain Uint8Array input', () => {
    const bytes = encodeBatch(benchBatch);
    const fromArray = decodeAppendBatchRequest(bytes).appends[5]!.messages[0]!.body;
    expect(Buffer.isBuffer(fromArray)).toBe(true);
    expect(fromArray.buffer).toBe(bytes.buffer);
    const input = Buffer.from(bytes);
    const fromBuffer = decodeAppendBatchRequest(input).appends[5]!.messages[0]!.body;
    expect(fromBuffer.buffer).toBe(input.buffer);
    expect(fromBuffer.equals(Buffer.alloc(1024, 5))).toBe(true);
    // The generated decoder copies; same bytes, other memory.
    expect(AppendBatchRequest.decode(input).appends[5]!.messages[0]!.body.buffer).not.toBe(input.buffer);
    const popInput = Buffer.from(encodePop(benchPop));
    const popBody = decodePopMessagesResponse(popInput).messages[31]!.message!.message!.body;
    expect(popBody.buffer).toBe(popInput.buffer);
    expect(popBody.equals(Buffer.alloc(1024, 31))).toBe(true);
  });

  it('skip unknown fields of every wire type at every level', () => {
    const batchBytes = bytesOf(
      unknownFields,
      appendOf(
        unknownFields,
        strField(1, 'topic'),
        unknownFields,
        messageOf(unknownFields, strField(1, 'id'), entryOf(unknownFields, strField(1, 'k'), unknownFields, strField(2, 'v')), lenField(5, [1, 2]), unknownFields),
        varintField(15, 3),
        unknownFields,
      ),
      varintField(15, 4),
      unknownFields,
    );
    const batch = expectDecodes(appendBatch, batchBytes);
    expect(batch.epoch).toBe(4);
    expect(batch.appends[0]!.messages[0]!.userProperties).toStrictEqual({ k: 'v' });
    const popBytes = bytesOf(
      unknownFields,
      poppedOf(unknownFields, storedOf(unknownFields, storedMtsOf(unknownFields, strField(8, 'host')), unknownFields, strField(2, 'topic')), varintField(2, 5), unknownFields),
      varintField(2, 1),
      unknownFields,
    );
    const pop = expectDecodes(popResponse, popBytes);
    expect(pop.messages[0]!.message!.message!.bornHost).toBe('host');
    expect(pop.deadLettered).toBe(1);
  });

  it('keep the last of repeated singular fields and replace repeated sub-messages without merging', () => {
    const batch = expectDecodes(
      appendBatch,
      bytesOf(
        varintField(15, 1),
        appendOf(strField(1, 'a'), strField(1, 'b'), varintField(2, 1), varintField(2, -3), messageOf(lenField(5, [1]), lenField(5, [2, 3]), varintField(6, 1), varintField(6, 0)), varintField(15, 5), varintField(15, 6)),
        varintField(15, 2),
        appendOf(messageOf(entryOf(strField(1, 'k'), strField(2, 'one')), entryOf(strField(2, 'two'), strField(1, 'k')), entryOf(strField(1, 'only-key')), entryOf(strField(2, 'only-value')))),
      ),
    );
    expect(batch.epoch).toBe(2);
    expect(batch.appends[0]).toMatchObject({ topic: 'b', queueId: -3, epoch: 6 });
    expect(batch.appends[0]!.messages[0]!.body).toStrictEqual(Buffer.from([2, 3]));
    expect(batch.appends[0]!.messages[0]!.bodyGzipped).toBe(false);
    expect(batch.appends[1]!.messages[0]!.userProperties).toStrictEqual({ k: 'two', 'only-key': '', '': 'only-value' });
    const pop = expectDecodes(
      popResponse,
      bytesOf(poppedOf(storedOf(strField(2, 'first'), storedMtsOf(strField(1, 'm1'))), storedOf(varintField(3, 4)), varintField(2, 1), varintField(2, 2))),
    );
    // The second StoredMessage replaces the first whole: no topic, no message.
    expect(pop.messages[0]!.message).toStrictEqual({ message: undefined, topic: '', queueId: 4, queueOffset: 0, storeTimestampMs: 0, storeHost: '' });
    expect(pop.messages[0]!.deliveryAttempt).toBe(2);
  });

  it('skip known field numbers that arrive with another wire type', () => {
    expectDecodes(appendBatch, bytesOf(varintField(1, 7), lenField(15, [1]), appendOf(varintField(1, 2), lenField(2, [1]), varintField(3, 1), messageOf(varintField(5, 1), lenField(6, [1]), tag(7, 5), [1, 2, 3, 4], tag(9, 1), [1, 2, 3, 4, 5, 6, 7, 8]))));
    expectDecodes(popResponse, bytesOf(varintField(1, 7), lenField(2, [1]), poppedOf(varintField(1, 1), lenField(3, [1]), storedOf(varintField(1, 1), lenField(4, [1])))));
  });

  it('end a message early at a zero tag or an end-group tag and go on in its parent, as the generated code does', () => {
    // The MessageToStore claims all of its bytes, but a zero tag ends it after the id; the append
    // then reads the rest (a topic field, known to the append) itself.
    const early = expectDecodes(appendBatch, bytesOf(appendOf(messageOf(strField(1, 'id'), [0], strField(1, 'append-topic')))));
    expect(early.appends[0]!.topic).toBe('append-topic');
    expectDecodes(appendBatch, bytesOf(appendOf(messageOf(strField(1, 'id'), tag(7, 4), strField(1, 'x')))));
    expectDecodes(appendBatch, bytesOf(appendOf(), [0], appendOf()));
    expectDecodes(appendBatch, bytesOf(appendOf(messageOf(entryOf(strField(1, 'k'), tag(3, 4), strField(2, 'v'))))));
    const stored = expectDecodes(popResponse, bytesOf(poppedOf(storedOf(storedMtsOf(strField(8, 'h'), [0], strField(2, 'topic'))))));
    expect(stored.messages[0]!.message!.topic).toBe('topic');
    // Where the rest does not parse in the parent, both throw.
    expectBothThrow(appendBatch, bytesOf(appendOf(messageOf(strField(1, 'id'), [0], tag(3, 7)))));
  });

  it('let a field run past the end of its sub-message, since only the input bounds are checked', () => {
    // The append claims 2 bytes but its topic string is 5 long; the batch goes on after it.
    expectDecodes(appendBatch, bytesOf([...tag(1, 2), 2, ...strField(1, 'abcde'), ...varintField(15, 1)]));
    expectBothThrow(appendBatch, bytesOf([...tag(1, 2), 100, ...strField(1, 'abc')]));
    expectBothThrow(popResponse, bytesOf([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01, 0x02]));
  });

  it('convert int64 like longToNumber: the safe range decodes, one past it throws', () => {
    const cases: Array<(value: bigint) => Buffer> = [
      (value) => bytesOf(poppedOf(varintField(3, value))),
      (value) => bytesOf(poppedOf(varintField(4, value))),
      (value) => bytesOf(poppedOf(storedOf(varintField(4, value), varintField(5, value)))),
      (value) => bytesOf(poppedOf(storedOf(storedMtsOf(varintField(7, value), varintField(11, value))))),
    ];
    for (const build of cases) {
      for (const value of safeInt64Edges) expectDecodes(popResponse, build(value));
      for (const value of unsafeInt64Edges) expectBothThrow(popResponse, build(value));
    }
    const message = (value: bigint): Buffer => bytesOf(appendOf(messageOf(varintField(7, value))));
    expect(expectDecodes(appendBatch, message(2n ** 53n - 1n)).appends[0]!.messages[0]!.bornTimestampMs).toBe(Number.MAX_SAFE_INTEGER);
    expectBothThrow(appendBatch, message(2n ** 53n));
  });

  it('convert uint64 epochs like longToNumber: up to 2^53 - 1 decodes, anything above throws, a ten-byte "negative" too', () => {
    const epochs = (value: bigint): Buffer => bytesOf(appendOf(varintField(15, value)), varintField(15, value));
    for (const value of [0n, 1n, 2n ** 31n, 2n ** 32n, 2n ** 32n + 5n, 2n ** 52n, 2n ** 53n - 1n]) {
      const decoded = expectDecodes(appendBatch, epochs(value));
      expect(decoded.epoch).toBe(Number(value));
      expect(decoded.appends[0]!.epoch).toBe(Number(value));
    }
    for (const value of [2n ** 53n, 2n ** 63n, 2n ** 64n - 1n, -1n, -(2n ** 31n)]) expectBothThrow(appendBatch, epochs(value));
  });

  it('read bools like BinaryReader: any 64-bit varint, true unless all bits are zero', () => {
    const gzipped = (raw: number[]): Buffer => bytesOf(appendOf(messageOf([...tag(6, 0), ...raw])));
    const cases: Array<[number[], boolean]> = [
      [[0], false],
      [[1], true],
      [[2], true],
      [[0x80, 0x00], false],
      [[0x80, 0x80, 0x80, 0x80, 0x10], true], // bit 32 only
      [[0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01], true], // bit 63 only
      [[0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00], false],
      [[0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02], false], // bits beyond 64 dropped
    ];
    for (const [raw, expected] of cases) expect(expectDecodes(appendBatch, gzipped(raw)).appends[0]!.messages[0]!.bodyGzipped).toBe(expected);
    expectBothThrow(appendBatch, gzipped([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]));
    expectBothThrow(appendBatch, gzipped([0x80]));
  });

  it('read int32 and varints like BinaryReader: ten-byte negatives, ignored high bits, over-long varints', () => {
    const queueId = (raw: number[]): Buffer => bytesOf(appendOf([...tag(2, 0), ...raw]));
    expect(expectDecodes(appendBatch, queueId(varintBytes(-5))).appends[0]!.queueId).toBe(-5);
    expectDecodes(appendBatch, queueId([0xff, 0xff, 0xff, 0xff, 0xff, 0x01]));
    expectDecodes(appendBatch, queueId([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f]));
    expectBothThrow(appendBatch, queueId([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]));
    const kind = (raw: number[]): Buffer => bytesOf(poppedOf(storedOf(storedMtsOf([...tag(9, 0), ...raw]))));
    expect(expectDecodes(popResponse, kind(varintBytes(-1))).messages[0]!.message!.message!.kind).toBe(-1);
    expect(expectDecodes(popResponse, kind(varintBytes(2 ** 31))).messages[0]!.message!.message!.kind).toBe(-(2 ** 31));
    const offset = (raw: number[]): Buffer => bytesOf(poppedOf(storedOf([...tag(4, 0), ...raw])));
    expectDecodes(popResponse, offset([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]));
    expectBothThrow(popResponse, offset([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]));
    expectBothThrow(popResponse, offset([0x80, 0x80]));
    // Tags and lengths are 32-bit varints too; a padded one-byte tag still decodes.
    expectDecodes(appendBatch, bytesOf([0x8a, 0x80, 0x80, 0x80, 0x00, 0]));
    // A skipped varint may be any length.
    expectDecodes(popResponse, bytesOf(tag(99, 0), Array.from({ length: 20 }, () => 0x80), [0x01], poppedOf()));
  });

  it('decode strings like the non-fatal TextDecoder: replacement characters and a dropped BOM', () => {
    for (const raw of utf8Samples) {
      expectDecodes(appendBatch, bytesOf(appendOf(lenField(1, raw), messageOf(lenField(1, raw), lenField(2, raw), lenField(3, raw), entryOf(lenField(1, raw), lenField(2, raw)), lenField(12, raw)))));
      expectDecodes(popResponse, bytesOf(poppedOf(storedOf(lenField(2, raw), lenField(6, raw), storedMtsOf(lenField(8, raw), lenField(10, raw))))));
    }
  });

  it('drop a "__proto__" user property key the way the generated plain assignment does', () => {
    const decoded = expectDecodes(appendBatch, bytesOf(appendOf(messageOf(entryOf(strField(1, '__proto__'), strField(2, 'x')), entryOf(strField(1, 'constructor'), strField(2, 'y'))))));
    const properties = decoded.appends[0]!.messages[0]!.userProperties;
    expect(Object.getPrototypeOf(properties)).toBe(Object.prototype);
    expect(Object.keys(properties)).toEqual(['constructor']);
  });

  it('skip groups like BinaryReader: nested, matched by field number, any end tag closing the outermost', () => {
    expectDecodes(appendBatch, bytesOf(nestedGroups(100), appendOf(messageOf(nestedGroups(3)))));
    expectDecodes(popResponse, bytesOf(nestedGroups(3), poppedOf(storedOf(nestedGroups(2), storedMtsOf(nestedGroups(1))))));
    expectDecodes(appendBatch, bytesOf(tag(50, 3), tag(77, 4), appendOf()));
    expectBothThrow(appendBatch, bytesOf(tag(50, 3), tag(51, 3), tag(52, 4), tag(50, 4)));
    expectBothThrow(popResponse, bytesOf(tag(50, 3), [0x00], tag(50, 4)));
    expectBothThrow(popResponse, bytesOf(tag(50, 3), tag(1, 6), tag(50, 4)));
    expectBothThrow(appendBatch, bytesOf(tag(50, 3), varintField(1, 1)));
    // Nesting far beyond the JS stack: the generated reader overflows it, this one refuses it.
    expectBothThrow(appendBatch, bytesOf(nestedGroups(100_000)));
  });

  it('throw for wire types 6 and 7 and for truncated fixed-width fields', () => {
    expectBothThrow(appendBatch, bytesOf(tag(9, 6)));
    expectBothThrow(popResponse, bytesOf(poppedOf(tag(9, 7))));
    expectBothThrow(appendBatch, bytesOf(tag(9, 1), [1, 2, 3, 4, 5, 6, 7]));
    expectBothThrow(popResponse, bytesOf(poppedOf(storedOf(tag(9, 5), [1, 2, 3]))));
    expectDecodes(appendBatch, bytesOf(tag(9, 1), [1, 2, 3, 4, 5, 6, 7, 8], tag(9, 5), [1, 2, 3, 4]));
  });

  it('agree on every truncation of a valid batch and of a valid pop', () => {
    const batch = encodeBatch({ appends: [{ topic: 'orders', queueId: 3, messages: [fullMessage(), benchMessage(1)], epoch: 7 }], epoch: 2 ** 40 });
    for (let cut = 0; cut <= batch.length; cut += cut < 400 ? 1 : 97) expectSameDecoding(appendBatch, batch.subarray(0, cut));
    const pop = encodePop({ messages: [popped(fullMessage(), 1), popped(benchMessage(2), 2)], deadLettered: 3 });
    for (let cut = 0; cut <= pop.length; cut += cut < 400 ? 1 : 97) expectSameDecoding(popResponse, pop.subarray(0, cut));
  });

  it('decode large bodies and bodies up to 1 MiB like the generated decoders', () => {
    const big = Buffer.from(Uint8Array.from({ length: 1 << 20 }, (_, i) => (i * 31) & 0xff));
    const batch: AppendBatchRequest = { appends: [{ topic: 't', queueId: 0, messages: [{ ...fullMessage(), body: big }], epoch: 0 }], epoch: 0 };
    const decoded = decodeAppendBatchRequest(encodeBatch(batch));
    expect(decoded.appends[0]!.messages[0]!.body.equals(big)).toBe(true);
    expect(AppendBatchRequest.decode(encodeBatch(batch)).appends[0]!.messages[0]!.body.equals(big)).toBe(true);
    const pop = decodePopMessagesResponse(encodePop({ messages: [popped({ ...fullMessage(), body: big.subarray(3, 65_539) }, 1)], deadLettered: 0 }));
    expect(pop.messages[0]!.message!.message!.body.equals(big.subarray(3, 65_539))).toBe(true);
  });

  const values = storeValues();
  /** The mutation specs use small values, so that most mutations land in the structure rather than in a body. */
  const tinyBody = fc.uint8Array({ maxLength: 24 }).map((bytes) => Buffer.from(bytes));
  const smallBatch = fc.record({ appends: fc.array(values.appendMessagesRequest(tinyBody, 2), { maxLength: 3 }), epoch: uint64 });
  const smallPop = fc.record({ messages: fc.array(values.poppedMessage(tinyBody), { maxLength: 3 }), deadLettered: int32 });

  it('match the generated AppendBatchRequest decoder on arbitrary valid values', () => {
    fc.assert(
      fc.property(values.appendBatchRequest, (value) => {
        const bytes = encodeBatch(value);
        expectDecodes(appendBatch, bytes);
        expectDecodes(appendBatch, Buffer.from(bytes));
      }),
      { numRuns: 300, ...shrinkBudget },
    );
  });

  it('match the generated PopMessagesResponse decoder on arbitrary valid values', () => {
    fc.assert(
      fc.property(values.popMessagesResponse, (value) => {
        const bytes = encodePop(value);
        expectDecodes(popResponse, bytes);
        expectDecodes(popResponse, Buffer.from(bytes));
      }),
      { numRuns: 300, ...shrinkBudget },
    );
  });

  it('throw iff the generated decoders throw, and agree when neither does, on mutated and truncated inputs', () => {
    const seen = { threw: 0, decoded: 0 };
    fc.assert(
      fc.property(smallBatch, smallPop, fc.array(storeMutation, { minLength: 1, maxLength: 4 }), (batch, pop, mutations) => {
        const batchResult = expectSameDecoding(appendBatch, mutate(encodeBatch(batch), mutations));
        const popResult = expectSameDecoding(popResponse, mutate(encodePop(pop), mutations));
        seen[batchResult.threw ? 'threw' : 'decoded']++;
        seen[popResult.threw ? 'threw' : 'decoded']++;
      }),
      { numRuns: 3000, ...shrinkBudget },
    );
    // Both outcomes are exercised, not just one.
    expect(seen.threw).toBeGreaterThan(300);
    expect(seen.decoded).toBeGreaterThan(300);
  });

  it('throw iff the generated decoders throw on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        for (const decoders of [appendBatch, popResponse] as Decoders<unknown>[]) {
          expectSameDecoding(decoders, bytes);
          expectSameDecoding(decoders, Uint8Array.from([0x0a, bytes.length, ...bytes]));
          expectSameDecoding(decoders, Uint8Array.from([0x0a, bytes.length + 2, 0x0a, bytes.length, ...bytes]));
          expectSameDecoding(decoders, Uint8Array.from([0x0a, bytes.length + 4, 0x0a, bytes.length + 2, 0x0a, bytes.length, ...bytes]));
          expectSameDecoding(decoders, Uint8Array.from([0x0a, bytes.length + 2, 0x1a, bytes.length, ...bytes]));
        }
      }),
      { numRuns: 3000, ...shrinkBudget },
    );
  });
});
