/**
 * withFastStoreCodecs swaps, in a copy of the generated quiver.store.v1 StoreService
 * definition, the codecs of the two hot messages of the store hop for the hand-written ones:
 * AppendBatch requests (encoded by the proxy, decoded by the store node) and PopMessages
 * responses (encoded by the store node, decoded by the proxy). Same bytes, same values, same
 * throws; decoded bodies are views of the received bytes (see store-decoders.ts for why that
 * is safe). Every other method keeps its generated codecs. Both ends take their method
 * definitions from it, so the unary calls and the Calls stream (which serializes each call's
 * request and response with the same definitions) use the hand-written codecs alike.
 */
import type { StoreServiceService } from '../gen/quiver/store/v1/store';
import { decodeAppendBatchRequest, decodePopMessagesResponse } from './store-decoders';
import { encodeAppendBatchRequest, encodePopMessagesResponse } from './store-encoders';

type Definition = StoreServiceService;

/**
 * withFastStoreCodecs returns a copy of `definition`; the argument is left untouched. A
 * decoder that throws is handled as before: grpc-js answers an undecodable unary request with
 * INTERNAL and fails a call whose response it cannot decode, and the Calls stream answers an
 * undecodable request with BAD_REQUEST.
 */
export function withFastStoreCodecs(definition: Definition): Definition {
  return {
    ...definition,
    appendBatch: {
      ...definition.appendBatch,
      requestSerialize: encodeAppendBatchRequest,
      requestDeserialize: (bytes: Buffer) => decodeAppendBatchRequest(bytes),
    },
    popMessages: {
      ...definition.popMessages,
      responseSerialize: encodePopMessagesResponse,
      responseDeserialize: (bytes: Buffer) => decodePopMessagesResponse(bytes),
    },
  };
}
