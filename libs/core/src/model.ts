/**
 * The message model shared by every process. Offsets are numbers: 2^53 messages per queue is
 * beyond any retention this system will hold.
 */

/** MessageKind is derived from content on send (transaction > delay > group > normal). */
export const MessageKind = {
  Normal: 'NORMAL',
  Fifo: 'FIFO',
  Delay: 'DELAY',
  Transaction: 'TRANSACTION',
} as const;
export type MessageKind = (typeof MessageKind)[keyof typeof MessageKind];

/** TopicMessageType is what a topic accepts; MIXED accepts every kind. */
export const TopicMessageType = { ...MessageKind, Mixed: 'MIXED' } as const;
export type TopicMessageType = (typeof TopicMessageType)[keyof typeof TopicMessageType];

/** MessageToStore is a producer's message after the proxy validated it. */
export interface MessageToStore {
  messageId: string;
  tag?: string;
  keys: string[];
  userProperties: Record<string, string>;
  body: Uint8Array;
  /** bodyGzipped is true when `body` holds gzip bytes the client sent as GZIP encoding. */
  bodyGzipped: boolean;
  bornTimestampMs: number;
  bornHost: string;
  kind: MessageKind;
  messageGroup?: string;
  deliveryTimestampMs?: number;
  traceContext?: string;
}

/** StoredMessage is a message as its queue holds it. */
export interface StoredMessage extends MessageToStore {
  topic: string;
  queueId: number;
  queueOffset: number;
  storeTimestampMs: number;
  storeHost: string;
}

/** PoppedMessage is a message handed to a consumer group, invisible until `invisibleUntilMs`. */
export interface PoppedMessage {
  message: StoredMessage;
  /** deliveryAttempt counts deliveries to this group, from 1. */
  deliveryAttempt: number;
  /** popGeneration changes on every hand-out and every invisibility change; stale handles carry an older one. */
  popGeneration: number;
  invisibleUntilMs: number;
}

export const FilterType = { Tag: 'TAG', Sql: 'SQL' } as const;
export type FilterType = (typeof FilterType)[keyof typeof FilterType];

export interface FilterExpression {
  type: FilterType;
  expression: string;
}

/**
 * StartPolicy names where a consumer group starts on a queue it never consumed (PROTOCOL.md 7.2):
 * - EARLIEST: the queue's first retained message;
 * - LATEST: the first message stored at or after `atMs`, the moment the group was first known,
 *   and never later than the queue's end when the start is resolved;
 * - TIMESTAMP: the first message stored at or after `atMs`;
 * - YOUNG_EARLIEST: EARLIEST while the queue is young (it still begins at offset 0 and holds few
 *   messages: Apache's exception), LATEST otherwise.
 */
export const StartPolicy = { Earliest: 'EARLIEST', Latest: 'LATEST', Timestamp: 'TIMESTAMP', YoungEarliest: 'YOUNG_EARLIEST' } as const;
export type StartPolicy = (typeof StartPolicy)[keyof typeof StartPolicy];

/** StartPosition is a StartPolicy with its moment: required for TIMESTAMP; for LATEST and YOUNG_EARLIEST absent means "now". */
export interface StartPosition {
  policy: StartPolicy;
  atMs?: number;
}
