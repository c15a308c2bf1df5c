import { RetryPolicyKind, type ConsumerGroupConfig } from '@quiver/client';
import { durationFromMs } from '@quiver/protocol';
import type { Settings } from '../wire';

/** WireRetryPolicy is apache.rocketmq.v2.RetryPolicy, as Settings carries it. */
export type WireRetryPolicy = NonNullable<Settings['backoffPolicy']>;

/**
 * Multiplier advertised for a customized policy: Apache's exponential default doubles, and
 * doubling from the first step reaches Apache's last default step (2 h from 1 s) in 13 retries.
 */
const CUSTOMIZED_AS_EXPONENTIAL_MULTIPLIER = 2;

/**
 * consumerBackoffPolicy is the backoff_policy a consumer of `group` gets in its Settings reply
 * (PROTOCOL.md 6.13): max_attempts = the group's max delivery attempts, and always an
 * exponential_backoff strategy.
 *
 * Why never customized_backoff: the Node client ignores it, leaving its push retry policy unset
 * (every nack then retries at once, and FIFO max attempts falls back to 1). A customized policy
 * is therefore advertised as its exponential envelope: initial = its first step, max = its
 * last step (never below the first), multiplier 2. The server-side schedule of the group is
 * unchanged by this; only what clients are told is approximated. Java accepts either strategy.
 */
export function consumerBackoffPolicy(group: ConsumerGroupConfig): WireRetryPolicy {
  const policy = group.retryPolicy;
  const exponential =
    policy.kind === RetryPolicyKind.Exponential
      ? { initialMs: policy.initialMs, maxMs: policy.maxMs, multiplier: policy.multiplier }
      : customizedAsExponential(policy.nextMs);
  return {
    maxAttempts: group.maxDeliveryAttempts,
    strategy: {
      $case: 'exponentialBackoff',
      value: { initial: durationFromMs(exponential.initialMs), max: durationFromMs(exponential.maxMs), multiplier: exponential.multiplier },
    },
  };
}

function customizedAsExponential(nextMs: readonly number[]): { initialMs: number; maxMs: number; multiplier: number } {
  // The name server refuses an empty list; the fallback keeps a corrupt record from crashing a stream.
  const initialMs = nextMs[0] ?? 1000;
  const lastMs = nextMs[nextMs.length - 1] ?? initialMs;
  return { initialMs, maxMs: Math.max(initialMs, lastMs), multiplier: CUSTOMIZED_AS_EXPONENTIAL_MULTIPLIER };
}
