/**
 * The hand-written SendMessageRequest decoder must return what the generated ts-proto decoder
 * returns (deep and strict: undefined vs default, Buffer bodies, map objects) and throw exactly
 * when it throws, for valid, hand-built, mutated and truncated inputs.
 */
import fc from 'fast-check';
import { DigestType, Encoding, MessageType, type Message } from '../gen/apache/rocketmq/v2/definition';
import { SendMessageRequest } from '../gen/apache/rocketmq/v2/service';
import { decodeSendMessageRequest } from './request-decoders';
import {
  type Bytes,
  bytesOf,
  lenField,
  messageWithUnknownFields,
  mutate,
  mutation,
  nestedGroups,
  safeInt64Edges,
  strField,
  tag,
  unknownFields,
  unsafeInt64Edges,
  utf8Samples,
  varintBytes,
  varintField,
  wireMessage,
} from './wire-arbitraries';
import { type Decoders, decoderExpectations, shrinkBudget } from './spec-support';

const decoders: Decoders<SendMessageRequest> = {
  name: 'SendMessageRequest',
  generated: (bytes) => SendMessageRequest.decode(bytes),
  fast: decodeSendMessageRequest,
  bodies: (value) => value.messages.map((message) => message.body),
};
const { expectSameDecoding, expectDecodes, expectBothThrow } = decoderExpectations(decoders);

// --- hand-built protobuf bytes ----------------------------------------------------------------

/** message wraps Message fields into a request's `messages` field. */
const message = (...fields: Bytes[]): Bytes => lenField(1, fields.flat());
const systemProps = (...fields: Bytes[]): Bytes => lenField(3, fields.flat());
const entry = (...fields: Bytes[]): Bytes => lenField(2, fields.flat());

// --- arbitraries --------------------------------------------------------------------------------

/** Keys a plain-object assignment treats specially: the decoders must agree on them. */
const wireMessageArb = wireMessage(['0', '7', '42', 'lang', '__proto__', 'constructor']);

const sendMessageRequest: fc.Arbitrary<SendMessageRequest> = fc.record({
  messages: fc.oneof(
    { weight: 4, arbitrary: fc.array(wireMessageArb, { maxLength: 4 }) },
    { weight: 1, arbitrary: fc.array(wireMessageArb, { minLength: 90, maxLength: 110 }) },
  ),
});

const smallRequest: fc.Arbitrary<SendMessageRequest> = fc.record({ messages: fc.array(wireMessageArb, { maxLength: 3 }) });

const encode = (request: SendMessageRequest): Uint8Array => SendMessageRequest.encode(request).finish();

// --- specs --------------------------------------------------------------------------------------

function realisticMessage(i: number): Message {
  return {
    topic: { resourceNamespace: '', name: 'orders' },
    userProperties: { lang: 'en', 'trace-id': '4bf92f3577b34da6a3ce929d0e0e4736', 'ключ': 'значение' },
    systemProperties: {
      tag: 'created',
      keys: [`order-${i}`, 'customer-77'],
      messageId: `01C0A8000100002A9F00000000000${String(i).padStart(5, '0')}`,
      bodyDigest: { type: DigestType.MD5, checksum: '5D41402ABC4B2A76B9719D911017C592' },
      bodyEncoding: Encoding.IDENTITY,
      messageType: MessageType.NORMAL,
      bornTimestamp: { seconds: 1_735_689_600, nanos: 123_000_000 },
      bornHost: '10.0.0.12',
      storeHost: '',
      queueId: 3,
      queueOffset: 1024,
      deliveryTimestamp: { seconds: -5, nanos: -1 },
      messageGroup: 'g',
      priority: -7,
    },
    body: Buffer.alloc(1024, i),
  };
}

describe('decodeSendMessageRequest', () => {
  it('decodes a realistic batch of 100 messages like the generated decoder', () => {
    const request: SendMessageRequest = { messages: Array.from({ length: 100 }, (_, i) => realisticMessage(i)) };
    const decoded = expectDecodes(encode(request));
    expect(decoded).toEqual(request);
  });

  it('decodes the empty request and an empty message with fresh defaults', () => {
    expect(expectDecodes(new Uint8Array(0))).toStrictEqual({ messages: [] });
    const decoded = expectDecodes(bytesOf(message(), message()));
    expect(decoded.messages[0]!.body).not.toBe(decoded.messages[1]!.body);
    expect(decoded.messages[0]!.userProperties).not.toBe(decoded.messages[1]!.userProperties);
  });

  it('returns bodies as Buffer views of a Buffer or plain Uint8Array input', () => {
    const bytes = encode({ messages: [realisticMessage(1)] });
    const fromArray = decodeSendMessageRequest(bytes).messages[0]!.body;
    expect(Buffer.isBuffer(fromArray)).toBe(true);
    expect(fromArray.buffer).toBe(bytes.buffer);
    const input = Buffer.from(bytes);
    const fromBuffer = decodeSendMessageRequest(input).messages[0]!.body;
    expect(fromBuffer.buffer).toBe(input.buffer);
    expect(fromBuffer.equals(Buffer.alloc(1024, 1))).toBe(true);
  });

  it('skips unknown fields of every wire type at every level', () => {
    const decoded = expectDecodes(bytesOf(unknownFields, message(messageWithUnknownFields), unknownFields));
    expect(decoded.messages[0]!.systemProperties!.invisibleDuration).toStrictEqual({ seconds: 5, nanos: 6 });
  });

  it('keeps the last of repeated singular fields and replaces repeated sub-messages without merging', () => {
    const bytes = bytesOf(
      message(
        lenField(1, strField(1, 'first-ns')),
        lenField(1, strField(2, 'second-name')),
        lenField(4, [1]),
        lenField(4, [2, 3]),
        systemProps(strField(1, 'a'), lenField(7, varintField(1, 5)), varintField(13, 1), lenField(4, varintField(1, 1))),
        systemProps(strField(2, 'k1'), strField(1, 'b'), strField(1, 'c'), lenField(7, varintField(2, 7)), varintField(13, 2), varintField(13, -3), strField(2, 'k2')),
        entry(strField(1, 'k'), strField(2, 'one')),
        entry(strField(2, 'two'), strField(1, 'k')),
        entry(strField(1, 'only-key')),
        entry(strField(2, 'only-value')),
        entry(strField(1, 'dup'), strField(1, 'dup2'), strField(2, 'x'), strField(2, 'y')),
      ),
    );
    const decoded = expectDecodes(bytes).messages[0]!;
    expect(decoded.topic).toStrictEqual({ resourceNamespace: '', name: 'second-name' });
    expect(decoded.body).toStrictEqual(Buffer.from([2, 3]));
    expect(decoded.systemProperties!.bornTimestamp).toStrictEqual({ seconds: 0, nanos: 7 });
    expect(decoded.systemProperties!.bodyDigest).toBeUndefined();
    expect(decoded.systemProperties!.keys).toStrictEqual(['k1', 'k2']);
    expect(decoded.systemProperties!.queueId).toBe(-3);
    expect(decoded.userProperties).toStrictEqual({ k: 'two', 'only-key': '', '': 'only-value', dup2: 'y' });
  });

  it('accepts fields in any order and a zero-length body', () => {
    const bytes = bytesOf(
      message(lenField(4, []), systemProps(varintField(22, 3), strField(21, 'lite'), strField(1, 't')), entry(strField(1, 'b')), lenField(1, strField(2, 'n'))),
      message(lenField(4, [5]), lenField(1, strField(2, 'n'))),
    );
    const decoded = expectDecodes(bytes);
    expect(decoded.messages[0]!.body.length).toBe(0);
    expect(decoded.messages[0]!.systemProperties!.priority).toBe(3);
  });

  it('skips known field numbers that arrive with another wire type', () => {
    const bytes = bytesOf(
      varintField(1, 7),
      message(varintField(4, 1), varintField(1, 2), systemProps(lenField(13, [1]), varintField(1, 4), lenField(14, [1]), tag(16, 5), [1, 2, 3, 4]), tag(3, 1), [1, 2, 3, 4, 5, 6, 7, 8]),
    );
    expectDecodes(bytes);
  });

  it('ends a message early at a zero tag or an end-group tag and goes on in its parent, as the generated code does', () => {
    // The Message claims all of its bytes, but a zero tag ends it after the topic; the request then
    // reads the rest (a body field, unknown to the request) itself.
    const inner = [...lenField(1, strField(2, 'n')), 0, ...lenField(4, [9])];
    expectDecodes(bytesOf(message(inner)));
    const withEndGroup = [...lenField(1, strField(2, 'n')), ...tag(7, 4), ...lenField(4, [9])];
    expectDecodes(bytesOf(message(withEndGroup)));
    // The same at the top level and inside SystemProperties and a map entry.
    expectDecodes(bytesOf(message(lenField(4, [1])), [0], message(lenField(4, [2]))));
    // After the early end the Message reads the remaining bytes as its own body field.
    const early = expectDecodes(bytesOf(message(systemProps(strField(1, 'a'), [0], lenField(4, [8])))));
    expect(early.messages[0]!.body).toStrictEqual(Buffer.from([8]));
    expectDecodes(bytesOf(message(entry(strField(1, 'k'), tag(3, 4), lenField(4, [8])))));
    // Where the rest does not parse in the parent, both throw.
    expectBothThrow(bytesOf(message(systemProps(strField(1, 'a'), [0], strField(1, 'b')))));
  });

  it('lets a field run past the end of its sub-message, since only the input bounds are checked', () => {
    // The Resource claims 2 bytes but its string is 5 long; the Message goes on after it.
    const bytes = bytesOf(message([...tag(1, 2), 2, ...strField(2, 'abcde'), ...lenField(4, [1])]));
    expectDecodes(bytes);
    // A sub-message longer than the input throws once a read goes past the end.
    expectBothThrow(bytesOf([...tag(1, 2), 100, ...lenField(4, [1])]));
    // The e2e test's malformed request.
    expectBothThrow(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01, 0x02]));
  });

  it('converts int64 like longToNumber: the safe range decodes, one past it throws', () => {
    const withOffset = (value: bigint): Buffer => bytesOf(message(systemProps(varintField(14, value))));
    const withSeconds = (value: bigint): Buffer => bytesOf(message(systemProps(lenField(7, varintField(1, value)))));
    for (const value of safeInt64Edges) {
      expect(expectDecodes(withOffset(value)).messages[0]!.systemProperties!.queueOffset).toBe(Number(value));
      expect(expectDecodes(withSeconds(value)).messages[0]!.systemProperties!.bornTimestamp!.seconds).toBe(Number(value));
    }
    for (const value of unsafeInt64Edges) {
      expectBothThrow(withOffset(value));
      expectBothThrow(withSeconds(value));
    }
  });

  it('reads int32 and varints like BinaryReader: ten-byte negatives, ignored high bits, over-long varints', () => {
    const queueId = (raw: number[]): Buffer => bytesOf(message(systemProps([...tag(13, 0), ...raw])));
    expectDecodes(queueId(varintBytes(-5)));
    expectDecodes(queueId([0xff, 0xff, 0xff, 0xff, 0xff, 0x01])); // bits above 32 are dropped
    expectDecodes(queueId([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f]));
    expectBothThrow(queueId([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]));
    const offset = (raw: number[]): Buffer => bytesOf(message(systemProps([...tag(14, 0), ...raw])));
    expectDecodes(offset([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]));
    expectBothThrow(offset([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]));
    expectBothThrow(offset([0x80, 0x80]));
    // Tags and lengths are 32-bit varints too; a padded one-byte tag still decodes.
    expectDecodes(bytesOf([0x8a, 0x80, 0x80, 0x80, 0x00, 0]));
    // A skipped varint may be any length.
    expectDecodes(bytesOf(tag(99, 0), Array.from({ length: 20 }, () => 0x80), [0x01], message()));
  });

  it('decodes strings like the non-fatal TextDecoder: replacement characters and a dropped BOM', () => {
    for (const raw of utf8Samples) {
      const bytes = bytesOf(message(lenField(1, lenField(2, raw)), systemProps(lenField(1, raw)), entry(lenField(1, raw), lenField(2, raw))));
      expectDecodes(bytes);
    }
  });

  it('drops a "__proto__" user property key the way the generated plain assignment does', () => {
    const decoded = expectDecodes(bytesOf(message(entry(strField(1, '__proto__'), strField(2, 'x')), entry(strField(1, 'constructor'), strField(2, 'y')))));
    expect(Object.getPrototypeOf(decoded.messages[0]!.userProperties)).toBe(Object.prototype);
  });

  it('skips groups like BinaryReader: nested, matched by field number, any end tag closing the outermost', () => {
    expectDecodes(bytesOf(nestedGroups(100), message(systemProps(nestedGroups(3)))));
    // The outermost group ends at any end-group tag, a nested one only at its own.
    expectDecodes(bytesOf(tag(50, 3), tag(77, 4), message()));
    expectBothThrow(bytesOf(tag(50, 3), tag(51, 3), tag(52, 4), tag(50, 4)));
    // Inside a group every tag needs a field number and a wire type up to 5.
    expectBothThrow(bytesOf(tag(50, 3), [0x00], tag(50, 4)));
    expectBothThrow(bytesOf(tag(50, 3), tag(1, 6), tag(50, 4)));
    expectBothThrow(bytesOf(tag(50, 3), tag(1, 7), tag(50, 4)));
    expectBothThrow(bytesOf(tag(50, 3), varintField(1, 1)));
    // Nesting far beyond the JS stack: the generated reader overflows it, this one refuses it.
    expectBothThrow(bytesOf(nestedGroups(100_000)));
  });

  it('throws for wire types 6 and 7 and for truncated fixed-width fields', () => {
    expectBothThrow(bytesOf(tag(9, 6)));
    expectBothThrow(bytesOf(message(tag(9, 7))));
    expectBothThrow(bytesOf(tag(9, 1), [1, 2, 3, 4, 5, 6, 7]));
    expectBothThrow(bytesOf(message(systemProps(tag(9, 5), [1, 2, 3]))));
    expectBothThrow(bytesOf(lenField(9, [1, 2]).slice(0, -1)));
    expectDecodes(bytesOf(tag(9, 1), [1, 2, 3, 4, 5, 6, 7, 8], tag(9, 5), [1, 2, 3, 4]));
  });

  it('throws on every truncation of a valid request', () => {
    const bytes = encode({ messages: [realisticMessage(3), realisticMessage(4)] });
    for (let cut = 0; cut <= bytes.length; cut += cut < 400 ? 1 : 97) expectSameDecoding(bytes.subarray(0, cut));
  });

  it('matches the generated decoder on arbitrary valid requests', () => {
    fc.assert(
      fc.property(sendMessageRequest, (request) => {
        const bytes = encode(request);
        expectDecodes(bytes);
        expectDecodes(Buffer.from(bytes));
      }),
      { numRuns: 300, ...shrinkBudget },
    );
  });

  it('throws iff the generated decoder throws, and agrees when neither does, on mutated and truncated requests', () => {
    fc.assert(
      fc.property(smallRequest, fc.array(mutation, { minLength: 1, maxLength: 4 }), (request, mutations) => {
        expectSameDecoding(mutate(encode(request), mutations));
      }),
      { numRuns: 3000, ...shrinkBudget },
    );
  });

  it('throws iff the generated decoder throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        expectSameDecoding(bytes);
        expectSameDecoding(Uint8Array.from([0x0a, bytes.length, ...bytes]));
        expectSameDecoding(Uint8Array.from([0x0a, bytes.length + 2, 0x1a, bytes.length, ...bytes]));
      }),
      { numRuns: 3000, ...shrinkBudget },
    );
  });
});
