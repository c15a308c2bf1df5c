import { nameServerV1 } from '@quiver/protocol';
import { consumerGroupFromWire, updateTopicRequestFromWire, upsertGroupRequestFromWire } from './name-server-service.converter';

describe('name-server converters - decoding what the model cannot hold', () => {
  it('a consumer group without a retry policy is a BAD_REQUEST naming the field', () => {
    expect(() => consumerGroupFromWire({ name: 'g', fifo: false, maxDeliveryAttempts: 17, retryPolicy: undefined, startPolicy: 0, startTimestampMs: 0, createdAtMs: 0 })).toThrow(
      expect.objectContaining({ code: 'BAD_REQUEST', message: expect.stringContaining('retry_policy') }),
    );
  });

  it('an upsert without a group is a BAD_REQUEST', () => {
    expect(() => upsertGroupRequestFromWire({ epoch: 0, createOnly: false })).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
  });

  it('an update with an unknown message type is a BAD_REQUEST; UNSPECIFIED and 0 mean unchanged', () => {
    expect(() => updateTopicRequestFromWire({ name: 't', messageType: 99 as nameServerV1.TopicMessageType, queueCount: 0, epoch: 0 })).toThrow(
      expect.objectContaining({ code: 'BAD_REQUEST' }),
    );
    expect(
      updateTopicRequestFromWire({ name: 't', messageType: nameServerV1.TopicMessageType.TOPIC_MESSAGE_TYPE_UNSPECIFIED, queueCount: 0, epoch: 0 }),
    ).toStrictEqual({ name: 't', update: {} });
  });
});
