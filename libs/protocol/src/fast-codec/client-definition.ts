/**
 * withFastClientCodecs is the client-side counterpart of withFastCodecs: it swaps, in a copy of
 * the generated MessagingService definition, the serializers of the two requests a batching
 * client sends most (SendMessage, AckMessage) for the hand-written encoders and the
 * deserializer of the ReceiveMessage stream's frames for the hand-written decoder. Everything
 * else keeps the generated codecs. Build a client from it with grpc-js
 * `makeGenericClientConstructor(withFastClientCodecs(MessagingServiceService), name)`, as the
 * generated MessagingServiceClient is built.
 */
import type { MessagingServiceService } from '../gen/apache/rocketmq/v2/service';
import { encodeAckMessageRequest, encodeSendMessageRequest } from './request-encoders';
import { decodeReceiveMessageResponse } from './response-decoders';

type Definition = MessagingServiceService;

/**
 * withFastClientCodecs returns a copy of `definition`; the argument is left untouched. A frame
 * the decoder throws on is handled by grpc-js as before (the call fails with INTERNAL), and a
 * received message's body is a view of the frame it came in, not a copy.
 */
export function withFastClientCodecs(definition: Definition): Definition {
  return {
    ...definition,
    sendMessage: { ...definition.sendMessage, requestSerialize: encodeSendMessageRequest },
    receiveMessage: { ...definition.receiveMessage, responseDeserialize: (bytes: Buffer) => decodeReceiveMessageResponse(bytes) },
    ackMessage: { ...definition.ackMessage, requestSerialize: encodeAckMessageRequest },
  };
}
