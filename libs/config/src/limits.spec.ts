import { limits } from './limits';

describe('limits - relationships the system depends on', () => {
  it('a max-size body fits in one send request and in one gRPC message', () => {
    expect(limits.sendRequestBodyBytesMax).toBeGreaterThanOrEqual(limits.messageBodyBytesMax);
    expect(limits.grpcReceiveMessageBytesMax).toBeGreaterThan(limits.sendRequestBodyBytesMax);
  });

  it('one HTTP/2 session can buffer several max-size requests', () => {
    expect(limits.grpcSessionMemoryMiBMax * 1024 * 1024).toBeGreaterThanOrEqual(4 * limits.grpcReceiveMessageBytesMax);
  });

  it('long polling bounds are ordered and leave room for the deadline margin', () => {
    expect(limits.longPollingTimeoutMsMin).toBeLessThan(limits.longPollingTimeoutMsMax);
    expect(limits.longPollingDeadlineMarginMs).toBeLessThan(limits.longPollingTimeoutMsMin);
  });

  it('receive invisible durations are ordered and auto-renew time lies within them', () => {
    expect(limits.receiveInvisibleDurationMsMin).toBeLessThan(limits.invisibleDurationMsMax);
    expect(limits.autoRenewInvisibleDurationMs).toBeGreaterThanOrEqual(limits.receiveInvisibleDurationMsMin);
  });

  it('store nodes heartbeat several times within their registration timeout', () => {
    expect(limits.storeNodeHeartbeatIntervalMs * 3).toBeLessThanOrEqual(limits.storeNodeRegistrationTimeoutMs);
  });

  it('group delivery attempts default lies within its bound, and retry delays fit an invisible duration', () => {
    expect(limits.groupDeliveryAttemptsDefault).toBeGreaterThanOrEqual(1);
    expect(limits.groupDeliveryAttemptsDefault).toBeLessThanOrEqual(limits.groupDeliveryAttemptsMax);
    expect(limits.groupRetryDelayMsMax).toBeLessThanOrEqual(limits.invisibleDurationMsMax);
    expect(limits.groupRetryMultiplierMax).toBeGreaterThanOrEqual(1);
  });
});
