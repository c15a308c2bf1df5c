/**
 * QuiverError is the base of every operating error (bad input, missing topic, peer gone,
 * corrupt queue). `code` names the condition and is API: callers and the proxy's single
 * status translator switch on it; messages may change.
 */
export class QuiverError extends Error {
  override name = 'QuiverError';
  readonly code: QuiverErrorCode;
  readonly retriable: boolean;

  constructor(code: QuiverErrorCode, message: string, options?: { cause?: unknown; retriable?: boolean }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retriable = options?.retriable ?? false;
  }
}

/** QuiverErrorCode is the catalog of operating errors that cross library boundaries. */
export const QuiverErrorCode = {
  BadRequest: 'BAD_REQUEST',
  TopicNotFound: 'TOPIC_NOT_FOUND',
  ConsumerGroupNotFound: 'CONSUMER_GROUP_NOT_FOUND',
  InvalidReceiptHandle: 'INVALID_RECEIPT_HANDLE',
  MessageNotFound: 'MESSAGE_NOT_FOUND',
  QueueCorrupted: 'QUEUE_CORRUPTED',
  StoreUnavailable: 'STORE_UNAVAILABLE',
  StoreTimeout: 'STORE_TIMEOUT',
  FlushTimeout: 'FLUSH_TIMEOUT',
  TooManyRequests: 'TOO_MANY_REQUESTS',
  Closed: 'CLOSED',
  Internal: 'INTERNAL',
} as const;
export type QuiverErrorCode = (typeof QuiverErrorCode)[keyof typeof QuiverErrorCode];

export function isQuiverError(error: unknown, code?: QuiverErrorCode): error is QuiverError {
  return error instanceof QuiverError && (code === undefined || error.code === code);
}
