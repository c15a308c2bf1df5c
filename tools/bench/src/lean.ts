import { v2 } from '@quiver/protocol';

/** Helpers of the lean gRPC driver's consumers (batch receive, one AckMessage per batch). */

export function resource(name: string): v2.Resource {
  return { name, resourceNamespace: '' };
}

/** leanReceiveRequest asks for up to `batchSize` messages of any tag, 30 s invisible, long-polling 5 s. */
export function leanReceiveRequest(topic: string, group: string, batchSize: number): v2.ReceiveMessageRequest {
  return {
    group: resource(group),
    messageQueue: { topic: resource(topic), id: 0, permission: v2.Permission.READ_WRITE, acceptMessageTypes: [] },
    filterExpression: { type: v2.FilterType.TAG, expression: '*' },
    batchSize,
    invisibleDuration: { seconds: 30, nanos: 0 },
    autoRenew: false,
    longPollingTimeout: { seconds: 5, nanos: 0 },
  };
}

/** received returns the messages of a ReceiveMessage stream's frames. */
export function received(frames: v2.ReceiveMessageResponse[]): v2.Message[] {
  return frames.flatMap((frame) => (frame.content?.$case === 'message' ? [frame.content.value] : []));
}

/** ackEntriesOf is the AckMessage entries of received messages. */
export function ackEntriesOf(messages: v2.Message[]): v2.AckMessageEntry[] {
  return messages.map((message) => ({ messageId: message.systemProperties!.messageId, receiptHandle: message.systemProperties!.receiptHandle! }));
}
