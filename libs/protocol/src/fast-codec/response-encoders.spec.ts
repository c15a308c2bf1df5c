/**
 * The hand-written response encoders must produce exactly the bytes of the generated ts-proto
 * encoders, for arbitrary valid values, and decode to the same message.
 */
import fc from 'fast-check';
import { Code, DigestType, Encoding, MessageType, type Message } from '../gen/apache/rocketmq/v2/definition';
import {
  AckMessageResponse,
  type AckMessageResultEntry,
  MessagingServiceService,
  QueryRouteResponse,
  ReceiveMessageResponse,
  SendMessageResponse,
  type SendResultEntry,
} from '../gen/apache/rocketmq/v2/service';
import { encodeAckMessageResponse, encodeReceiveMessageResponse, encodeSendMessageResponse } from './response-encoders';
import { withFastResponseEncoders } from './service-definition';
import { int64, optional, receiveMessageResponse as receiveMessageResponseOf, status, text, wireMessage } from './wire-arbitraries';
import { type Encodes, expectSameBytes, shrinkBudget } from './spec-support';

interface Codec<T> extends Encodes<T> {
  decode(input: Uint8Array): T;
}

/** expectSameEncoding checks bytes and decoded values against the generated codec. */
function expectSameEncoding<T>(codec: Codec<T>, encode: (value: T) => Buffer, value: T): void {
  const fast = expectSameBytes(codec, encode, value);
  expect(codec.decode(fast)).toEqual(codec.decode(codec.encode(value).finish()));
}

// --- arbitraries ------------------------------------------------------------------------------

const message = wireMessage(['0', '7', '42', 'lang']);
const receiveMessageResponse = receiveMessageResponseOf(message);

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
