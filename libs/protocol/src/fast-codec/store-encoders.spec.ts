/**
 * The hand-written store-hop encoders must produce exactly the bytes of the generated ts-proto
 * encoders, for arbitrary valid values (int64 and uint64 beyond 2^53 included), and throw for
 * the values the generated encoders throw for.
 */
import fc from 'fast-check';
import { AppendBatchRequest, type MessageToStore, PopMessagesResponse } from '../gen/quiver/store/v1/store';
import { encodeAppendBatchRequest, encodePopMessagesResponse } from './store-encoders';
import { benchMessage, fullMessage, popped, storeValues, wideInt64, wideUint64 } from './store-arbitraries';
import { describeMismatch, type Encodes, expectSameBytes as expectSameEncoding, shrinkBudget } from './spec-support';

type Outcome = { threw: true } | { threw: false; bytes: Buffer };

function outcome(encode: () => Uint8Array): Outcome {
  try {
    return { threw: false, bytes: Buffer.from(encode()) };
  } catch {
    return { threw: true };
  }
}

/** expectSameOutcome: both throw, or neither does and the bytes are equal. */
function expectSameOutcome<T>(codec: Encodes<T>, encode: (value: T) => Buffer, value: T): Outcome {
  const generated = outcome(() => codec.encode(value).finish());
  const fast = outcome(() => encode(value));
  expect(fast.threw).toBe(generated.threw);
  if (!fast.threw && !generated.threw) expect(describeMismatch(fast.bytes, generated.bytes)).toBe('equal');
  return generated;
}

// --- examples ---------------------------------------------------------------------------------

/** minimalMessage has every field at its default: it encodes to zero bytes. */
function minimalMessage(): MessageToStore {
  return { messageId: '', keys: [], userProperties: {}, body: Buffer.alloc(0), bodyGzipped: false, bornTimestampMs: 0, bornHost: '', kind: 0 };
}

const wide = storeValues({ int64: wideInt64, uint64: wideUint64 });

describe('encodeAppendBatchRequest', () => {
  it('encodes a bench batch of 64 appends of one 1 KiB message like the generated encoder', () => {
    const request: AppendBatchRequest = {
      appends: Array.from({ length: 64 }, (_, i) => ({ topic: 'bench_send_64', queueId: i % 8, messages: [benchMessage(i)], epoch: 0 })),
      epoch: 0,
    };
    expectSameEncoding(AppendBatchRequest, encodeAppendBatchRequest, request);
  });

  it('encodes the empty batch, empty appends and all-default messages like the generated encoder', () => {
    expect(expectSameEncoding(AppendBatchRequest, encodeAppendBatchRequest, { appends: [], epoch: 0 }).length).toBe(0);
    const bytes = expectSameEncoding(AppendBatchRequest, encodeAppendBatchRequest, {
      appends: [
        { topic: '', queueId: 0, messages: [], epoch: 0 },
        { topic: '', queueId: 0, messages: [minimalMessage(), minimalMessage()], epoch: 0 },
      ],
      epoch: 0,
    });
    // Two appends: an empty one, and one holding two zero-length messages.
    expect([...bytes]).toEqual([0x0a, 0x00, 0x0a, 0x04, 0x1a, 0x00, 0x1a, 0x00]);
  });

  it('writes every optional field when present, even empty, and none when absent or undefined', () => {
    const absent = { ...fullMessage() } as Partial<MessageToStore>;
    delete absent.tag;
    delete absent.messageGroup;
    delete absent.deliveryTimestampMs;
    delete absent.traceContext;
    const explicit: MessageToStore = { ...fullMessage(), tag: undefined, messageGroup: undefined, deliveryTimestampMs: undefined, traceContext: undefined };
    const empty: MessageToStore = { ...fullMessage(), tag: '', messageGroup: '', deliveryTimestampMs: 0, traceContext: '' };
    for (const message of [absent as MessageToStore, explicit, empty, fullMessage()]) {
      expectSameEncoding(AppendBatchRequest, encodeAppendBatchRequest, { appends: [{ topic: 't', queueId: 1, messages: [message], epoch: 0 }], epoch: 0 });
    }
    expect(encodeAppendBatchRequest({ appends: [{ topic: '', queueId: 0, messages: [explicit], epoch: 0 }], epoch: 0 }).length).toBeLessThan(
      encodeAppendBatchRequest({ appends: [{ topic: '', queueId: 0, messages: [empty], epoch: 0 }], epoch: 0 }).length,
    );
  });

  it('writes epochs, int64 and int32 values across the varint sizes, beyond 2^53 included', () => {
    const epochs = [1, 127, 128, 2 ** 28 - 1, 2 ** 28, 2 ** 35, 2 ** 42, 2 ** 49, 2 ** 53 - 1, 2 ** 53, 2 ** 56, 2 ** 63, 2 ** 64 - 2048];
    for (const epoch of epochs) {
      expectSameEncoding(AppendBatchRequest, encodeAppendBatchRequest, { appends: [{ topic: 't', queueId: -1, messages: [], epoch }], epoch });
    }
    const int64s = [...epochs.filter((value) => value < 2 ** 63), -1, -(2 ** 31), -(2 ** 32), Number.MIN_SAFE_INTEGER, -(2 ** 53), -(2 ** 63), 2 ** 63 - 1024];
    for (const value of int64s) {
      const message: MessageToStore = { ...minimalMessage(), bornTimestampMs: value, deliveryTimestampMs: value, kind: -1 };
      expectSameEncoding(AppendBatchRequest, encodeAppendBatchRequest, { appends: [{ topic: '', queueId: 2 ** 31 - 1, messages: [message], epoch: 0 }], epoch: 0 });
    }
  });

  it('writes a large body, and a body that is a view of a larger buffer, like the generated encoder', () => {
    const backing = Buffer.alloc(300_000, 7);
    const view = backing.subarray(100, 200_100);
    const plain = new Uint8Array(70_000).fill(3);
    expectSameEncoding(AppendBatchRequest, encodeAppendBatchRequest, {
      appends: [{ topic: 't', queueId: 0, messages: [{ ...minimalMessage(), body: view }, { ...minimalMessage(), body: plain as Buffer }], epoch: 0 }],
      epoch: 0,
    });
  });

  it('rejects the values the generated encoder rejects', () => {
    const append = (patch: Partial<MessageToStore>, queueId = 0, epoch = 0): AppendBatchRequest => ({
      appends: [{ topic: 't', queueId, messages: [{ ...minimalMessage(), ...patch }], epoch }],
      epoch: 0,
    });
    const bad: AppendBatchRequest[] = [
      append({}, 2 ** 31),
      append({}, -(2 ** 31) - 1),
      append({}, 1.5),
      append({ kind: 2 ** 31 }),
      append({ bornTimestampMs: 1.5 }),
      append({ bornTimestampMs: 2 ** 63 }),
      append({ deliveryTimestampMs: -(2 ** 64) }),
      append({ bornTimestampMs: Number.NaN }),
      append({ deliveryTimestampMs: Number.POSITIVE_INFINITY }),
      append({}, 0, -1),
      append({}, 0, 2 ** 64),
      append({}, 0, 0.5),
      { appends: [], epoch: -5 },
      { appends: [], epoch: Number.NaN },
    ];
    for (const value of bad) {
      expect(() => AppendBatchRequest.encode(value).finish()).toThrow();
      expect(() => encodeAppendBatchRequest(value)).toThrow();
    }
  });

  it('returns independent buffers: a later encode does not change an earlier result', () => {
    const first = encodeAppendBatchRequest({ appends: [{ topic: 'first', queueId: 0, messages: [benchMessage(1)], epoch: 0 }], epoch: 0 });
    const copy = Buffer.from(first);
    encodeAppendBatchRequest({ appends: [{ topic: 'second', queueId: 1, messages: [benchMessage(2)], epoch: 0 }], epoch: 0 });
    expect(first.equals(copy)).toBe(true);
  });

  it('matches the generated encoder on arbitrary valid values', () => {
    fc.assert(
      fc.property(wide.appendBatchRequest, (value) => {
        expectSameEncoding(AppendBatchRequest, encodeAppendBatchRequest, value);
      }),
      { numRuns: 300, ...shrinkBudget },
    );
  });

  it('throws iff the generated encoder throws on out-of-range numbers', () => {
    // Valid values weigh more, so that all four are valid in about a quarter of the runs.
    const number = fc.oneof(
      { weight: 3, arbitrary: fc.integer({ min: 0, max: 2 ** 31 - 1 }) },
      fc.integer(),
      fc.double(),
      fc.constantFrom(0, -0, 2 ** 31, -(2 ** 31) - 1, 2 ** 53, 2 ** 63, -(2 ** 63), 2 ** 64, -(2 ** 64), Number.NaN, Infinity, -Infinity),
    );
    const seen = { threw: 0, encoded: 0 };
    fc.assert(
      fc.property(number, number, number, number, (queueId, bornTimestampMs, kind, epoch) => {
        const message: MessageToStore = { ...minimalMessage(), bornTimestampMs, kind };
        const result = expectSameOutcome(AppendBatchRequest, encodeAppendBatchRequest, { appends: [{ topic: 't', queueId, messages: [message], epoch }], epoch: 0 });
        seen[result.threw ? 'threw' : 'encoded']++;
      }),
      { numRuns: 2000, ...shrinkBudget },
    );
    // Both outcomes are exercised, not just one.
    expect(seen.threw).toBeGreaterThan(50);
    expect(seen.encoded).toBeGreaterThan(50);
  });
});

describe('encodePopMessagesResponse', () => {
  it('encodes a bench pop of 32 messages of 1 KiB like the generated encoder', () => {
    const value: PopMessagesResponse = { messages: Array.from({ length: 32 }, (_, i) => popped(benchMessage(i), 1_000 + i)), deadLettered: 0 };
    expectSameEncoding(PopMessagesResponse, encodePopMessagesResponse, value);
  });

  it('encodes empty responses, absent sub-messages and all-default messages like the generated encoder', () => {
    expect(expectSameEncoding(PopMessagesResponse, encodePopMessagesResponse, { messages: [], deadLettered: 0 }).length).toBe(0);
    expectSameEncoding(PopMessagesResponse, encodePopMessagesResponse, { messages: [], deadLettered: 3 });
    expectSameEncoding(PopMessagesResponse, encodePopMessagesResponse, { messages: [], deadLettered: -3 });
    const bytes = expectSameEncoding(PopMessagesResponse, encodePopMessagesResponse, {
      messages: [
        { deliveryAttempt: 0, popGeneration: 0, invisibleUntilMs: 0 },
        { message: undefined, deliveryAttempt: 0, popGeneration: 0, invisibleUntilMs: 0 },
        { message: { topic: '', queueId: 0, queueOffset: 0, storeTimestampMs: 0, storeHost: '' }, deliveryAttempt: 0, popGeneration: 0, invisibleUntilMs: 0 },
        popped(minimalMessage(), 0),
      ],
      deadLettered: 0,
    });
    expect([...bytes.subarray(0, 8)]).toEqual([0x0a, 0x00, 0x0a, 0x00, 0x0a, 0x02, 0x0a, 0x00]);
    expectSameEncoding(PopMessagesResponse, encodePopMessagesResponse, { messages: [popped(undefined, 1), popped(fullMessage(), 2)], deadLettered: 1 });
  });

  it('writes int64 values beyond 2^53 and negative ones like the generated encoder', () => {
    for (const value of [2 ** 53, 2 ** 60, 2 ** 63 - 1024, -1, -(2 ** 53), -(2 ** 63)]) {
      const message = popped(fullMessage(), value);
      message.popGeneration = value;
      // -(2^63) has no positive counterpart in int64; 2^63 - 1024 is the largest double below 2^63.
      message.invisibleUntilMs = value === -(2 ** 63) ? 2 ** 63 - 1024 : -value;
      message.message!.storeTimestampMs = value;
      expectSameEncoding(PopMessagesResponse, encodePopMessagesResponse, { messages: [message], deadLettered: 0 });
    }
  });

  it('writes 64 KiB and larger bodies like the generated encoder', () => {
    const big = Buffer.from(Uint8Array.from({ length: 1 << 20 }, (_, i) => (i * 31) & 0xff));
    expectSameEncoding(PopMessagesResponse, encodePopMessagesResponse, {
      messages: [popped({ ...fullMessage(), body: big }, 1), popped({ ...fullMessage(), body: big.subarray(5, 65_541) }, 2)],
      deadLettered: 0,
    });
  });

  it('rejects the values the generated encoder rejects', () => {
    const bad: PopMessagesResponse[] = [
      { messages: [], deadLettered: 2 ** 31 },
      { messages: [{ ...popped(minimalMessage(), 1), deliveryAttempt: 1.5 }], deadLettered: 0 },
      { messages: [{ ...popped(minimalMessage(), 1), popGeneration: 2 ** 63 }], deadLettered: 0 },
      { messages: [{ ...popped(minimalMessage(), 1), invisibleUntilMs: Number.NaN }], deadLettered: 0 },
      { messages: [popped({ ...minimalMessage(), bornTimestampMs: 0.25 }, 1)], deadLettered: 0 },
    ];
    const badStored = popped(minimalMessage(), 1);
    badStored.message!.queueId = 2 ** 32;
    bad.push({ messages: [badStored], deadLettered: 0 });
    for (const value of bad) {
      expect(() => PopMessagesResponse.encode(value).finish()).toThrow();
      expect(() => encodePopMessagesResponse(value)).toThrow();
    }
  });

  it('matches the generated encoder on arbitrary valid values', () => {
    fc.assert(
      fc.property(wide.popMessagesResponse, (value) => {
        expectSameEncoding(PopMessagesResponse, encodePopMessagesResponse, value);
      }),
      { numRuns: 300, ...shrinkBudget },
    );
  });
});
