import { QuiverError, QuiverErrorCode, StartPolicy, type StartPosition } from '@quiver/core';
import { limits } from '@quiver/config';
import { validateConsumerGroupName } from '@quiver/protocol';

/**
 * Consumer-group configuration (PROTOCOL.md 7.8): whether the group consumes in FIFO order,
 * how many deliveries a message gets before it goes to the group's dead-letter queue, and when
 * a failed message comes back. This module is the one place that defines the shape, Apache's
 * defaults and the validation; the name server stores it, the proxy advertises it in Settings,
 * the admin API and the CLI edit it.
 */

export const RetryPolicyKind = { Exponential: 'exponential', Customized: 'customized' } as const;
export type RetryPolicyKind = (typeof RetryPolicyKind)[keyof typeof RetryPolicyKind];

/** ExponentialRetryPolicy waits initialMs, then multiplies the wait by multiplier per attempt, up to maxMs. */
export interface ExponentialRetryPolicy {
  kind: typeof RetryPolicyKind.Exponential;
  initialMs: number;
  maxMs: number;
  multiplier: number;
}

/** CustomizedRetryPolicy waits nextMs[n - 1] before delivery n + 1; attempts past the list reuse its last step. */
export interface CustomizedRetryPolicy {
  kind: typeof RetryPolicyKind.Customized;
  nextMs: number[];
}

export type RetryPolicy = ExponentialRetryPolicy | CustomizedRetryPolicy;

export interface ConsumerGroupConfig {
  name: string;
  /** fifo: a message group's next message is handed out only after the previous one is acked. Default false. */
  fifo: boolean;
  /**
   * maxDeliveryAttempts counts deliveries, the first included: Apache's retryMaxTimes + 1.
   * Range 1..limits.groupDeliveryAttemptsMax; default 17 (16 retries).
   */
  maxDeliveryAttempts: number;
  retryPolicy: RetryPolicy;
  /**
   * startPolicy is where the group starts on queues it never consumed (PROTOCOL.md 7.2); absent:
   * the cluster's default (ClusterIdentity.defaultStartPolicy). LATEST means "as of createdAtMs".
   */
  startPolicy?: StartPolicy;
  /** startTimestampMs is the moment a TIMESTAMP start begins at; required with it, ignored otherwise. */
  startTimestampMs?: number;
  /** createdAtMs is when the group was first known: set by the name server, ignored when stored. */
  createdAtMs?: number;
}

/**
 * groupStartPosition is where `config`'s group starts on a queue it never consumed:
 * its own policy or the cluster's, LATEST and YOUNG_EARLIEST as of the moment it was first known.
 */
export function groupStartPosition(config: ConsumerGroupConfig, clusterDefault: StartPolicy): StartPosition {
  const policy = config.startPolicy ?? clusterDefault;
  switch (policy) {
    case StartPolicy.Earliest:
      return { policy };
    case StartPolicy.Timestamp:
      return { policy, atMs: config.startTimestampMs ?? 0 };
    default:
      return config.createdAtMs !== undefined ? { policy, atMs: config.createdAtMs } : { policy };
  }
}

const SECOND_MS = 1000;
const MINUTE_MS = 60 * SECOND_MS;
const HOUR_MS = 60 * MINUTE_MS;

/**
 * apacheRetryStepsMs is the retry schedule RocketMQ users know: 16 steps, 10 s before the first
 * retry up to 2 h before the 16th. Apache lists 18 delay levels from 1 s, but a retry starts at
 * its third level (reconsume times + 2), so its groups retry on exactly these.
 */
export const apacheRetryStepsMs: readonly number[] = Object.freeze([
  10 * SECOND_MS, 30 * SECOND_MS,
  1 * MINUTE_MS, 2 * MINUTE_MS, 3 * MINUTE_MS, 4 * MINUTE_MS, 5 * MINUTE_MS, 6 * MINUTE_MS,
  7 * MINUTE_MS, 8 * MINUTE_MS, 9 * MINUTE_MS, 10 * MINUTE_MS, 20 * MINUTE_MS, 30 * MINUTE_MS,
  1 * HOUR_MS, 2 * HOUR_MS,
]);

/** defaultRetryPolicy returns Apache's default group retry policy (customized, apacheRetryStepsMs). */
export function defaultRetryPolicy(): CustomizedRetryPolicy {
  return { kind: RetryPolicyKind.Customized, nextMs: [...apacheRetryStepsMs] };
}

/** defaultConsumerGroupConfig is the configuration of a group nobody configured (Apache's auto-created group). */
export function defaultConsumerGroupConfig(name: string): ConsumerGroupConfig {
  return { name, fifo: false, maxDeliveryAttempts: limits.groupDeliveryAttemptsDefault, retryPolicy: defaultRetryPolicy() };
}

/**
 * consumerGroupConfigProblem returns why `config` cannot be stored, or undefined when it is
 * valid: the group name follows Apache's rules, attempts lie in 1..groupDeliveryAttemptsMax,
 * retry delays are whole milliseconds in 1..groupRetryDelayMsMax, an exponential policy has
 * initialMs <= maxMs and a multiplier in 1..groupRetryMultiplierMax, and a customized policy
 * has 1..groupRetryStepsMax steps.
 */
export function consumerGroupConfigProblem(config: ConsumerGroupConfig): string | undefined {
  const nameProblem = validateConsumerGroupName(config.name);
  if (nameProblem) return nameProblem.message;
  if (typeof config.fifo !== 'boolean') return 'fifo must be true or false';
  if (!isIntegerIn(config.maxDeliveryAttempts, 1, limits.groupDeliveryAttemptsMax)) {
    return `maxDeliveryAttempts must be an integer in 1..${limits.groupDeliveryAttemptsMax}, got ${String(config.maxDeliveryAttempts)}`;
  }
  if (config.startPolicy !== undefined && !Object.values(StartPolicy).includes(config.startPolicy)) {
    return `startPolicy must be one of ${Object.values(StartPolicy).join(', ')}, got ${String(config.startPolicy)}`;
  }
  if (config.startPolicy === StartPolicy.Timestamp && !isIntegerIn(config.startTimestampMs, 0, Number.MAX_SAFE_INTEGER)) {
    return `a TIMESTAMP start needs startTimestampMs, milliseconds since the epoch, got ${String(config.startTimestampMs)}`;
  }
  const policy = config.retryPolicy;
  switch (policy?.kind) {
    case RetryPolicyKind.Exponential: {
      for (const field of ['initialMs', 'maxMs'] as const) {
        if (!isIntegerIn(policy[field], 1, limits.groupRetryDelayMsMax)) {
          return `retryPolicy.${field} must be an integer number of milliseconds in 1..${limits.groupRetryDelayMsMax}, got ${String(policy[field])}`;
        }
      }
      if (policy.initialMs > policy.maxMs) return `retryPolicy.initialMs (${policy.initialMs}) must not exceed retryPolicy.maxMs (${policy.maxMs})`;
      if (!(typeof policy.multiplier === 'number' && policy.multiplier >= 1 && policy.multiplier <= limits.groupRetryMultiplierMax)) {
        return `retryPolicy.multiplier must be a number in 1..${limits.groupRetryMultiplierMax}, got ${String(policy.multiplier)}`;
      }
      return undefined;
    }
    case RetryPolicyKind.Customized: {
      if (!Array.isArray(policy.nextMs) || policy.nextMs.length < 1 || policy.nextMs.length > limits.groupRetryStepsMax) {
        return `retryPolicy.nextMs must list 1..${limits.groupRetryStepsMax} delays`;
      }
      const bad = policy.nextMs.findIndex((step) => !isIntegerIn(step, 1, limits.groupRetryDelayMsMax));
      if (bad >= 0) {
        return `retryPolicy.nextMs[${bad}] must be an integer number of milliseconds in 1..${limits.groupRetryDelayMsMax}, got ${String(policy.nextMs[bad])}`;
      }
      return undefined;
    }
    default:
      return `retryPolicy.kind must be '${RetryPolicyKind.Exponential}' or '${RetryPolicyKind.Customized}'`;
  }
}

/** checkedConsumerGroupConfig returns `config` when it is valid and throws BAD_REQUEST with the problem otherwise. */
export function checkedConsumerGroupConfig(config: ConsumerGroupConfig): ConsumerGroupConfig {
  const problem = consumerGroupConfigProblem(config);
  if (problem) throw new QuiverError(QuiverErrorCode.BadRequest, `invalid consumer group ${JSON.stringify(config.name)}: ${problem}`);
  return config;
}

function isIntegerIn(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}
