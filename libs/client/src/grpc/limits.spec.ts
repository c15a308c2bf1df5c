import { limits } from '@quiver/config';
import { propertiesBytesMax } from '@quiver/protocol';
import { internalChannelOptions, internalServerOptions } from './channel-options';
import {
  callTimeoutMsDefault,
  internalKeepaliveTimeMs,
  internalKeepaliveTimeoutMs,
  internalMessageBytesMax,
  pollDeadlineMarginMsDefault,
  storeNodeCacheTtlMsDefault,
  storeNodeMissRefreshIntervalMsMin,
} from './limits';

describe('internal link limits - relationships', () => {
  it('a full pop (max batch of max-size bodies with max properties) fits one internal message', () => {
    const fullPopBytes = limits.receiveBatchSizeMax * (limits.messageBodyBytesMax + propertiesBytesMax);
    expect(internalMessageBytesMax).toBeGreaterThan(fullPopBytes);
    expect(internalMessageBytesMax).toBeGreaterThanOrEqual(32 * 1024 * 1024);
  });

  it('a full send fits one internal append', () => {
    expect(internalMessageBytesMax).toBeGreaterThan(limits.sendRequestBodyBytesMax + limits.sendRequestMessageCountMax * propertiesBytesMax);
  });

  it('a keepalive ping is answered or given up on before the next one is due', () => {
    expect(internalKeepaliveTimeoutMs).toBeLessThan(internalKeepaliveTimeMs);
  });

  it('the store-node list is no more stale than routes, and a miss re-reads it sooner', () => {
    expect(storeNodeCacheTtlMsDefault).toBeLessThanOrEqual(limits.routeCacheTtlMs);
    expect(storeNodeMissRefreshIntervalMsMin).toBeLessThan(storeNodeCacheTtlMsDefault);
  });

  it('deadlines leave room for the store to answer a long poll and for a send to be acked', () => {
    expect(pollDeadlineMarginMsDefault).toBeGreaterThan(limits.longPollingDeadlineMarginMs);
    expect(callTimeoutMsDefault).toBeGreaterThan(pollDeadlineMarginMsDefault);
  });

  it('channel and server options carry the limits explicitly, and each call returns a fresh object', () => {
    expect(internalChannelOptions()).toMatchObject({
      'grpc.max_receive_message_length': internalMessageBytesMax,
      'grpc.max_send_message_length': internalMessageBytesMax,
      'grpc.keepalive_time_ms': internalKeepaliveTimeMs,
      'grpc.keepalive_permit_without_calls': 1,
    });
    expect(internalServerOptions()).toMatchObject({
      'grpc.max_receive_message_length': internalMessageBytesMax,
      'grpc.max_send_message_length': internalMessageBytesMax,
    });
    expect(internalChannelOptions()).not.toBe(internalChannelOptions());
  });
});
