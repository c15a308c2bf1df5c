/**
 * dead-letter builds the copy of a message that goes to its group's dead-letter topic. The copy
 * keeps the message ID, body, tag, keys, kind and properties (PROTOCOL.md 7.6) and records where
 * it came from in these user properties:
 *
 *   DLQ_ORIGIN_TOPIC         the original topic (Apache's name: its converter fills
 *                            system_properties.dead_letter_queue from this and the next one)
 *   DLQ_ORIGIN_MESSAGE_ID    the original message ID (Apache's name)
 *   DLQ_ORIGIN_QUEUE_ID      the original queue id (Quiver's)
 *   DLQ_ORIGIN_QUEUE_OFFSET  the original queue offset (Quiver's)
 *   DLQ_ORIGIN_GROUP         the consumer group that gave up on it (Quiver's)
 *
 * DLQ_ORIGIN_TOPIC and DLQ_ORIGIN_MESSAGE_ID are reserved keys (PROTOCOL.md 3.6): producers cannot set them.
 */
import type { MessageToStore, StoredMessage } from '@quiver/core';

export const DeadLetterProperty = {
  OriginTopic: 'DLQ_ORIGIN_TOPIC',
  OriginMessageId: 'DLQ_ORIGIN_MESSAGE_ID',
  OriginQueueId: 'DLQ_ORIGIN_QUEUE_ID',
  OriginQueueOffset: 'DLQ_ORIGIN_QUEUE_OFFSET',
  OriginGroup: 'DLQ_ORIGIN_GROUP',
} as const;
export type DeadLetterProperty = (typeof DeadLetterProperty)[keyof typeof DeadLetterProperty];

/** DEAD_LETTER_QUEUE_ID is the queue dead-letter copies go to: one queue per dead-letter topic per node, as Apache does. */
export const DEAD_LETTER_QUEUE_ID = 0;

/** deadLetterCopy is the message to append to the dead-letter topic for `original`, given up on by `group`. */
export function deadLetterCopy(original: StoredMessage, group: string): MessageToStore {
  const copy: MessageToStore = {
    messageId: original.messageId,
    keys: [...original.keys],
    userProperties: {
      ...original.userProperties,
      [DeadLetterProperty.OriginTopic]: original.topic,
      [DeadLetterProperty.OriginMessageId]: original.messageId,
      [DeadLetterProperty.OriginQueueId]: String(original.queueId),
      [DeadLetterProperty.OriginQueueOffset]: String(original.queueOffset),
      [DeadLetterProperty.OriginGroup]: group,
    },
    body: original.body,
    bodyGzipped: original.bodyGzipped,
    bornTimestampMs: original.bornTimestampMs,
    bornHost: original.bornHost,
    kind: original.kind,
  };
  if (original.tag !== undefined) copy.tag = original.tag;
  if (original.messageGroup !== undefined) copy.messageGroup = original.messageGroup;
  if (original.deliveryTimestampMs !== undefined) copy.deliveryTimestampMs = original.deliveryTimestampMs;
  if (original.traceContext !== undefined) copy.traceContext = original.traceContext;
  return copy;
}
