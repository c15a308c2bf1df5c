/**
 * Hand-written decoder for SendMessageRequest, the hottest request. It returns a value deep-equal
 * to the generated `SendMessageRequest.decode(bytes)` and throws for exactly the inputs that
 * make the generated decoder throw: the reader (wire-reader.ts) and the Message decoding
 * (v2-message-decoding.ts) mirror the generated decoders' quirks on purpose, and a repeated
 * `messages` field appends as the generated code does.
 *
 * Differences the generated code cannot observe: bodies are views of the input instead of
 * copies (same Buffer type and bytes), and nested groups inside skipped fields are walked with
 * an explicit stack and a fixed depth bound instead of recursion (see wire-reader.ts).
 *
 * ts-proto's decode recursion limit (100 levels) cannot trigger here: this schema nests at most
 * four messages deep (request, Message, SystemProperties, Timestamp).
 *
 * Whenever the generated decode function changes, mirror it here; the property spec compares
 * both on valid, mutated and truncated inputs.
 */
import type { SendMessageRequest } from '../gen/apache/rocketmq/v2/service';
import { decodeMessage } from './v2-message-decoding';
import { before, decodeWith, readTag, skipUnknown, subEnd } from './wire-reader';

// Tags (field number << 3 | wire type).
const tagRequestMessages = 10;

function decodeRequest(end: number): SendMessageRequest {
  const request: SendMessageRequest = { messages: [] };
  while (before(end)) {
    const tag = readTag();
    if (tag === tagRequestMessages) {
      request.messages.push(decodeMessage(subEnd()));
    } else if (!skipUnknown(tag)) {
      break;
    }
  }
  return request;
}

/** decodeSendMessageRequest equals `SendMessageRequest.decode(bytes)` and throws when it throws. */
export function decodeSendMessageRequest(bytes: Uint8Array): SendMessageRequest {
  return decodeWith(bytes, decodeRequest);
}
