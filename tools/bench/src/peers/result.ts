import * as hdr from 'hdr-histogram-js';

/** One workload's figures for one system (Quiver or a peer broker). */
export interface Result {
  /** system is `quiver` or a peer's name (`redis`, `rabbitmq`, `nats`). */
  system: string;
  workload: string;
  messages: number;
  seconds: number;
  perSecond: number;
  latencyMs?: { p50: number; p99: number; p999: number; max: number };
  /** serverCpuSecondsPerMillion is the server processes' CPU time per million messages. */
  serverCpuSecondsPerMillion?: number;
  serverRssMiB?: number;
}

export const MESSAGE_BYTES = 1024;
export const WINDOW = 64;

/** histogram records microseconds up to 10 minutes (a late delay message must still fit). */
export function histogram(): hdr.Histogram {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3 });
}

/**
 * latencyOf reads the percentiles in ms. HDR reports a percentile as the top of its bucket, up
 * to 0.1% above any recorded value, so each is capped at the exact maximum it cannot exceed.
 */
export function latencyOf(recorded: hdr.Histogram): Result['latencyMs'] {
  const ms = (us: number): number => Math.round(us) / 1000;
  const at = (percentile: number): number => ms(Math.min(recorded.getValueAtPercentile(percentile), recorded.maxValue));
  return { p50: at(50), p99: at(99), p999: at(99.9), max: ms(recorded.maxValue) };
}

export function progress(label: string, done: number, total: number): void {
  if (!process.stderr.isTTY) return;
  const width = 30;
  const filled = Math.min(width, Math.round((done / Math.max(1, total)) * width));
  process.stderr.write(`\r${label.padEnd(22)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`);
  if (done >= total) process.stderr.write('\n');
}

/** withTimeout rejects when `promise` has not settled within `ms`, so no single call can hang a loop. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Longest a single send or receive call may take before the workload fails. */
export const CALL_TIMEOUT_MS = 30_000;

/**
 * closedLoopSend keeps `inFlight` sends outstanding until `count` were sent or `budgetMs` ran
 * out, and records each send's latency (start of the call to its durable acknowledgement).
 */
export async function closedLoopSend(
  system: string,
  workload: string,
  count: number,
  inFlight: number,
  budgetMs: number,
  send: (body: Buffer) => Promise<unknown>,
): Promise<Result> {
  const recorded = histogram();
  const body = Buffer.alloc(MESSAGE_BYTES, 0x61);
  const deadline = Date.now() + budgetMs;
  const label = `${system} ${workload}`;
  let next = 0;
  let done = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < count && Date.now() < deadline) {
        next++;
        const t0 = process.hrtime.bigint();
        await withTimeout(send(body), CALL_TIMEOUT_MS, `${label} send`);
        recorded.recordValue(Number(process.hrtime.bigint() - t0) / 1000);
        done++;
        if (done % 500 === 0) progress(label, done, count);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  progress(label, count, count);
  return { system, workload, messages: done, seconds, perSecond: done / seconds, latencyMs: latencyOf(recorded) };
}

/**
 * Claims shares `count` messages among concurrent receivers: each asks for at most what no other
 * receiver has asked for yet, so the last receivers do not sit out a long poll waiting for
 * messages that another receiver is already fetching (that tail would count as consume time).
 */
export class Claims {
  private claimed = 0;

  constructor(private readonly count: number) {}

  /** take claims up to `max` messages; 0 means every message is claimed. */
  take(max: number): number {
    const granted = Math.max(0, Math.min(max, this.count - this.claimed));
    this.claimed += granted;
    return granted;
  }

  /** giveBack returns claimed messages that a receive did not bring. */
  giveBack(unused: number): void {
    this.claimed -= Math.max(0, Math.min(unused, this.claimed));
  }
}
