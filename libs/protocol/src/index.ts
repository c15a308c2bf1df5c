/**
 * @quiver/protocol is the wire contract: the generated protocol code (never edited by hand,
 * regenerate with `npm run codegen`) exposed as namespaces, and the hand-written pieces every
 * process shares: the status-code catalog, name validators, limits and small codecs.
 */

// Generated code, one namespace per proto package.
export * as v2 from './v2';
export * as storeV1 from './gen/quiver/store/v1/store';
export * as nameServerV1 from './gen/quiver/nameserver/v1/nameserver';
export type { Duration } from './gen/google/protobuf/duration';
export type { Timestamp } from './gen/google/protobuf/timestamp';

export { Code, codeName, status } from './codes';
export type { CodeName, Status } from './codes';

export {
  validateTopicName,
  validateConsumerGroupName,
  validateTag,
  validateKeys,
  validateMessageGroup,
  validateUserProperties,
  isSystemTopic,
  isRetryOrDeadLetterTopic,
  retryTopicOf,
  deadLetterTopicOf,
  systemTopics,
  systemTopicPrefix,
  systemConsumerGroupPrefix,
  reservedPropertyKeys,
  retryTopicPrefix,
  deadLetterTopicPrefix,
} from './names';
export type { Violation } from './names';

export {
  topicNameLengthMax,
  retryOrDeadLetterTopicNameLengthMax,
  consumerGroupNameLengthMax,
  messageGroupBytesMax,
  userPropertyCountMax,
  propertiesBytesMax,
  messageIdV1HexLength,
} from './limits';

export { bodyDigestMd5Upper } from './digest';
export { createMessageId, formatMessageIdV1, parseMessageIdV1, messageIdEpochMs } from './message-id';
export type { MessageIdV1 } from './message-id';
export { durationFromMs, durationToMs, timestampFromMs, timestampToMs } from './durations';

// Hand-written encoders for the hottest responses, byte-identical to the generated ones, and the
// service definition that uses them (plus the hand-written SendMessage request decoder).
export {
  encodeReceiveMessageResponse,
  encodeSendMessageResponse,
  encodeAckMessageResponse,
} from './fast-codec/response-encoders';
export { withFastCodecs } from './fast-codec/service-definition';

// The client-side counterpart: a MessagingService definition whose SendMessage and AckMessage
// requests are encoded and whose ReceiveMessage frames are decoded by hand (same bytes, same values).
export { withFastClientCodecs } from './fast-codec/client-definition';

// The store hop (quiver.store.v1): a StoreService definition whose AppendBatch requests and
// PopMessages responses are encoded and decoded by hand (same bytes, same values), for the
// proxy's store client and the store node's server alike.
export { withFastStoreCodecs } from './fast-codec/store-definition';
