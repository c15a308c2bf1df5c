/**
 * Expectations shared by the specs that compare the hand-written codecs with the generated ones:
 * same bytes for the encoders, same values and same throws for the decoders. Test support only:
 * nothing outside specs imports it.
 */

import { ServerCredentials, type Server } from '@grpc/grpc-js';

/** listenOnLoopback binds a grpc-js server to a free loopback port for the definition specs; resolves the port. */
export function listenOnLoopback(server: Server): Promise<number> {
  return new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
}

/** Shrinking counterexamples with batches of 100 messages and 64 KiB bodies can take minutes; cap it. */
export const shrinkBudget = { interruptAfterTimeLimit: 30_000, markInterruptAsFailure: true };

// --- encoders -------------------------------------------------------------------------------------

/** describeMismatch names the first differing byte, so a failure does not dump 64 KiB. */
export function describeMismatch(fast: Buffer, generated: Buffer): string {
  if (fast.equals(generated)) return 'equal';
  let at = 0;
  while (at < fast.length && at < generated.length && fast[at] === generated[at]) at++;
  return `lengths ${fast.length} vs ${generated.length}, first difference at byte ${at}`;
}

/** A generated message codec, as far as the encoder specs use it. */
export interface Encodes<T> {
  encode(value: T): { finish(): Uint8Array };
}

/**
 * expectSameBytes checks that `encode` returns a Buffer with the generated encoder's bytes, and
 * returns it. Equal bytes decode to equal values, so decoded values are not compared here (with
 * 100 bodies of up to 64 KiB, jest's byte-by-byte Buffer equality would take most of the time
 * budget; the decoder specs compare decoders).
 */
export function expectSameBytes<T>(codec: Encodes<T>, encode: (value: T) => Buffer, value: T): Buffer {
  const generatedBytes = codec.encode(value).finish();
  const fast = encode(value);
  expect(Buffer.isBuffer(fast)).toBe(true);
  expect(describeMismatch(fast, Buffer.from(generatedBytes))).toBe('equal');
  return fast;
}

// --- decoders -------------------------------------------------------------------------------------

/** A generated decoder, its hand-written counterpart, and where the decoded bodies are. */
export interface Decoders<T> {
  name: string;
  generated: (bytes: Uint8Array) => T;
  fast: (bytes: Uint8Array) => T;
  bodies: (value: T) => Buffer[];
}

export type Outcome<T> = { threw: true; error: unknown } | { threw: false; value: T };

export function outcome<T>(run: () => T): Outcome<T> {
  try {
    return { threw: false, value: run() };
  } catch (error) {
    return { threw: true, error };
  }
}

/**
 * expectSameDecoding: both throw, or neither does and the results are strictly equal (undefined
 * vs default, Buffer bodies, map objects). Returns the generated decoder's outcome.
 */
export function expectSameDecoding<T>(decoders: Decoders<T>, bytes: Uint8Array): Outcome<T> {
  const generated = outcome(() => decoders.generated(bytes));
  const fast = outcome(() => decoders.fast(bytes));
  expect(fast.threw).toBe(generated.threw);
  if (!fast.threw && !generated.threw) {
    expect(fast.value).toStrictEqual(generated.value);
    for (const body of decoders.bodies(fast.value)) expect(Buffer.isBuffer(body)).toBe(true);
  }
  return generated;
}

/** expectDecodes is expectSameDecoding for inputs the generated decoder accepts; returns its value. */
export function expectDecodes<T>(decoders: Decoders<T>, bytes: Uint8Array): T {
  const result = expectSameDecoding(decoders, bytes);
  if (result.threw) throw new Error(`the generated ${decoders.name} decoder threw`);
  return result.value;
}

export function expectBothThrow<T>(decoders: Decoders<T>, bytes: Uint8Array): void {
  expect(() => decoders.generated(bytes)).toThrow();
  expect(() => decoders.fast(bytes)).toThrow();
}

/** decoderExpectations binds the three expectations to one pair of decoders. */
export function decoderExpectations<T>(decoders: Decoders<T>): {
  expectSameDecoding: (bytes: Uint8Array) => Outcome<T>;
  expectDecodes: (bytes: Uint8Array) => T;
  expectBothThrow: (bytes: Uint8Array) => void;
} {
  return {
    expectSameDecoding: (bytes) => expectSameDecoding(decoders, bytes),
    expectDecodes: (bytes) => expectDecodes(decoders, bytes),
    expectBothThrow: (bytes) => expectBothThrow(decoders, bytes),
  };
}
