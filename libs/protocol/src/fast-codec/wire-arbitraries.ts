/**
 * fast-check arbitraries of apache.rocketmq.v2 values, shared by the specs that compare the
 * hand-written codecs with the generated ones. Test support only: nothing outside specs imports it.
 */
import fc from 'fast-check';
import type { Message, Resource, Status, SystemProperties } from '../gen/apache/rocketmq/v2/definition';
import type { AckMessageEntry, ReceiveMessageResponse } from '../gen/apache/rocketmq/v2/service';
import type { Duration } from '../gen/google/protobuf/duration';
import type { Timestamp } from '../gen/google/protobuf/timestamp';

const int32Min = -(2 ** 31);
const int32Max = 2 ** 31 - 1;
/** largeBodyMax is the largest generated body. */
export const largeBodyMax = 64 * 1024;

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((unit) => String.fromCharCode(unit));
export const text: fc.Arbitrary<string> = fc.oneof(
  fc.constant(''),
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.string({ unit: 'binary-ascii', maxLength: 20 }),
  fc.string({ unit: 'grapheme', maxLength: 10 }),
  // Longer than the codecs' short-string paths, ASCII and not.
  fc.string({ minLength: 14, maxLength: 300 }),
  fc.string({ unit: 'binary', minLength: 60, maxLength: 200 }),
  fc.string({ unit: fc.oneof(fc.string({ minLength: 1, maxLength: 1 }), loneSurrogate), maxLength: 80 }),
  // TextDecoder drops a leading BOM; decoders must agree on that.
  fc.string({ maxLength: 10 }).map((rest) => `\uFEFF${rest}`),
);
export const int32 = fc.oneof(fc.integer({ min: int32Min, max: int32Max }), fc.integer({ min: -3, max: 300 }));
export const enumValue = fc.integer({ min: -1, max: 20 });
export const int64 = fc.oneof(
  fc.integer({ min: -3, max: 300 }),
  fc.integer({ min: int32Min, max: int32Max }),
  fc.maxSafeInteger(),
  fc.constantFrom(2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 35 + 7, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, -(2 ** 32), -(2 ** 52)),
);
export const time: fc.Arbitrary<Timestamp | Duration> = fc.record({ seconds: int64, nanos: int32 });
export const optional = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(arb, { nil: undefined, freq: 3 });

/** Large bodies are filled from a seed: generating 64 KiB byte by byte would be slow. */
export const body: fc.Arbitrary<Buffer> = fc.oneof(
  { weight: 6, arbitrary: fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes)) },
  {
    weight: 1,
    arbitrary: fc.record({ length: fc.integer({ min: 0, max: largeBodyMax }), seed: fc.integer({ min: 0, max: 255 }) }).map(
      ({ length, seed }) => Buffer.from(Uint8Array.from({ length }, (_, i) => (i * 31 + seed) & 0xff)),
    ),
  },
);

export const systemProperties: fc.Arbitrary<SystemProperties> = fc.record(
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

/** wireMessage generates Messages whose user property keys also come from `propertyKeys`. */
export function wireMessage(propertyKeys: readonly string[]): fc.Arbitrary<Message> {
  const userProperties = fc.dictionary(fc.oneof(text, fc.constantFrom(...propertyKeys)), text, { maxKeys: 6 });
  return fc.record(
    {
      topic: optional(fc.record({ resourceNamespace: text, name: text })),
      userProperties,
      systemProperties: optional(systemProperties),
      body,
    },
    { requiredKeys: ['userProperties', 'body'] },
  );
}

export const resource: fc.Arbitrary<Resource> = fc.record({ resourceNamespace: text, name: text });
export const status: fc.Arbitrary<Status> = fc.record({ code: enumValue, message: text });

/** ackMessageEntry: liteTopic may be absent, undefined or set (even to ''). */
export const ackMessageEntry: fc.Arbitrary<AckMessageEntry> = fc.record(
  { messageId: text, receiptHandle: text, liteTopic: optional(text) },
  { requiredKeys: ['messageId', 'receiptHandle'] },
);

/** receiveMessageResponse generates every branch of the frame's `content` oneof, and none. */
export function receiveMessageResponse(message: fc.Arbitrary<Message>): fc.Arbitrary<ReceiveMessageResponse> {
  return fc.oneof(
    fc.constant({}),
    fc.constant({ content: undefined }),
    status.map((value) => ({ content: { $case: 'status' as const, value } })),
    { weight: 4, arbitrary: message.map((value) => ({ content: { $case: 'message' as const, value } })) },
    time.map((value) => ({ content: { $case: 'deliveryTimestamp' as const, value } })),
  );
}

// --- mutations of valid encodings, for the decoder specs -----------------------------------------

/** A mutation applied to a valid encoding: flips, overwrites, inserts, deletes, truncates. */
export type Mutation =
  | { kind: 'xor'; at: number; mask: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'insert'; at: number; bytes: number[] }
  | { kind: 'delete'; at: number; count: number }
  | { kind: 'truncate'; at: number };

const mutationPosition = fc.nat({ max: 1 << 20 });
/** The `set` values are tags, wire types, varint bytes and UTF-8 lead and BOM bytes. */
export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('xor' as const), at: mutationPosition, mask: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant('set' as const), at: mutationPosition, value: fc.constantFrom(0x00, 0x04, 0x0c, 0x0b, 0x07, 0x06, 0x7f, 0x80, 0xff, 0xef, 0xbb, 0xbf, 0xc3) }),
  fc.record({ kind: fc.constant('insert' as const), at: mutationPosition, bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 6 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: mutationPosition, count: fc.integer({ min: 1, max: 6 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: mutationPosition }),
);

/** mutate applies `mutations` in order to a copy of `input`; positions wrap around its length. */
export function mutate(input: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  let bytes = Array.from(input);
  for (const change of mutations) {
    const at = bytes.length === 0 ? 0 : change.at % (bytes.length + (change.kind === 'insert' || change.kind === 'truncate' ? 1 : 0));
    switch (change.kind) {
      case 'xor':
        if (bytes.length > 0) bytes[at] = bytes[at]! ^ change.mask;
        break;
      case 'set':
        if (bytes.length > 0) bytes[at] = change.value;
        break;
      case 'insert':
        bytes.splice(at, 0, ...change.bytes);
        break;
      case 'delete':
        bytes.splice(at, change.count);
        break;
      case 'truncate':
        bytes = bytes.slice(0, at);
        break;
    }
  }
  return Uint8Array.from(bytes);
}

// --- hand-built protobuf bytes ---------------------------------------------------------------------

export type Bytes = number[];
/** varintBytes is the varint of a value as a uint64 (negatives take ten bytes). */
export const varintBytes = (value: number | bigint): Bytes => {
  let rest = BigInt.asUintN(64, BigInt(value));
  const out: Bytes = [];
  while (rest > 0x7fn) {
    out.push(Number(rest & 0x7fn) | 0x80);
    rest >>= 7n;
  }
  out.push(Number(rest));
  return out;
};
export const tag = (field: number, wireType: number): Bytes => varintBytes(field * 8 + wireType);
export const varintField = (field: number, value: number | bigint): Bytes => [...tag(field, 0), ...varintBytes(value)];
export const lenField = (field: number, payload: Bytes): Bytes => [...tag(field, 2), ...varintBytes(payload.length), ...payload];
export const utf8 = (value: string): Bytes => [...Buffer.from(value, 'utf8')];
export const strField = (field: number, value: string): Bytes => lenField(field, utf8(value));
export const bytesOf = (...parts: Bytes[]): Buffer => Buffer.from(parts.flat());

/** One of each wire type, field numbers chosen to be unknown in every apache.rocketmq.v2 message the codecs cover. */
export const unknownFields: Bytes = [
  ...varintField(99, 300),
  ...varintField(98, -1),
  ...tag(97, 1), 1, 2, 3, 4, 5, 6, 7, 8,
  ...lenField(96, [1, 2, 3]),
  ...tag(95, 5), 9, 9, 9, 9,
  ...tag(94, 3), ...varintField(1, 5), ...tag(93, 3), ...strField(2, 'x'), ...tag(93, 4), ...tag(94, 4),
  ...lenField(0, [7, 7]),
];

/** timeWithUnknownFields is a Timestamp or Duration of 5 s and 6 ns with unknownFields between its fields. */
export const timeWithUnknownFields: Bytes = [...varintField(1, 5), ...unknownFields, ...varintField(2, 6)];

/**
 * messageWithUnknownFields is the fields of a v2 Message with unknownFields at every level
 * (topic, a map entry, SystemProperties and its digest, timestamps and dead letter queue); its
 * invisible duration is 5 s and 6 ns.
 */
export const messageWithUnknownFields: Bytes = [
  ...unknownFields,
  ...lenField(1, [...strField(1, 'ns'), ...unknownFields, ...strField(2, 'topic')]),
  ...lenField(2, [...unknownFields, ...strField(1, 'k'), ...unknownFields, ...strField(2, 'v')]),
  ...lenField(3, [
    ...unknownFields,
    ...strField(1, 'tag'),
    ...lenField(4, [...varintField(1, 1), ...unknownFields, ...strField(2, 'sum')]),
    ...lenField(7, timeWithUnknownFields),
    ...lenField(15, timeWithUnknownFields),
    ...lenField(20, [...unknownFields, ...strField(1, 'dlq'), ...strField(2, 'mid')]),
    ...unknownFields,
  ]),
  ...lenField(4, [1, 2, 3]),
];

/** nestedGroups is a group (field 50) holding `depth` nested groups (field 51). */
export const nestedGroups = (depth: number): Bytes => [
  ...tag(50, 3),
  ...Array.from({ length: depth }, () => tag(51, 3)).flat(),
  ...Array.from({ length: depth }, () => tag(51, 4)).flat(),
  ...tag(50, 4),
];

/** utf8Samples are string payloads the non-fatal TextDecoder treats specially (BOMs, invalid and truncated sequences), and ASCII. */
export const utf8Samples: readonly Bytes[] = [
  [0xef, 0xbb, 0xbf, 0x61], [0xef, 0xbb, 0xbf], [0x61, 0xef, 0xbb, 0xbf], [0xff], [0xc3], [0xc3, 0x28], [0xe2, 0x82], [0xed, 0xa0, 0x80],
  [0xf0, 0x9f, 0x98, 0x80], [0xf4, 0x90, 0x80, 0x80], [0x80, 0x80, 0x61], [0xc0, 0xaf], utf8('plain ascii longer than sixteen bytes'),
  [0x61, 0x00, 0x62], [0x7f],
];

/** safeInt64Edges are int64 values longToNumber accepts, at the edges of the 32- and 53-bit ranges. */
export const safeInt64Edges: readonly bigint[] = [0n, 1n, -1n, 2n ** 31n, -(2n ** 31n), 2n ** 32n, -(2n ** 32n), 2n ** 53n - 1n, -(2n ** 53n) + 1n, -(2n ** 53n) + 2n ** 32n];
/** unsafeInt64Edges are int64 values longToNumber refuses: one past the safe range, and far beyond. */
export const unsafeInt64Edges: readonly bigint[] = [2n ** 53n, -(2n ** 53n), 2n ** 63n - 1n, -(2n ** 63n), 2n ** 60n, -(2n ** 53n) - 1n];
