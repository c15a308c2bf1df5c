import { Metadata, status as GrpcStatus, type ServiceError, type StatusObject } from '@grpc/grpc-js';
import { isQuiverError, QuiverError, QuiverErrorCode } from '@quiver/core';
import type { Logger } from '@quiver/telemetry';

/**
 * Error transport of the internal services. A QuiverError thrown by the service behind a
 * server travels as a non-OK gRPC status:
 *
 *   status code        = grpcCodeOfError[error.code]        (for observers that only see gRPC)
 *   details            = error.message
 *   quiver-error-code  = error.code      (trailing metadata, the catalog string)
 *   quiver-retriable   = "true" | "false" (trailing metadata)
 *
 * and the client rebuilds the same QuiverError from the trailers. A failure without the
 * trailers did not come from our service: it is a transport failure (peer down, deadline) or
 * a peer outside this contract, and becomes a QuiverError by its gRPC code. Stacks and causes
 * never cross: unexpected errors are logged where they happen and cross as INTERNAL.
 */

export const errorCodeTrailer = 'quiver-error-code';
export const retriableTrailer = 'quiver-retriable';

/** grpcCodeOfError is the gRPC status code that carries each QuiverError code. */
export const grpcCodeOfError: Readonly<Record<QuiverErrorCode, GrpcStatus>> = Object.freeze({
  [QuiverErrorCode.BadRequest]: GrpcStatus.INVALID_ARGUMENT,
  [QuiverErrorCode.TopicNotFound]: GrpcStatus.NOT_FOUND,
  [QuiverErrorCode.ConsumerGroupNotFound]: GrpcStatus.NOT_FOUND,
  [QuiverErrorCode.MessageNotFound]: GrpcStatus.NOT_FOUND,
  [QuiverErrorCode.InvalidReceiptHandle]: GrpcStatus.FAILED_PRECONDITION,
  [QuiverErrorCode.TooManyRequests]: GrpcStatus.RESOURCE_EXHAUSTED,
  [QuiverErrorCode.StoreTimeout]: GrpcStatus.DEADLINE_EXCEEDED,
  [QuiverErrorCode.FlushTimeout]: GrpcStatus.DEADLINE_EXCEEDED,
  [QuiverErrorCode.StoreUnavailable]: GrpcStatus.UNAVAILABLE,
  // A closing node will not serve again: UNAVAILABLE is what gRPC names a shutting-down server.
  [QuiverErrorCode.Closed]: GrpcStatus.UNAVAILABLE,
  // gRPC's DATA_LOSS is exactly "unrecoverable data loss or corruption".
  [QuiverErrorCode.QueueCorrupted]: GrpcStatus.DATA_LOSS,
  [QuiverErrorCode.Internal]: GrpcStatus.INTERNAL,
});

const knownErrorCodes: ReadonlySet<string> = new Set(Object.values(QuiverErrorCode));

function isQuiverErrorCode(value: string): value is QuiverErrorCode {
  return knownErrorCodes.has(value);
}

/**
 * transportableError is what of a thrown error may cross to the peer: a QuiverError as it is,
 * anything else (a bug) logged here with its stack and replaced by a fixed INTERNAL error.
 */
export function transportableError(error: unknown, logger: Logger, method: string): QuiverError {
  if (!(error instanceof QuiverError)) {
    logger.error({ err: error, method }, 'unexpected failure in an internal rpc');
    return new QuiverError(QuiverErrorCode.Internal, 'internal error', { retriable: false });
  }
  if (error.code === QuiverErrorCode.Internal || error.code === QuiverErrorCode.QueueCorrupted) {
    logger.error({ err: error, method }, 'internal rpc failed');
  }
  return error;
}

/** wireFailure is a thrown error as the code, message and retriable flag a failure outcome carries (AppendBatch, the Calls stream). */
export function wireFailure(error: unknown, logger: Logger, method: string): { code: string; message: string; retriable: boolean } {
  const failure = transportableError(error, logger, method);
  return { code: failure.code, message: failure.message, retriable: failure.retriable };
}

/**
 * decodedResponse is a call's reply decoded by `read`, or the INTERNAL error of a reply that is
 * missing (`read` undefined) or that `read` rejects (the peer broke the contract).
 */
export function decodedResponse<T>(read: (() => T) | undefined, method: string, peer: string): T {
  if (read === undefined) throw new QuiverError(QuiverErrorCode.Internal, `${method} on ${peer} answered without a response`);
  try {
    return read();
  } catch (failure) {
    const message = isQuiverError(failure) ? failure.message : String(failure);
    throw new QuiverError(QuiverErrorCode.Internal, `${method} on ${peer} answered a malformed response: ${message}`);
  }
}

/** rebuiltError is the QuiverError a peer sent as code, message and retriable flag (unknown codes become INTERNAL with their words). */
export function rebuiltError(code: string, message: string, retriable: boolean): QuiverError {
  if (isQuiverErrorCode(code)) return new QuiverError(code, message, { retriable });
  // A newer peer's code this build does not know: keep its words, not its meaning.
  return new QuiverError(QuiverErrorCode.Internal, `${code}: ${message}`, { retriable });
}

/**
 * toGrpcStatus is the one place where a server of an internal service turns a thrown error
 * into the status it sends. A QuiverError keeps its code, message and retriable flag; anything
 * else is a bug or an unexpected failure, logged here with its stack and sent as INTERNAL
 * with a fixed message so nothing about the process leaks to the peer.
 */
export function toGrpcStatus(error: unknown, logger: Logger, method: string): StatusObject {
  const failure = transportableError(error, logger, method);
  const metadata = new Metadata();
  metadata.set(errorCodeTrailer, failure.code);
  metadata.set(retriableTrailer, failure.retriable ? 'true' : 'false');
  return { code: grpcCodeOfError[failure.code], details: failure.message, metadata };
}

function trailerOf(metadata: Metadata | undefined, key: string): string | undefined {
  const value = metadata?.get(key)[0];
  return typeof value === 'string' ? value : undefined;
}

/**
 * fromServiceError turns the failure of a call to `peer` into the QuiverError the in-process
 * service would have thrown. With our trailers it is that error, rebuilt; without them it is
 * a transport failure: UNAVAILABLE or CANCELLED (peer down, connection refused or reset, server
 * shutting down) is a retriable STORE_UNAVAILABLE, DEADLINE_EXCEEDED a retriable STORE_TIMEOUT
 * (the call's outcome is unknown, as with any timeout; senders retry, consumers pop again),
 * anything else INTERNAL.
 */
export function fromServiceError(error: ServiceError, peer: string, method: string): QuiverError {
  const code = trailerOf(error.metadata, errorCodeTrailer);
  if (code !== undefined) {
    return rebuiltError(code, error.details, trailerOf(error.metadata, retriableTrailer) === 'true');
  }
  const where = `${method} on ${peer}`;
  switch (error.code) {
    case GrpcStatus.UNAVAILABLE:
    case GrpcStatus.CANCELLED:
      return new QuiverError(QuiverErrorCode.StoreUnavailable, `${where} failed: peer unavailable (${error.details})`, {
        cause: error,
        retriable: true,
      });
    case GrpcStatus.DEADLINE_EXCEEDED:
      return new QuiverError(QuiverErrorCode.StoreTimeout, `${where} timed out (${error.details})`, { cause: error, retriable: true });
    default:
      return new QuiverError(QuiverErrorCode.Internal, `${where} failed: ${GrpcStatus[error.code] ?? error.code} (${error.details})`, {
        cause: error,
        retriable: false,
      });
  }
}
