/**
 * withFastResponseEncoders swaps the response serializers of the generated MessagingService
 * definition: the three hot responses use the hand-written encoders, every other response
 * keeps its generated encoder but is wrapped without the extra `Buffer.from(u8)` copy.
 * withFastCodecs, what the proxy serves, also decodes SendMessage requests by hand.
 */
import {
  ChangeInvisibleDurationResponse,
  EndTransactionResponse,
  ForwardMessageToDeadLetterQueueResponse,
  GetOffsetResponse,
  HeartbeatResponse,
  type MessagingServiceService,
  NotifyClientTerminationResponse,
  PullMessageResponse,
  QueryAssignmentResponse,
  QueryOffsetResponse,
  QueryRouteResponse,
  RecallMessageResponse,
  SyncLiteSubscriptionResponse,
  TelemetryCommand,
  UpdateOffsetResponse,
} from '../gen/apache/rocketmq/v2/service';
import {
  encodeAckMessageResponse,
  encodeReceiveMessageResponse,
  encodeSendMessageResponse,
} from './response-encoders';
import { decodeSendMessageRequest } from './request-decoders';

type Definition = MessagingServiceService;
type MethodName = keyof Definition;
type ResponseOf<K extends MethodName> = Parameters<Definition[K]['responseSerialize']>[0];
type Serializer<K extends MethodName> = (value: ResponseOf<K>) => Buffer;

/** GeneratedEncoder is the part of a ts-proto MessageFns this module needs. */
interface GeneratedEncoder<T> {
  encode(value: T): { finish(): Uint8Array };
}

/** viewSerializer wraps the generated encoder; finish() returns a fresh array, so a view is safe. */
function viewSerializer<T>(codec: GeneratedEncoder<T>): (value: T) => Buffer {
  return (value) => {
    const bytes = codec.encode(value).finish();
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  };
}

/** The mapped type makes the compiler demand a correctly typed serializer for every method. */
const serializers: { [K in MethodName]: Serializer<K> } = {
  queryRoute: viewSerializer(QueryRouteResponse),
  heartbeat: viewSerializer(HeartbeatResponse),
  sendMessage: encodeSendMessageResponse,
  queryAssignment: viewSerializer(QueryAssignmentResponse),
  receiveMessage: encodeReceiveMessageResponse,
  ackMessage: encodeAckMessageResponse,
  forwardMessageToDeadLetterQueue: viewSerializer(ForwardMessageToDeadLetterQueueResponse),
  pullMessage: viewSerializer(PullMessageResponse),
  updateOffset: viewSerializer(UpdateOffsetResponse),
  getOffset: viewSerializer(GetOffsetResponse),
  queryOffset: viewSerializer(QueryOffsetResponse),
  endTransaction: viewSerializer(EndTransactionResponse),
  telemetry: viewSerializer(TelemetryCommand),
  notifyClientTermination: viewSerializer(NotifyClientTerminationResponse),
  changeInvisibleDuration: viewSerializer(ChangeInvisibleDurationResponse),
  recallMessage: viewSerializer(RecallMessageResponse),
  syncLiteSubscription: viewSerializer(SyncLiteSubscriptionResponse),
};

/** withFastResponseEncoders returns a copy of `definition`; the argument is left untouched. */
export function withFastResponseEncoders(definition: Definition): Definition {
  const copy = { ...definition };
  const replace = <K extends MethodName>(name: K): void => {
    copy[name] = { ...definition[name], responseSerialize: serializers[name] };
  };
  for (const name of Object.keys(serializers) as MethodName[]) replace(name);
  return copy;
}

/**
 * withFastCodecs is withFastResponseEncoders plus the hand-written SendMessage request decoder.
 * A decoder that throws is handled by grpc-js as before: INTERNAL "Error deserializing request".
 */
export function withFastCodecs(definition: Definition): Definition {
  const copy = withFastResponseEncoders(definition);
  return { ...copy, sendMessage: { ...copy.sendMessage, requestDeserialize: (bytes: Buffer) => decodeSendMessageRequest(bytes) } };
}
