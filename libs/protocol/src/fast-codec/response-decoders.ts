/**
 * Hand-written decoder for ReceiveMessageResponse, the frames of the ReceiveMessage server
 * stream (status, message, delivery_timestamp), for clients: the lean benchmark driver and
 * RawClient with `fastCodecs`. It returns a value deep-equal to the generated
 * `ReceiveMessageResponse.decode(bytes)` and throws for exactly the inputs that make the
 * generated decoder throw. The Message below it is decoded by v2-message-decoding.ts, as in the
 * SendMessageRequest decoder of request-decoders.ts, with the reader of wire-reader.ts and the
 * generated decoders' quirks it lists; here a singular field seen twice keeps the last value,
 * sub-messages and the `content` oneof included (no merge: a second `message` replaces the
 * first, a `status` after a `message` replaces the whole content).
 *
 * Differences the generated code cannot observe: bodies are views of the input instead of
 * copies (same Buffer type and bytes; a body keeps the whole frame it came in alive), and
 * nested groups inside skipped fields are walked with an explicit stack and a fixed depth bound
 * instead of recursion (see wire-reader.ts).
 *
 * ts-proto's decode recursion limit (100 levels) cannot trigger here: this schema nests at most
 * four messages deep (response, Message, SystemProperties, Timestamp).
 *
 * Whenever a generated decode function for one of these messages changes, mirror it here; the
 * property spec compares both on valid, mutated and truncated inputs.
 */
import type { Status } from '../gen/apache/rocketmq/v2/definition';
import type { ReceiveMessageResponse } from '../gen/apache/rocketmq/v2/service';
import { decodeMessage, decodeTime } from './v2-message-decoding';
import { before, decodeWith, readInt32, readString, readTag, skipUnknown, subEnd } from './wire-reader';

// Tags (field number << 3 | wire type), per message.
const tagResponseStatus = 10;
const tagResponseMessage = 18;
const tagResponseDeliveryTimestamp = 26;
const tagStatusCode = 8;
const tagStatusMessage = 18;

function decodeStatus(end: number): Status {
  const message: Status = { code: 0, message: '' };
  while (before(end)) {
    const tag = readTag();
    switch (tag) {
      case tagStatusCode:
        message.code = readInt32();
        break;
      case tagStatusMessage:
        message.message = readString();
        break;
      default:
        if (!skipUnknown(tag)) return message;
    }
  }
  return message;
}

function decodeResponse(end: number): ReceiveMessageResponse {
  const response: ReceiveMessageResponse = { content: undefined };
  while (before(end)) {
    const tag = readTag();
    switch (tag) {
      case tagResponseStatus:
        response.content = { $case: 'status', value: decodeStatus(subEnd()) };
        break;
      case tagResponseMessage:
        response.content = { $case: 'message', value: decodeMessage(subEnd()) };
        break;
      case tagResponseDeliveryTimestamp:
        response.content = { $case: 'deliveryTimestamp', value: decodeTime(subEnd()) };
        break;
      default:
        if (!skipUnknown(tag)) return response;
    }
  }
  return response;
}

/**
 * decodeReceiveMessageResponse equals `ReceiveMessageResponse.decode(bytes)` and throws when it
 * throws. A received message's body is a view of `bytes`, not a copy.
 */
export function decodeReceiveMessageResponse(bytes: Uint8Array): ReceiveMessageResponse {
  return decodeWith(bytes, decodeResponse);
}
