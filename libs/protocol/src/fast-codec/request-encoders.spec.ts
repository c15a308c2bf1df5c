/**
 * The hand-written request encoders must produce exactly the bytes of the generated ts-proto
 * encoders, for arbitrary valid values, and decode to the same message.
 */
import fc from 'fast-check';
import { DigestType, Encoding, MessageType, type Message } from '../gen/apache/rocketmq/v2/definition';
import { type AckMessageEntry, AckMessageRequest, SendMessageRequest } from '../gen/apache/rocketmq/v2/service';
import { encodeAckMessageRequest, encodeSendMessageRequest } from './request-encoders';
import { ackMessageEntry, optional, resource, wireMessage } from './wire-arbitraries';
import { describeMismatch, expectSameBytes as expectSameEncoding, shrinkBudget } from './spec-support';


// --- arbitraries ------------------------------------------------------------------------------

const message = wireMessage(['0', '7', '42', 'lang']);

const sendMessageRequest: fc.Arbitrary<SendMessageRequest> = fc.record({
  messages: fc.oneof(
    { weight: 4, arbitrary: fc.array(message, { maxLength: 4 }) },
    { weight: 1, arbitrary: fc.array(message, { minLength: 90, maxLength: 110 }) },
  ),
});

const ackMessageRequest: fc.Arbitrary<AckMessageRequest> = fc.record(
  { group: optional(resource), topic: optional(resource), entries: fc.array(ackMessageEntry, { maxLength: 40 }) },
  { requiredKeys: ['entries'] },
);

// --- examples ---------------------------------------------------------------------------------

/** leanMessage is a message as the lean bench driver sends it (wireMessage of @quiver/testing). */
function leanMessage(i: number): Message {
  return {
    topic: { resourceNamespace: '', name: 'bench_batch_lzx1' },
    userProperties: { 'bench-sent-at-ms': String(1_735_689_600_000.25 + i) },
    systemProperties: {
      keys: [],
      messageId: `8F2C0E1D9A7B4C5D8E3F2A1B0C9D8E${String(i).padStart(2, '0')}00`,
      bodyEncoding: Encoding.IDENTITY,
      messageType: MessageType.NORMAL,
      bornTimestamp: { seconds: 1_735_689_600, nanos: 0 },
      bornHost: 'raw-client',
      storeHost: '',
      queueId: 0,
    },
    body: Buffer.alloc(1024, 0x62),
  };
}

function fullMessage(): Message {
  return {
    topic: { resourceNamespace: 'ns', name: 'orders' },
    userProperties: { lang: 'en', 'ключ': 'значение', '': '' },
    systemProperties: {
      tag: 'created',
      keys: ['order-1', '', 'customer-77'],
      messageId: '01C0A8000100002A9F0000000000000001',
      bodyDigest: { type: DigestType.MD5, checksum: '5D41402ABC4B2A76B9719D911017C592' },
      bodyEncoding: Encoding.GZIP,
      messageType: MessageType.FIFO,
      bornTimestamp: { seconds: 1_735_689_600, nanos: 123_000_000 },
      bornHost: '10.0.0.12',
      storeTimestamp: { seconds: -1, nanos: -1 },
      storeHost: 'h',
      deliveryTimestamp: { seconds: 2 ** 40, nanos: 0 },
      receiptHandle: '',
      queueId: -3,
      queueOffset: -(2 ** 52),
      invisibleDuration: { seconds: 0, nanos: 0 },
      deliveryAttempt: 0,
      messageGroup: 'group-é',
      traceContext: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      orphanedTransactionRecoveryDuration: { seconds: 5, nanos: 0 },
      deadLetterQueue: { topic: '%DLQ%g', messageId: 'm' },
      liteTopic: '',
      priority: -1,
    },
    body: Buffer.from('{"order":1,"items":["é","日本"]}'),
  };
}

const ackEntries = (count: number): AckMessageEntry[] =>
  Array.from({ length: count }, (_, i) => ({
    messageId: `01C0A8000100002A9F00000000000${String(i).padStart(5, '0')}`,
    receiptHandle: `orders/0/${1024 + i}/1735689630000/node-a/8f2c0e1d9a7b6c5d4e3f2a1b0c9d8e7f`,
  }));

describe('encodeSendMessageRequest', () => {
  it('encodes a lean batch of 100 x 1 KiB messages like the generated encoder', () => {
    expectSameEncoding(SendMessageRequest, encodeSendMessageRequest, { messages: Array.from({ length: 100 }, (_, i) => leanMessage(i)) });
  });

  it('encodes every SystemProperties field, negative and 64-bit values, empty map entries and repeated empty keys', () => {
    expectSameEncoding(SendMessageRequest, encodeSendMessageRequest, { messages: [fullMessage(), fullMessage()] });
  });

  it('encodes the empty request, an empty message, and a message with only a body', () => {
    expect(expectSameEncoding(SendMessageRequest, encodeSendMessageRequest, { messages: [] }).length).toBe(0);
    const empty: Message = { userProperties: {}, body: Buffer.alloc(0) };
    expectSameEncoding(SendMessageRequest, encodeSendMessageRequest, { messages: [empty, empty, { userProperties: {}, body: Buffer.from([0]) }] });
  });

  it('encodes large bodies (a 4 MiB one among small ones) like the generated encoder', () => {
    const large = Buffer.from(Uint8Array.from({ length: 4 * 1024 * 1024 }, (_, i) => (i * 31) & 0xff));
    const value: SendMessageRequest = { messages: [leanMessage(1), { ...leanMessage(2), body: large }, leanMessage(3)] };
    // Jest compares Buffers byte by byte, slowly: compare the bytes only.
    expect(describeMismatch(encodeSendMessageRequest(value), Buffer.from(SendMessageRequest.encode(value).finish()))).toBe('equal');
  });

  it('writes int64 values beyond the safe range with the same bytes as the generated encoder', () => {
    // The generated decoder rejects these, so only the bytes are compared.
    for (const big of [2 ** 60, -(2 ** 62), -(2 ** 63), 2 ** 63 - 2 ** 10]) {
      const props = { ...leanMessage(0).systemProperties!, queueOffset: big, bornTimestamp: { seconds: big, nanos: 1 } };
      const value: SendMessageRequest = { messages: [{ ...leanMessage(0), systemProperties: props }] };
      expect(describeMismatch(encodeSendMessageRequest(value), Buffer.from(SendMessageRequest.encode(value).finish()))).toBe('equal');
    }
  });

  it('rejects invalid int32 and int64 values as the generated encoder does', () => {
    const withProps = (props: Partial<NonNullable<Message['systemProperties']>>): SendMessageRequest => ({
      messages: [{ ...leanMessage(0), systemProperties: { ...leanMessage(0).systemProperties!, ...props } }],
    });
    for (const bad of [withProps({ queueId: 2 ** 31 }), withProps({ priority: 1.5 }), withProps({ queueOffset: 1.5 }), withProps({ queueOffset: 2 ** 64 }), withProps({ bornTimestamp: { seconds: 0, nanos: -(2 ** 31) - 1 } })]) {
      expect(() => SendMessageRequest.encode(bad)).toThrow();
      expect(() => encodeSendMessageRequest(bad)).toThrow();
    }
  });

  it('returns independent buffers that copy the bodies', () => {
    const body = Buffer.alloc(16, 1);
    const first = encodeSendMessageRequest({ messages: [{ ...leanMessage(0), body }] });
    const copy = Buffer.from(first);
    body.fill(2);
    encodeSendMessageRequest({ messages: [leanMessage(1)] });
    expect(first.equals(copy)).toBe(true);
  });

  it('matches the generated SendMessageRequest encoder on arbitrary values', () => {
    fc.assert(
      fc.property(sendMessageRequest, (value) => {
        expectSameEncoding(SendMessageRequest, encodeSendMessageRequest, value);
      }),
      { numRuns: 200, ...shrinkBudget },
    );
  });
});

describe('encodeAckMessageRequest', () => {
  it('encodes a 32-entry ack like the generated encoder', () => {
    expectSameEncoding(AckMessageRequest, encodeAckMessageRequest, { group: { resourceNamespace: '', name: 'g' }, topic: { resourceNamespace: '', name: 'orders' }, entries: ackEntries(32) });
  });

  it('encodes absent, empty and set optional fields like the generated encoder', () => {
    const values: AckMessageRequest[] = [
      { entries: [] },
      { group: undefined, topic: undefined, entries: [] },
      { group: { resourceNamespace: '', name: '' }, topic: { resourceNamespace: 'ns', name: '' }, entries: [{ messageId: '', receiptHandle: '' }] },
      { entries: [{ messageId: 'm', receiptHandle: 'r', liteTopic: '' }, { messageId: 'm', receiptHandle: 'r', liteTopic: undefined }, { messageId: '', receiptHandle: 'h', liteTopic: 'lite-é' }] },
      { entries: ackEntries(1000) },
    ];
    for (const value of values) expectSameEncoding(AckMessageRequest, encodeAckMessageRequest, value);
  });

  it('returns independent buffers: a later encode does not change an earlier result', () => {
    const first = encodeAckMessageRequest({ entries: ackEntries(2) });
    const copy = Buffer.from(first);
    encodeAckMessageRequest({ entries: ackEntries(3) });
    expect(first.equals(copy)).toBe(true);
  });

  it('matches the generated AckMessageRequest encoder on arbitrary values', () => {
    fc.assert(
      fc.property(ackMessageRequest, (value) => {
        expectSameEncoding(AckMessageRequest, encodeAckMessageRequest, value);
      }),
      { numRuns: 300, ...shrinkBudget },
    );
  });
});
