import { v2 } from '@quiver/protocol';
import { RawClient } from '@quiver/testing';
import { histogram, latencyOf, type Result } from './peers/result';

/**
 * Helpers of the lean gRPC driver's consumers (batch receive, one AckMessage per batch). The lean
 * driver is a RawClient with `fastCodecs`: its SendMessage and AckMessage requests are encoded and
 * its ReceiveMessage frames decoded by the hand-written codecs of @quiver/protocol, so its own CPU
 * (which shares the machine with the server) caps the measurements less.
 */

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

export interface LeanBatchSendOptions {
  endpoint: string;
  count: number;
  /** batchSize messages go in one SendMessage (the last one may carry fewer). */
  batchSize: number;
  inFlight: number;
  budgetMs: number;
  /** message builds the message of index 0..count-1. */
  message: (index: number) => v2.Message;
  onProgress?: (done: number) => void;
}

/**
 * leanBatchSend sends `count` messages with the lean gRPC driver, `batchSize` per SendMessage and
 * `inFlight` calls at a time, until done or out of budget; latency is per SendMessage. A call
 * answered with any status but OK ends the run with an error.
 */
export async function leanBatchSend(options: LeanBatchSendOptions): Promise<{ messages: number; seconds: number; latencyMs: Result['latencyMs'] }> {
  const client = new RawClient(options.endpoint, { fastCodecs: true });
  const recorded = histogram();
  const deadline = Date.now() + options.budgetMs;
  let next = 0;
  let done = 0;
  const started = process.hrtime.bigint();
  try {
    await Promise.all(
      Array.from({ length: options.inFlight }, async () => {
        while (next < options.count && Date.now() < deadline) {
          const first = next;
          const size = Math.min(options.batchSize, options.count - first);
          next += size;
          const messages = Array.from({ length: size }, (_, offset) => options.message(first + offset));
          const t0 = process.hrtime.bigint();
          const response = await client.sendMessage({ messages });
          recorded.recordValue(Number(process.hrtime.bigint() - t0) / 1000);
          if (response.status?.code !== v2.Code.OK) throw new Error(`batch send failed: ${response.status?.code} ${response.status?.message}`);
          done += size;
          options.onProgress?.(done);
        }
      }),
    );
  } finally {
    client.close();
  }
  return { messages: done, seconds: Number(process.hrtime.bigint() - started) / 1e9, latencyMs: latencyOf(recorded) };
}
