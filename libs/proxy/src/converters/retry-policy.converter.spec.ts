import { defaultConsumerGroupConfig, type ConsumerGroupConfig } from '@quiver/client';
import { consumerBackoffPolicy } from './retry-policy.converter';

const seconds = (value: number): { seconds: number; nanos: number } => ({ seconds: value, nanos: 0 });

describe('retry policy converter - what consumers are told in Settings', () => {
  it('backoff - a group never configured gets 17 attempts and Apache\'s schedule as exponential 10 s .. 2 h, x2', () => {
    expect(consumerBackoffPolicy(defaultConsumerGroupConfig('g'))).toEqual({
      maxAttempts: 17,
      strategy: { $case: 'exponentialBackoff', value: { initial: seconds(10), max: seconds(7200), multiplier: 2 } },
    });
  });

  it('backoff - an exponential policy is sent as configured, with the group\'s max delivery attempts', () => {
    const group: ConsumerGroupConfig = { name: 'g', fifo: true, maxDeliveryAttempts: 5, retryPolicy: { kind: 'exponential', initialMs: 1_500, maxMs: 30_000, multiplier: 3 } };
    expect(consumerBackoffPolicy(group)).toEqual({
      maxAttempts: 5,
      strategy: { $case: 'exponentialBackoff', value: { initial: { seconds: 1, nanos: 500_000_000 }, max: seconds(30), multiplier: 3 } },
    });
  });

  it('backoff - a customized policy whose last step is shorter than its first never advertises max below initial', () => {
    const group: ConsumerGroupConfig = { name: 'g', fifo: false, maxDeliveryAttempts: 3, retryPolicy: { kind: 'customized', nextMs: [10_000, 2_000] } };
    const strategy = consumerBackoffPolicy(group).strategy;
    expect(strategy?.$case).toBe('exponentialBackoff');
    expect(strategy?.value).toEqual({ initial: seconds(10), max: seconds(10), multiplier: 2 });
  });
});
