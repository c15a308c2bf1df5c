import fc from 'fast-check';
import { durationFromMs, durationToMs, timestampFromMs, timestampToMs } from './durations';

describe('durations - Duration', () => {
  it.each([
    [0, { seconds: 0, nanos: 0 }],
    [1, { seconds: 0, nanos: 1_000_000 }],
    [30_000, { seconds: 30, nanos: 0 }],
    [1_500, { seconds: 1, nanos: 500_000_000 }],
    [-1_500, { seconds: -1, nanos: -500_000_000 }],
    [-1, { seconds: 0, nanos: -1_000_000 }],
  ])('duration - %d ms is %j', (ms, duration) => {
    expect(durationFromMs(ms)).toStrictEqual(duration);
    expect(durationToMs(duration)).toBe(ms);
  });

  it('duration - sub-millisecond nanos are truncated', () => {
    expect(durationToMs({ seconds: 2, nanos: 999_999 })).toBe(2000);
    expect(durationToMs({ seconds: 0, nanos: 20_000_000 })).toBe(20);
  });

  it('duration - round-trips any whole millisecond count (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 45), max: 2 ** 45 }), (ms) => {
        const duration = durationFromMs(ms);
        expect(Math.sign(duration.seconds) * Math.sign(duration.nanos)).not.toBe(-1);
        expect(Math.abs(duration.nanos)).toBeLessThan(1_000_000_000);
        expect(durationToMs(duration)).toBe(ms);
      }),
    );
  });
});

describe('durations - Timestamp', () => {
  it.each([
    [0, { seconds: 0, nanos: 0 }],
    [1_694_586_659_123, { seconds: 1_694_586_659, nanos: 123_000_000 }],
    [-1, { seconds: -1, nanos: 999_000_000 }],
  ])('timestamp - %d ms is %j', (ms, timestamp) => {
    expect(timestampFromMs(ms)).toStrictEqual(timestamp);
    expect(timestampToMs(timestamp)).toBe(ms);
  });

  it('timestamp - round-trips any whole millisecond instant (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 45), max: 2 ** 45 }), (ms) => {
        const timestamp = timestampFromMs(ms);
        expect(timestamp.nanos).toBeGreaterThanOrEqual(0);
        expect(timestampToMs(timestamp)).toBe(ms);
      }),
    );
  });
});
