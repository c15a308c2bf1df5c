/**
 * fast-check arbitraries of quiver.store.v1 values (the store hop's AppendBatchRequest and
 * PopMessagesResponse and what they hold), for the specs that compare the hand-written store
 * codecs with the generated ones, and the example values the encoder and decoder specs share.
 * The scalar arbitraries, mutations and byte builders are wire-arbitraries'; this module adds
 * the store schema's messages, 64-bit values beyond 2^53 and unsigned epochs. Test support
 * only: nothing outside specs imports it.
 */
import fc from 'fast-check';
import {
  type AppendBatchRequest,
  type AppendMessagesRequest,
  MessageKind,
  type MessageToStore,
  type PoppedMessage,
  type PopMessagesResponse,
  type StoredMessage,
} from '../gen/quiver/store/v1/store';
import { body, type Bytes, enumValue, int32, int64, lenField, mutation, type Mutation, optional, text, unknownFields, varintField } from './wire-arbitraries';

/**
 * int64BeyondSafe are int64 numbers outside ±(2^53 - 1) that BinaryWriter.int64 still accepts
 * (the generated decoder refuses them), up to the largest double below 2^63.
 */
export const int64BeyondSafe = fc.constantFrom(2 ** 53, 2 ** 53 + 2, 2 ** 60, 2 ** 63 - 1024, -(2 ** 53), -(2 ** 53) - 2, -(2 ** 62), -(2 ** 63));
/** wideInt64 is every int64 number the generated encoder accepts, the unsafe ones included. */
export const wideInt64: fc.Arbitrary<number> = fc.oneof({ weight: 4, arbitrary: int64 }, { weight: 1, arbitrary: int64BeyondSafe });

/** uint64 are the uint64 numbers the generated decoder returns: 0 to 2^53 - 1. */
export const uint64: fc.Arbitrary<number> = fc.oneof(
  fc.constant(0),
  fc.integer({ min: 0, max: 300 }),
  fc.maxSafeNat(),
  fc.constantFrom(2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 35 + 7, Number.MAX_SAFE_INTEGER),
);
/** uint64BeyondSafe are uint64 numbers from 2^53 that BinaryWriter.uint64 still accepts, up to the largest double below 2^64. */
export const uint64BeyondSafe = fc.constantFrom(2 ** 53, 2 ** 56, 2 ** 63 - 1024, 2 ** 63, 2 ** 64 - 2048);
export const wideUint64: fc.Arbitrary<number> = fc.oneof({ weight: 4, arbitrary: uint64 }, { weight: 1, arbitrary: uint64BeyondSafe });

/** smallBody is a body of up to 40 bytes, for the large batches (64 KiB bodies times 64 would be slow to compare). */
export const smallBody: fc.Arbitrary<Buffer> = fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes));

/** Keys a plain-object assignment treats specially, and integer-like keys that objects order first. */
export const propertyKeys = ['0', '7', '42', 'lang', '__proto__', 'constructor'] as const;

export interface StoreValueOptions {
  /** int64 generates every int64 field. @default int64 (safe integers) */
  int64?: fc.Arbitrary<number>;
  /** uint64 generates the epoch fields. @default uint64 (safe) */
  uint64?: fc.Arbitrary<number>;
  /** body generates message bodies of the small batches. @default body (up to 64 KiB) */
  body?: fc.Arbitrary<Buffer>;
}

export interface StoreValues {
  messageToStore: (body: fc.Arbitrary<Buffer>) => fc.Arbitrary<MessageToStore>;
  storedMessage: (body: fc.Arbitrary<Buffer>) => fc.Arbitrary<StoredMessage>;
  poppedMessage: (body: fc.Arbitrary<Buffer>) => fc.Arbitrary<PoppedMessage>;
  /** popMessagesResponse: up to four messages, or a batch of 30 to 34 with small bodies. */
  popMessagesResponse: fc.Arbitrary<PopMessagesResponse>;
  appendMessagesRequest: (body: fc.Arbitrary<Buffer>, messagesMax: number) => fc.Arbitrary<AppendMessagesRequest>;
  /** appendBatchRequest: up to four appends of up to three messages, or 60 to 68 appends of one small message. */
  appendBatchRequest: fc.Arbitrary<AppendBatchRequest>;
}

/** storeValues builds the arbitraries; optional fields may be absent as well as explicitly undefined. */
export function storeValues(options: StoreValueOptions = {}): StoreValues {
  const anyInt64 = options.int64 ?? int64;
  const epoch = options.uint64 ?? uint64;
  const anyBody = options.body ?? body;
  const userProperties = fc.dictionary(fc.oneof(text, fc.constantFrom(...propertyKeys)), text, { maxKeys: 6 });

  const messageToStore = (bodies: fc.Arbitrary<Buffer>): fc.Arbitrary<MessageToStore> =>
    fc.record(
      {
        messageId: text,
        tag: optional(text),
        keys: fc.array(text, { maxLength: 4 }),
        userProperties,
        body: bodies,
        bodyGzipped: fc.boolean(),
        bornTimestampMs: anyInt64,
        bornHost: text,
        kind: enumValue,
        messageGroup: optional(text),
        deliveryTimestampMs: optional(anyInt64),
        traceContext: optional(text),
      },
      { requiredKeys: ['messageId', 'keys', 'userProperties', 'body', 'bodyGzipped', 'bornTimestampMs', 'bornHost', 'kind'] },
    );

  const storedMessage = (bodies: fc.Arbitrary<Buffer>): fc.Arbitrary<StoredMessage> =>
    fc.record(
      {
        message: optional(messageToStore(bodies)),
        topic: text,
        queueId: int32,
        queueOffset: anyInt64,
        storeTimestampMs: anyInt64,
        storeHost: text,
      },
      { requiredKeys: ['topic', 'queueId', 'queueOffset', 'storeTimestampMs', 'storeHost'] },
    );

  const poppedMessage = (bodies: fc.Arbitrary<Buffer>): fc.Arbitrary<PoppedMessage> =>
    fc.record(
      { message: optional(storedMessage(bodies)), deliveryAttempt: int32, popGeneration: anyInt64, invisibleUntilMs: anyInt64 },
      { requiredKeys: ['deliveryAttempt', 'popGeneration', 'invisibleUntilMs'] },
    );

  const popMessagesResponse: fc.Arbitrary<PopMessagesResponse> = fc.record({
    messages: fc.oneof(
      { weight: 4, arbitrary: fc.array(poppedMessage(anyBody), { maxLength: 4 }) },
      { weight: 1, arbitrary: fc.array(poppedMessage(smallBody), { minLength: 30, maxLength: 34 }) },
    ),
    deadLettered: int32,
  });

  const appendMessagesRequest = (bodies: fc.Arbitrary<Buffer>, messagesMax: number): fc.Arbitrary<AppendMessagesRequest> =>
    fc.record({ topic: text, queueId: int32, messages: fc.array(messageToStore(bodies), { maxLength: messagesMax }), epoch });

  const appendBatchRequest: fc.Arbitrary<AppendBatchRequest> = fc.record({
    appends: fc.oneof(
      { weight: 4, arbitrary: fc.array(appendMessagesRequest(anyBody, 3), { maxLength: 4 }) },
      { weight: 1, arbitrary: fc.array(appendMessagesRequest(smallBody, 1), { minLength: 60, maxLength: 68 }) },
    ),
    epoch,
  });

  return { messageToStore, storedMessage, poppedMessage, popMessagesResponse, appendMessagesRequest, appendBatchRequest };
}

// --- examples ---------------------------------------------------------------------------------

/** benchMessage is a message as the proxy sends it for a 1 KiB bench send. */
export function benchMessage(i: number): MessageToStore {
  return {
    messageId: `01C0A8000100002A9F00000000000${String(i).padStart(5, '0')}`,
    tag: undefined,
    keys: [],
    userProperties: { 'bench-sent-at-ms': String(1_735_689_600_000 + i) },
    body: Buffer.alloc(1024, i),
    bodyGzipped: false,
    bornTimestampMs: 1_735_689_600_000 + i,
    bornHost: '10.0.0.12',
    kind: MessageKind.MESSAGE_KIND_NORMAL,
    messageGroup: undefined,
    deliveryTimestampMs: undefined,
    traceContext: undefined,
  };
}

/** fullMessage sets every field, the optional ones included (messageGroup to ''), with non-ASCII strings and a negative int64. */
export function fullMessage(): MessageToStore {
  return {
    messageId: '0A1B2C',
    tag: 'TagA',
    keys: ['order-1', 'customer-9', ''],
    userProperties: { region: 'eu-west', 'x-empty': '', unicode: 'héllo ✓', '': '', '7': 'seven' },
    body: Buffer.from('{"order":1,"items":["é","日本"]}'),
    bodyGzipped: true,
    bornTimestampMs: 1_700_000_000_001,
    bornHost: '10.1.2.3',
    kind: MessageKind.MESSAGE_KIND_FIFO,
    messageGroup: '',
    deliveryTimestampMs: -1,
    traceContext: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
  };
}

/** popped is `message` as a pop returns it, stored at `offset`. */
export function popped(message: MessageToStore | undefined, offset: number): PoppedMessage {
  return {
    message: { message, topic: 'orders', queueId: 3, queueOffset: offset, storeTimestampMs: 1_700_000_000_500, storeHost: 'store-a:10911' },
    deliveryAttempt: 2,
    popGeneration: 2 ** 40 + offset,
    invisibleUntilMs: 1_700_000_030_000,
  };
}

// --- mutations and hand-built bytes, for the decoder specs -----------------------------------------

/** storeMutation is wire-arbitraries' mutation, plus overwrites with this schema's varint tags (epoch, body_gzipped, kind, queue_id). */
export const storeMutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 5, arbitrary: mutation },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('set' as const), at: fc.nat({ max: 1 << 20 }), value: fc.constantFrom(0x78, 0x30, 0x48, 0x10, 0x18) }) },
);

/**
 * storeUnknownFields is wire-arbitraries' unknownFields (one of each wire type, high field
 * numbers) plus one-byte-tag fields 13 and 14, which no quiver.store.v1 message the codecs
 * cover uses either.
 */
export const storeUnknownFields: Bytes = [...unknownFields, ...varintField(14, 7), ...lenField(13, [0x0a, 0x01, 0x61])];
