/**
 * fast-check arbitraries of apache.rocketmq.v2 values, shared by the specs that compare the
 * hand-written codecs with the generated ones. Test support only: nothing outside specs imports it.
 */
import fc from 'fast-check';
import type { Message, SystemProperties } from '../gen/apache/rocketmq/v2/definition';
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
