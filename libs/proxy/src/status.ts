import { isQuiverError, QuiverErrorCode } from '@quiver/core';
import type { Logger } from '@quiver/telemetry';
import { Code, type Status } from './wire';

/** ok is the status of a successful response. */
export function ok(message = 'OK'): Status {
  return { code: Code.OK, message };
}

export function status(code: Code, message: string): Status {
  return { code, message };
}

/** ProxyFailure is a failure already expressed as a RocketMQ code, raised by validation in activities. */
export class ProxyFailure extends Error {
  override name = 'ProxyFailure';
  constructor(
    readonly code: Code,
    message: string,
  ) {
    super(message);
  }
}

const CODE_OF_ERROR: Record<QuiverErrorCode, Code> = {
  [QuiverErrorCode.BadRequest]: Code.BAD_REQUEST,
  [QuiverErrorCode.TopicNotFound]: Code.TOPIC_NOT_FOUND,
  [QuiverErrorCode.ConsumerGroupNotFound]: Code.CONSUMER_GROUP_NOT_FOUND,
  [QuiverErrorCode.InvalidReceiptHandle]: Code.INVALID_RECEIPT_HANDLE,
  [QuiverErrorCode.MessageNotFound]: Code.MESSAGE_NOT_FOUND,
  [QuiverErrorCode.QueueCorrupted]: Code.INTERNAL_SERVER_ERROR,
  [QuiverErrorCode.StoreUnavailable]: Code.HA_NOT_AVAILABLE,
  [QuiverErrorCode.StoreTimeout]: Code.PROXY_TIMEOUT,
  [QuiverErrorCode.FlushTimeout]: Code.MASTER_PERSISTENCE_TIMEOUT,
  [QuiverErrorCode.TooManyRequests]: Code.TOO_MANY_REQUESTS,
  [QuiverErrorCode.Closed]: Code.INTERNAL_SERVER_ERROR,
  [QuiverErrorCode.Internal]: Code.INTERNAL_SERVER_ERROR,
};

/**
 * toStatus is the one place where a thrown error becomes a client-visible status. Operating
 * errors keep their message; anything unexpected is logged with its cause and reported as
 * INTERNAL_SERVER_ERROR without internals.
 */
export function toStatus(error: unknown, logger: Logger): Status {
  if (error instanceof ProxyFailure) {
    return status(error.code, error.message);
  }
  if (isQuiverError(error)) {
    if (error.code === QuiverErrorCode.Internal || error.code === QuiverErrorCode.QueueCorrupted) {
      logger.error({ err: error }, 'store failure');
    }
    return status(CODE_OF_ERROR[error.code], error.message);
  }
  logger.error({ err: error }, 'unexpected failure');
  return status(Code.INTERNAL_SERVER_ERROR, 'internal server error');
}

/** combinedStatus is the common code of all entries, or MULTIPLE_RESULTS when they differ. */
export function combinedStatus(entries: Status[]): Status {
  const first = entries[0];
  if (!first) return ok();
  return entries.every((entry) => entry.code === first.code) ? first : status(Code.MULTIPLE_RESULTS, 'entries have different results');
}
