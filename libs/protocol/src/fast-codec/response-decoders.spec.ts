/**
 * The hand-written ReceiveMessageResponse decoder must return what the generated ts-proto
 * decoder returns (deep and strict: undefined vs default, Buffer bodies, map objects, the
 * `content` oneof) and throw exactly when it throws, for valid, hand-built, mutated and
 * truncated frames.
 */
import fc from 'fast-check';
import { Code, DigestType, Encoding, MessageType, type Message } from '../gen/apache/rocketmq/v2/definition';
import { ReceiveMessageResponse } from '../gen/apache/rocketmq/v2/service';
import { decodeReceiveMessageResponse } from './response-decoders';
import {
  type Bytes,
  bytesOf,
  lenField,
  messageWithUnknownFields,
  mutate,
  mutation,
  nestedGroups,
  receiveMessageResponse,
  safeInt64Edges,
  strField,
  tag,
  timeWithUnknownFields,
  unknownFields,
  unsafeInt64Edges,
  utf8Samples,
  varintBytes,
  varintField,
  wireMessage,
} from './wire-arbitraries';
import { type Decoders, decoderExpectations, outcome, shrinkBudget } from './spec-support';

const decoders: Decoders<ReceiveMessageResponse> = {
  name: 'ReceiveMessageResponse',
  generated: (bytes) => ReceiveMessageResponse.decode(bytes),
  fast: decodeReceiveMessageResponse,
  bodies: (value) => (value.content?.$case === 'message' ? [value.content.value.body] : []),
};
const { expectSameDecoding, expectDecodes, expectBothThrow } = decoderExpectations(decoders);

function messageOf(response: ReceiveMessageResponse): Message {
  if (response.content?.$case !== 'message') throw new Error(`not a message frame: ${response.content?.$case}`);
  return response.content.value;
}

// --- hand-built frames ----------------------------------------------------------------------------

/** statusFrame, messageFrame, timestampFrame wrap fields into the frame's three oneof fields. */
const statusFrame = (...fields: Bytes[]): Bytes => lenField(1, fields.flat());
const messageFrame = (...fields: Bytes[]): Bytes => lenField(2, fields.flat());
const timestampFrame = (...fields: Bytes[]): Bytes => lenField(3, fields.flat());
const systemProps = (...fields: Bytes[]): Bytes => lenField(3, fields.flat());
const entry = (...fields: Bytes[]): Bytes => lenField(2, fields.flat());

// --- arbitraries ------------------------------------------------------------------------------

/** Keys a plain-object assignment treats specially: the decoders must agree on them. */
const frame = receiveMessageResponse(wireMessage(['0', '7', '42', 'lang', '__proto__', 'constructor']));
const encode = (value: ReceiveMessageResponse): Uint8Array => ReceiveMessageResponse.encode(value).finish();

// --- specs --------------------------------------------------------------------------------------

/** receivedMessage is a message as the proxy hands it to a consumer. */
function receivedMessage(i: number): Message {
  return {
    topic: { resourceNamespace: '', name: 'orders' },
    userProperties: { lang: 'en', 'trace-id': '4bf92f3577b34da6a3ce929d0e0e4736', 'ключ': 'значение' },
    systemProperties: {
      tag: 'created',
      keys: [`order-${i}`],
      messageId: `01C0A8000100002A9F00000000000${String(i).padStart(5, '0')}`,
      bodyDigest: { type: DigestType.MD5, checksum: '5D41402ABC4B2A76B9719D911017C592' },
      bodyEncoding: Encoding.IDENTITY,
      messageType: MessageType.NORMAL,
      bornTimestamp: { seconds: 1_735_689_600, nanos: 123_000_000 },
      bornHost: '10.0.0.12',
      storeTimestamp: { seconds: 1_735_689_600, nanos: 125_000_000 },
      storeHost: '10.0.0.2:10911',
      receiptHandle: `orders/0/${1024 + i}/1735689630000/node-a/8f2c0e1d9a7b6c5d4e3f2a1b0c9d8e7f`,
      queueId: 0,
      queueOffset: 1024 + i,
      invisibleDuration: { seconds: 30, nanos: 0 },
      deliveryAttempt: 1,
    },
    body: Buffer.alloc(1024, i),
  };
}

describe('decodeReceiveMessageResponse', () => {
  it('decodes the frames of a 32-message ReceiveMessage stream like the generated decoder', () => {
    const frames: ReceiveMessageResponse[] = [
      ...Array.from({ length: 32 }, (_, i) => ({ content: { $case: 'message' as const, value: receivedMessage(i) } })),
      { content: { $case: 'status', value: { code: Code.OK, message: 'OK' } } },
    ];
    for (const value of frames) expect(expectDecodes(encode(value))).toEqual(value);
  });

  it('decodes every branch of the content oneof, and a frame with none', () => {
    const frames: ReceiveMessageResponse[] = [
      { content: { $case: 'status', value: { code: Code.OK, message: 'OK' } } },
      { content: { $case: 'status', value: { code: Code.MESSAGE_NOT_FOUND, message: 'no new message' } } },
      { content: { $case: 'status', value: { code: Code.UNRECOGNIZED, message: '' } } },
      { content: { $case: 'deliveryTimestamp', value: { seconds: 1_735_689_600, nanos: 999_999_999 } } },
      { content: { $case: 'deliveryTimestamp', value: { seconds: -1, nanos: -5 } } },
      { content: { $case: 'message', value: receivedMessage(7) } },
    ];
    for (const value of frames) expect(expectDecodes(encode(value))).toStrictEqual(ReceiveMessageResponse.decode(encode(value)));
    expect(expectDecodes(new Uint8Array(0))).toStrictEqual({ content: undefined });
  });

  it('decodes empty sub-messages with fresh defaults', () => {
    expect(expectDecodes(bytesOf(statusFrame()))).toStrictEqual({ content: { $case: 'status', value: { code: 0, message: '' } } });
    expect(expectDecodes(bytesOf(timestampFrame()))).toStrictEqual({ content: { $case: 'deliveryTimestamp', value: { seconds: 0, nanos: 0 } } });
    const empty = messageOf(expectDecodes(bytesOf(messageFrame())));
    expect(empty).toStrictEqual({ topic: undefined, userProperties: {}, systemProperties: undefined, body: Buffer.alloc(0) });
    expect(messageOf(decodeReceiveMessageResponse(bytesOf(messageFrame()))).body).not.toBe(empty.body);
    const props = messageOf(expectDecodes(bytesOf(messageFrame(systemProps())))).systemProperties!;
    expect(props.keys).toStrictEqual([]);
    expect(props.queueOffset).toBeUndefined();
  });

  it('keeps the last content field: a later oneof field replaces an earlier one, without merging', () => {
    const replaced = expectDecodes(bytesOf(messageFrame(lenField(4, [1])), statusFrame(varintField(1, 20000)), timestampFrame(varintField(1, 5))));
    expect(replaced).toStrictEqual({ content: { $case: 'deliveryTimestamp', value: { seconds: 5, nanos: 0 } } });
    const twoMessages = messageOf(expectDecodes(bytesOf(messageFrame(lenField(1, strField(2, 't')), lenField(4, [1])), messageFrame(lenField(4, [2, 3])))));
    expect(twoMessages.topic).toBeUndefined();
    expect(twoMessages.body).toStrictEqual(Buffer.from([2, 3]));
    const twoStatuses = expectDecodes(bytesOf(statusFrame(varintField(1, 1), strField(2, 'a')), statusFrame(varintField(1, 2))));
    expect(twoStatuses).toStrictEqual({ content: { $case: 'status', value: { code: 2, message: '' } } });
  });

  it('skips unknown fields of every wire type at every level', () => {
    const decoded = messageOf(expectDecodes(bytesOf(unknownFields, messageFrame(messageWithUnknownFields), unknownFields)));
    expect(decoded.systemProperties!.invisibleDuration).toStrictEqual({ seconds: 5, nanos: 6 });
    expectDecodes(bytesOf(unknownFields, statusFrame(unknownFields, varintField(1, 4), unknownFields, strField(2, 'm'), unknownFields), unknownFields));
    expectDecodes(bytesOf(timestampFrame(timeWithUnknownFields)));
    expectDecodes(bytesOf(unknownFields));
  });

  it('skips known field numbers that arrive with another wire type', () => {
    expectDecodes(bytesOf(varintField(1, 7), varintField(2, 7), tag(3, 5), [1, 2, 3, 4], statusFrame(lenField(1, [1]), varintField(2, 3))));
    expectDecodes(bytesOf(timestampFrame(lenField(1, [1]), tag(2, 1), [1, 2, 3, 4, 5, 6, 7, 8])));
    const message = messageOf(
      expectDecodes(bytesOf(messageFrame(varintField(4, 1), varintField(1, 2), systemProps(lenField(13, [1]), varintField(1, 4), lenField(14, [1]), tag(16, 5), [1, 2, 3, 4])))),
    );
    expect(message.systemProperties!.tag).toBeUndefined();
  });

  it('ends a sub-message early at a zero tag or an end-group tag and goes on in the frame, as the generated code does', () => {
    // The Status claims all of its bytes, but a zero tag ends it; the frame then reads the rest
    // (a message field) itself.
    const early = expectDecodes(bytesOf(statusFrame(varintField(1, 4), [0], messageFrame(lenField(4, [9])))));
    expect(messageOf(early).body).toStrictEqual(Buffer.from([9]));
    expectDecodes(bytesOf(messageFrame(lenField(1, strField(2, 'n')), tag(7, 4), lenField(4, [9]))));
    expectDecodes(bytesOf(timestampFrame(varintField(1, 1), [0], varintField(2, 5))));
    expectDecodes(bytesOf(messageFrame(systemProps(strField(1, 'a'), [0], lenField(4, [8])))));
    expectDecodes(bytesOf(statusFrame(varintField(1, 4)), [0], messageFrame()));
    // Where the rest does not parse in the parent, both throw.
    expectBothThrow(bytesOf(messageFrame(systemProps(strField(1, 'a'), [0], tag(1, 7)))));
  });

  it('lets a field run past the end of its sub-message, since only the input bounds are checked', () => {
    // The Status claims 2 bytes but its message string is 5 long; the frame goes on after it.
    expectDecodes(bytesOf([...tag(1, 2), 2, ...strField(2, 'abcde'), ...messageFrame()]));
    expectBothThrow(bytesOf([...tag(2, 2), 100, ...lenField(4, [1])]));
    expectBothThrow(Buffer.from([0x12, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01, 0x02]));
  });

  it('converts int64 like longToNumber: the safe range decodes, one past it throws', () => {
    const withOffset = (value: bigint): Buffer => bytesOf(messageFrame(systemProps(varintField(14, value))));
    const withDeliveryTimestamp = (value: bigint): Buffer => bytesOf(timestampFrame(varintField(1, value)));
    const values = safeInt64Edges;
    for (const value of values) {
      expect(messageOf(expectDecodes(withOffset(value))).systemProperties!.queueOffset).toBe(Number(value));
      expect(expectDecodes(withDeliveryTimestamp(value)).content).toStrictEqual({ $case: 'deliveryTimestamp', value: { seconds: Number(value), nanos: 0 } });
    }
    for (const value of unsafeInt64Edges) {
      expectBothThrow(withOffset(value));
      expectBothThrow(withDeliveryTimestamp(value));
    }
  });

  it('reads int32 like BinaryReader: ten-byte negatives, ignored high bits, over-long varints', () => {
    const code = (raw: number[]): Buffer => bytesOf(statusFrame([...tag(1, 0), ...raw]));
    expect(expectDecodes(code(varintBytes(-5))).content).toStrictEqual({ $case: 'status', value: { code: -5, message: '' } });
    expectDecodes(code([0xff, 0xff, 0xff, 0xff, 0xff, 0x01]));
    expectDecodes(code([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f]));
    expectBothThrow(code([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]));
    expectBothThrow(code([0x80, 0x80]));
    // A padded one-byte tag still decodes.
    expectDecodes(bytesOf([0x92, 0x80, 0x80, 0x80, 0x00, 0]));
  });

  it('decodes strings like the non-fatal TextDecoder: replacement characters and a dropped BOM', () => {
    for (const raw of utf8Samples) {
      expectDecodes(bytesOf(messageFrame(lenField(1, lenField(2, raw)), systemProps(lenField(12, raw)), entry(lenField(1, raw), lenField(2, raw)))));
      expectDecodes(bytesOf(statusFrame(lenField(2, raw))));
    }
  });

  it('drops a "__proto__" user property key the way the generated plain assignment does', () => {
    const decoded = messageOf(expectDecodes(bytesOf(messageFrame(entry(strField(1, '__proto__'), strField(2, 'x')), entry(strField(1, 'constructor'), strField(2, 'y'))))));
    expect(Object.getPrototypeOf(decoded.userProperties)).toBe(Object.prototype);
  });

  it('skips groups like BinaryReader and refuses nesting beyond the JS stack', () => {
    expectDecodes(bytesOf(nestedGroups(100), messageFrame(systemProps(nestedGroups(3))), statusFrame(nestedGroups(2))));
    expectDecodes(bytesOf(tag(50, 3), tag(77, 4), statusFrame()));
    expectBothThrow(bytesOf(tag(50, 3), tag(51, 3), tag(52, 4), tag(50, 4)));
    expectBothThrow(bytesOf(tag(50, 3), [0x00], tag(50, 4)));
    expectBothThrow(bytesOf(tag(50, 3), tag(1, 6), tag(50, 4)));
    expectBothThrow(bytesOf(nestedGroups(100_000)));
  });

  it('throws for wire types 6 and 7 and for truncated fixed-width fields', () => {
    expectBothThrow(bytesOf(tag(9, 6)));
    expectBothThrow(bytesOf(statusFrame(tag(9, 7))));
    expectBothThrow(bytesOf(tag(9, 1), [1, 2, 3, 4, 5, 6, 7]));
    expectBothThrow(bytesOf(messageFrame(systemProps(tag(9, 5), [1, 2, 3]))));
    expectDecodes(bytesOf(tag(9, 1), [1, 2, 3, 4, 5, 6, 7, 8], tag(9, 5), [1, 2, 3, 4]));
  });

  it('throws the generated reader\'s error texts, which grpc-js puts in the call\'s status details', () => {
    for (const bytes of [bytesOf([0x12, 5, 0x22]), bytesOf(tag(9, 6)), bytesOf(Array.from({ length: 11 }, () => 0x80))]) {
      const generated = outcome(() => ReceiveMessageResponse.decode(bytes));
      const fast = outcome(() => decodeReceiveMessageResponse(bytes));
      if (!generated.threw || !fast.threw) throw new Error('expected both to throw');
      expect(String(fast.error)).toBe(String(generated.error));
    }
  });

  it('returns bodies as Buffer views of a Buffer or plain Uint8Array input, large ones too', () => {
    const large: Message = { ...receivedMessage(1), body: Buffer.from(Uint8Array.from({ length: 4 * 1024 * 1024 }, (_, i) => (i * 31) & 0xff)) };
    const bytes = encode({ content: { $case: 'message', value: large } });
    const fromArray = messageOf(decodeReceiveMessageResponse(bytes)).body;
    expect(Buffer.isBuffer(fromArray)).toBe(true);
    expect(fromArray.buffer).toBe(bytes.buffer);
    const input = Buffer.from(bytes);
    const fromBuffer = messageOf(decodeReceiveMessageResponse(input)).body;
    expect(fromBuffer.buffer).toBe(input.buffer);
    // Jest compares Buffers byte by byte, slowly: the 4 MiB bodies are compared with equals().
    const generated = messageOf(ReceiveMessageResponse.decode(input));
    expect(fromBuffer.equals(generated.body)).toBe(true);
    expect(fromBuffer.equals(large.body)).toBe(true);
    expect({ ...messageOf(decodeReceiveMessageResponse(input)), body: undefined }).toStrictEqual({ ...generated, body: undefined });
  });

  it('throws on every truncation of a valid frame like the generated decoder', () => {
    const bytes = encode({ content: { $case: 'message', value: { ...receivedMessage(3), body: Buffer.alloc(40, 1) } } });
    for (let cut = 0; cut <= bytes.length; cut++) expectSameDecoding(bytes.subarray(0, cut));
  });

  it('matches the generated decoder on arbitrary valid frames', () => {
    fc.assert(
      fc.property(frame, (value) => {
        const bytes = encode(value);
        expectDecodes(bytes);
        expectDecodes(Buffer.from(bytes));
      }),
      { numRuns: 500, ...shrinkBudget },
    );
  });

  it('throws iff the generated decoder throws, and agrees when neither does, on mutated and truncated frames', () => {
    const smallFrame = receiveMessageResponse(wireMessage(['lang', '__proto__']).map((message) => ({ ...message, body: message.body.subarray(0, 64) })));
    fc.assert(
      fc.property(smallFrame, fc.array(mutation, { minLength: 1, maxLength: 4 }), (value, mutations) => {
        expectSameDecoding(mutate(encode(value), mutations));
      }),
      { numRuns: 3000, ...shrinkBudget },
    );
  });

  it('throws iff the generated decoder throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        expectSameDecoding(bytes);
        for (const field of [0x0a, 0x12, 0x1a]) expectSameDecoding(Uint8Array.from([field, bytes.length, ...bytes]));
        expectSameDecoding(Uint8Array.from([0x12, bytes.length + 2, 0x1a, bytes.length, ...bytes]));
      }),
      { numRuns: 3000, ...shrinkBudget },
    );
  });
});
