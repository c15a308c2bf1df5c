/**
 * The hand-written response encoders must produce exactly the bytes of the generated ts-proto
 * encoders, for arbitrary valid values, and decode to the same message.
 */
import fc from 'fast-check';
import { Code, DigestType, Encoding, MessageType, type Message, type SystemProperties } from '../gen/apache/rocketmq/v2/definition';
import {
  AckMessageResponse,
  type AckMessageResultEntry,
  MessagingServiceService,
  QueryRouteResponse,
  ReceiveMessageResponse,
  SendMessageResponse,
  type SendResultEntry,
} from '../gen/apache/rocketmq/v2/service';
import type { Duration } from '../gen/google/protobuf/duration';
import type { Timestamp } from '../gen/google/protobuf/timestamp';
import type { Status } from '../gen/apache/rocketmq/v2/definition';
import { encodeAckMessageResponse, encodeReceiveMessageResponse, encodeSendMessageResponse } from './response-encoders';
import { withFastResponseEncoders } from './service-definition';

const int32Min = -(2 ** 31);
const int32Max = 2 ** 31 - 1;
const largeBodyMax = 64 * 1024;
/** Shrinking counterexamples with 100 entries and 64 KiB bodies can take minutes; cap it. */
const shrinkBudget = { interruptAfterTimeLimit: 30_000, markInterruptAsFailure: true };

/** describeMismatch names the first differing byte, so a failure does not dump 64 KiB. */
function describeMismatch(fast: Buffer, generated: Buffer): string {
  if (fast.equals(generated)) return 'equal';
  let at = 0;
  while (at < fast.length && at < generated.length && fast[at] === generated[at]) at++;
  return `lengths ${fast.length} vs ${generated.length}, first difference at byte ${at}`;
}

interface Codec<T> {
  encode(value: T): { finish(): Uint8Array };
  decode(input: Uint8Array): T;
}

/** expectSameEncoding checks bytes and decoded values against the generated codec. */
function expectSameEncoding<T>(codec: Codec<T>, encode: (value: T) => Buffer, value: T): void {
  const generatedBytes = codec.encode(value).finish();
  const fast = encode(value);
  expect(Buffer.isBuffer(fast)).toBe(true);
  expect(describeMismatch(fast, Buffer.from(generatedBytes))).toBe('equal');
  expect(codec.decode(fast)).toEqual(codec.decode(generatedBytes));
}

// --- arbitraries ------------------------------------------------------------------------------

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((unit) => String.fromCharCode(unit));
const text: fc.Arbitrary<string> = fc.oneof(
  fc.constant(''),
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.string({ unit: 'binary-ascii', maxLength: 20 }),
  fc.string({ unit: 'grapheme', maxLength: 10 }),
  // Longer than the encoder's short-string loop, ASCII and not.
  fc.string({ minLength: 60, maxLength: 300 }),
  fc.string({ unit: 'binary', minLength: 60, maxLength: 200 }),
  fc.string({ unit: fc.oneof(fc.string({ minLength: 1, maxLength: 1 }), loneSurrogate), maxLength: 80 }),
);
const int32 = fc.oneof(fc.integer({ min: int32Min, max: int32Max }), fc.integer({ min: -3, max: 300 }));
const enumValue = fc.integer({ min: -1, max: 20 });
const int64 = fc.oneof(
  fc.integer({ min: -3, max: 300 }),
  fc.integer({ min: int32Min, max: int32Max }),
  fc.maxSafeInteger(),
  fc.constantFrom(2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 35 + 7, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, -(2 ** 32)),
);
const time: fc.Arbitrary<Timestamp | Duration> = fc.record({ seconds: int64, nanos: int32 });
const status: fc.Arbitrary<Status> = fc.record({ code: enumValue, message: text });
const optional = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(arb, { nil: undefined, freq: 3 });

/** Large bodies are filled from a seed: generating 64 KiB byte by byte would be slow. */
const body: fc.Arbitrary<Buffer> = fc.oneof(
  { weight: 6, arbitrary: fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes)) },
  {
    weight: 1,
    arbitrary: fc.record({ length: fc.integer({ min: 0, max: largeBodyMax }), seed: fc.integer({ min: 0, max: 255 }) }).map(
      ({ length, seed }) => Buffer.from(Uint8Array.from({ length }, (_, i) => (i * 31 + seed) & 0xff)),
    ),
  },
);

const userProperties = fc.dictionary(fc.oneof(text, fc.constantFrom('0', '7', '42', 'lang')), text, { maxKeys: 6 });

const systemProperties: fc.Arbitrary<SystemProperties> = fc.record(
  {
    tag: optional(text),
    keys: fc.array(text, { maxLength: 4 }),
    messageId: text,
    bodyDigest: optional(fc.record({ type: enumValue, checksum: text })),
    bodyEncoding: enumValue,
    messageType: enumValue,
    bornTimestamp: optional(time),
    bornHost: text,
    storeTimestamp: optional(time),
    storeHost: text,
    deliveryTimestamp: optional(time),
    receiptHandle: optional(text),
    queueId: int32,
    queueOffset: optional(int64),
    invisibleDuration: optional(time),
    deliveryAttempt: optional(int32),
    messageGroup: optional(text),
    traceContext: optional(text),
    orphanedTransactionRecoveryDuration: optional(time),
    deadLetterQueue: optional(fc.record({ topic: text, messageId: text })),
    liteTopic: optional(text),
    priority: optional(int32),
  },
  // Optional fields may be absent as well as explicitly undefined.
  { requiredKeys: ['keys', 'messageId', 'bodyEncoding', 'messageType', 'bornHost', 'storeHost', 'queueId'] },
);

const message: fc.Arbitrary<Message> = fc.record(
  {
    topic: optional(fc.record({ resourceNamespace: text, name: text })),
    userProperties,
    systemProperties: optional(systemProperties),
    body,
  },
  { requiredKeys: ['userProperties', 'body'] },
);

const receiveMessageResponse: fc.Arbitrary<ReceiveMessageResponse> = fc.oneof(
  fc.constant({}),
  fc.constant({ content: undefined }),
  status.map((value) => ({ content: { $case: 'status' as const, value } })),
  { weight: 4, arbitrary: message.map((value) => ({ content: { $case: 'message' as const, value } })) },
  time.map((value) => ({ content: { $case: 'deliveryTimestamp' as const, value } })),
);

const sendResultEntry: fc.Arbitrary<SendResultEntry> = fc.record(
  { status: optional(status), messageId: text, transactionId: text, offset: int64, recallHandle: text },
  { requiredKeys: ['messageId', 'transactionId', 'offset', 'recallHandle'] },
);
const sendMessageResponse: fc.Arbitrary<SendMessageResponse> = fc.record(
  { status: optional(status), entries: fc.oneof(fc.array(sendResultEntry, { maxLength: 5 }), fc.array(sendResultEntry, { minLength: 90, maxLength: 110 })) },
  { requiredKeys: ['entries'] },
);

const ackResultEntry: fc.Arbitrary<AckMessageResultEntry> = fc.record(
  { messageId: text, receiptHandle: text, status: optional(status) },
  { requiredKeys: ['messageId', 'receiptHandle'] },
);
const ackMessageResponse: fc.Arbitrary<AckMessageResponse> = fc.record(
  { status: optional(status), entries: fc.array(ackResultEntry, { maxLength: 40 }) },
  { requiredKeys: ['entries'] },
);

// --- examples ---------------------------------------------------------------------------------

function realisticMessage(): Message {
  return {
    topic: { resourceNamespace: '', name: 'orders' },
    userProperties: { lang: 'en', region: 'eu-west', 'trace-id': '4bf92f3577b34da6a3ce929d0e0e4736' },
    systemProperties: {
      tag: 'created',
      keys: ['order-1', 'customer-77'],
      messageId: '01C0A8000100002A9F0000000000000001',
      bodyDigest: { type: DigestType.MD5, checksum: '5D41402ABC4B2A76B9719D911017C592' },
      bodyEncoding: Encoding.IDENTITY,
      messageType: MessageType.NORMAL,
      bornTimestamp: { seconds: 1_735_689_600, nanos: 123_000_000 },
      bornHost: '10.0.0.12',
      storeTimestamp: { seconds: 1_735_689_600, nanos: 125_000_000 },
      storeHost: '10.0.0.2:10911',
      receiptHandle: 'orders/3/1024/1735689630000/node-a',
      queueId: 3,
      queueOffset: 1024,
      invisibleDuration: { seconds: 30, nanos: 0 },
      deliveryAttempt: 1,
    },
    body: Buffer.from('{"order":1,"items":["é","日本"]}'),
  };
}

describe('fast response encoders', () => {
  it('encode a realistic received message like the generated encoder', () => {
    expectSameEncoding(ReceiveMessageResponse, encodeReceiveMessageResponse, {
      content: { $case: 'message', value: realisticMessage() },
    });
  });

  it('encode the status, delivery-timestamp and empty ReceiveMessage frames like the generated encoder', () => {
    const frames: ReceiveMessageResponse[] = [
      { content: { $case: 'status', value: { code: Code.OK, message: 'OK' } } },
      { content: { $case: 'status', value: { code: Code.UNRECOGNIZED, message: '' } } },
      { content: { $case: 'deliveryTimestamp', value: { seconds: 0, nanos: 0 } } },
      { content: { $case: 'deliveryTimestamp', value: { seconds: -1, nanos: -5 } } },
      {},
    ];
    for (const frame of frames) expectSameEncoding(ReceiveMessageResponse, encodeReceiveMessageResponse, frame);
  });

  it('write a map entry with empty key and value, and repeated empty keys, like the generated encoder', () => {
    const value: Message = { userProperties: { '': '' }, systemProperties: { ...realisticMessage().systemProperties!, keys: ['', ''] }, body: Buffer.alloc(0) };
    expectSameEncoding(ReceiveMessageResponse, encodeReceiveMessageResponse, { content: { $case: 'message', value } });
  });

  it('encode a 100-entry SendMessage response and an AckMessage response like the generated encoder', () => {
    const entries: SendResultEntry[] = Array.from({ length: 100 }, (_, i) => ({
      status: { code: Code.OK, message: 'OK' },
      messageId: `01C0A8000100002A9F00000000000${String(i).padStart(5, '0')}`,
      transactionId: '',
      offset: 1_000_000 + i,
      recallHandle: '',
    }));
    expectSameEncoding(SendMessageResponse, encodeSendMessageResponse, { status: { code: Code.OK, message: 'OK' }, entries });
    expectSameEncoding(AckMessageResponse, encodeAckMessageResponse, {
      status: { code: Code.MULTIPLE_RESULTS, message: 'partial' },
      entries: [
        { messageId: 'a', receiptHandle: 'r1', status: { code: Code.OK, message: '' } },
        { messageId: 'b', receiptHandle: 'r2', status: { code: Code.INVALID_RECEIPT_HANDLE, message: 'expired' } },
      ],
    });
  });

  it('write int64 values beyond the safe range with the same bytes as the generated encoder', () => {
    // The generated decoder rejects these, so only the bytes are compared.
    for (const offset of [2 ** 60, -(2 ** 62), -(2 ** 63), 2 ** 63 - 2 ** 10]) {
      const value: SendMessageResponse = { entries: [{ messageId: 'm', transactionId: '', offset, recallHandle: '' }] };
      expect(encodeSendMessageResponse(value).equals(Buffer.from(SendMessageResponse.encode(value).finish()))).toBe(true);
    }
  });

  it('reject invalid int32 and int64 values as the generated encoder does', () => {
    const badQueueId = { content: { $case: 'message' as const, value: { ...realisticMessage(), systemProperties: { ...realisticMessage().systemProperties!, queueId: 2 ** 31 } } } };
    expect(() => ReceiveMessageResponse.encode(badQueueId)).toThrow();
    expect(() => encodeReceiveMessageResponse(badQueueId)).toThrow(/int32/);
    for (const offset of [1.5, 2 ** 64]) {
      const badOffset: SendMessageResponse = { entries: [{ messageId: '', transactionId: '', offset, recallHandle: '' }] };
      expect(() => SendMessageResponse.encode(badOffset)).toThrow();
      expect(() => encodeSendMessageResponse(badOffset)).toThrow();
    }
  });

  it('return independent buffers: a later encode does not change an earlier result', () => {
    const first = encodeAckMessageResponse({ entries: [{ messageId: 'first', receiptHandle: 'h', status: undefined }] });
    const copy = Buffer.from(first);
    encodeAckMessageResponse({ entries: [{ messageId: 'second', receiptHandle: 'h2', status: undefined }] });
    expect(first.equals(copy)).toBe(true);
  });

  it('match the generated ReceiveMessageResponse encoder on arbitrary values', () => {
    fc.assert(
      fc.property(receiveMessageResponse, (value) => expectSameEncoding(ReceiveMessageResponse, encodeReceiveMessageResponse, value)),
      { numRuns: 400, ...shrinkBudget },
    );
  });

  it('match the generated SendMessageResponse encoder on arbitrary values', () => {
    fc.assert(
      fc.property(sendMessageResponse, (value) => expectSameEncoding(SendMessageResponse, encodeSendMessageResponse, value)),
      { numRuns: 200, ...shrinkBudget },
    );
  });

  it('match the generated AckMessageResponse encoder on arbitrary values', () => {
    fc.assert(
      fc.property(ackMessageResponse, (value) => expectSameEncoding(AckMessageResponse, encodeAckMessageResponse, value)),
      { numRuns: 200, ...shrinkBudget },
    );
  });
});

describe('withFastResponseEncoders', () => {
  const fast = withFastResponseEncoders(MessagingServiceService);

  it('keeps every method and everything but responseSerialize, and leaves the argument untouched', () => {
    expect(Object.keys(fast)).toEqual(Object.keys(MessagingServiceService));
    for (const name of Object.keys(MessagingServiceService) as (keyof typeof MessagingServiceService)[]) {
      const { responseSerialize: replaced, ...rest } = fast[name];
      const { responseSerialize: original, ...originalRest } = MessagingServiceService[name];
      expect(rest).toEqual(originalRest);
      expect(replaced).not.toBe(original);
    }
    expect(MessagingServiceService.receiveMessage.responseSerialize).not.toBe(encodeReceiveMessageResponse);
  });

  it('uses the fast encoders for ReceiveMessage, SendMessage and AckMessage', () => {
    expect(fast.receiveMessage.responseSerialize).toBe(encodeReceiveMessageResponse);
    expect(fast.sendMessage.responseSerialize).toBe(encodeSendMessageResponse);
    expect(fast.ackMessage.responseSerialize).toBe(encodeAckMessageResponse);
  });

  it('serializes the other responses to the same bytes as the generated serializer, as a Buffer', () => {
    const route: QueryRouteResponse = {
      status: { code: Code.OK, message: 'OK' },
      messageQueues: [{ topic: { resourceNamespace: '', name: 't' }, id: 1, permission: 3, acceptMessageTypes: [MessageType.NORMAL] }],
    };
    const bytes = fast.queryRoute.responseSerialize(route);
    expect(Buffer.isBuffer(bytes)).toBe(true);
    expect(bytes.equals(MessagingServiceService.queryRoute.responseSerialize(route))).toBe(true);
    const heartbeat = { status: { code: Code.OK, message: 'OK' } };
    expect(fast.heartbeat.responseSerialize(heartbeat).equals(MessagingServiceService.heartbeat.responseSerialize(heartbeat))).toBe(true);
  });
});
