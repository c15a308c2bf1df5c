/**
 * Conversions between milliseconds and the generated `google.protobuf.Duration` and
 * `google.protobuf.Timestamp` shapes (`{ seconds: number; nanos: number }`: ts-proto with
 * useDate=false and forceLong=number). Sub-millisecond precision is dropped on the way to
 * milliseconds; the wire carries it but nothing in RocketMQ uses it.
 */
import type { Duration } from './gen/google/protobuf/duration';
import type { Timestamp } from './gen/google/protobuf/timestamp';

const nanosPerMs = 1_000_000;
const msPerSecond = 1000;

/**
 * durationFromMs converts a millisecond count, possibly negative, to a Duration. As the proto
 * requires, `seconds` and `nanos` carry the same sign.
 */
export function durationFromMs(ms: number): Duration {
  const wholeMs = Math.trunc(ms);
  const seconds = Math.trunc(wholeMs / msPerSecond);
  const nanos = (wholeMs - seconds * msPerSecond) * nanosPerMs;
  // Adding 0 turns -0 (from truncating a small negative) into 0.
  return { seconds: seconds + 0, nanos: nanos + 0 };
}

/** durationToMs converts a Duration to whole milliseconds, truncating toward zero. */
export function durationToMs(duration: Duration): number {
  return duration.seconds * msPerSecond + Math.trunc(duration.nanos / nanosPerMs);
}

/** timestampFromMs converts milliseconds since the Unix epoch to a Timestamp (`nanos` is never negative). */
export function timestampFromMs(ms: number): Timestamp {
  const wholeMs = Math.floor(ms);
  const seconds = Math.floor(wholeMs / msPerSecond);
  return { seconds, nanos: (wholeMs - seconds * msPerSecond) * nanosPerMs };
}

/** timestampToMs converts a Timestamp to whole milliseconds since the Unix epoch, rounding down. */
export function timestampToMs(timestamp: Timestamp): number {
  return timestamp.seconds * msPerSecond + Math.floor(timestamp.nanos / nanosPerMs);
}
