import { Metadata, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { QuiverError, QuiverErrorCode } from '@quiver/core';
import { silentLogger } from '@quiver/telemetry';
import { errorCodeTrailer, fromServiceError, grpcCodeOfError, retriableTrailer, toGrpcStatus } from './error-transport';

/** serviceErrorOf is what a grpc-js client reports for a status the server sent. */
function serviceErrorOf(status: { code: GrpcStatus; details: string; metadata: Metadata }): ServiceError {
  return Object.assign(new Error(`${status.code} ${GrpcStatus[status.code]}: ${status.details}`), status);
}

function transportFailure(code: GrpcStatus, details: string): ServiceError {
  return serviceErrorOf({ code, details, metadata: new Metadata() });
}

describe('error transport - server side', () => {
  it('the gRPC codes are the documented ones', () => {
    expect(grpcCodeOfError).toMatchObject({
      BAD_REQUEST: GrpcStatus.INVALID_ARGUMENT,
      TOPIC_NOT_FOUND: GrpcStatus.NOT_FOUND,
      MESSAGE_NOT_FOUND: GrpcStatus.NOT_FOUND,
      INVALID_RECEIPT_HANDLE: GrpcStatus.FAILED_PRECONDITION,
      TOO_MANY_REQUESTS: GrpcStatus.RESOURCE_EXHAUSTED,
      STORE_TIMEOUT: GrpcStatus.DEADLINE_EXCEEDED,
      FLUSH_TIMEOUT: GrpcStatus.DEADLINE_EXCEEDED,
      STORE_UNAVAILABLE: GrpcStatus.UNAVAILABLE,
      INTERNAL: GrpcStatus.INTERNAL,
    });
  });

  it('a QuiverError keeps its code, message and retriable flag in the status and trailers', () => {
    const status = toGrpcStatus(new QuiverError(QuiverErrorCode.TopicNotFound, 'topic t not found', { retriable: true }), silentLogger, 'm');
    expect(status.code).toBe(GrpcStatus.NOT_FOUND);
    expect(status.details).toBe('topic t not found');
    expect(status.metadata.get(errorCodeTrailer)).toEqual(['TOPIC_NOT_FOUND']);
    expect(status.metadata.get(retriableTrailer)).toEqual(['true']);
  });

  it('an unexpected error crosses as INTERNAL without its message, stack or cause', () => {
    const secret = new Error('password=hunter2 at /srv/secret.ts:12');
    const status = toGrpcStatus(new TypeError('boom', { cause: secret }), silentLogger, 'm');
    expect(status.code).toBe(GrpcStatus.INTERNAL);
    expect(status.details).toBe('internal error');
    expect(status.metadata.get(errorCodeTrailer)).toEqual(['INTERNAL']);
    expect(status.metadata.get(retriableTrailer)).toEqual(['false']);
    expect(JSON.stringify(status.metadata.toJSON())).not.toContain('hunter2');
  });
});

describe('error transport - client side', () => {
  it.each(Object.values(QuiverErrorCode))('%s survives the trip with its message and retriable flag', (code) => {
    for (const retriable of [true, false]) {
      const rebuilt = fromServiceError(
        serviceErrorOf(toGrpcStatus(new QuiverError(code, `why ${code}`, { retriable }), silentLogger, 'm')),
        '127.0.0.1:1',
        'M',
      );
      expect(rebuilt).toBeInstanceOf(QuiverError);
      expect({ code: rebuilt.code, message: rebuilt.message, retriable: rebuilt.retriable }).toEqual({ code, message: `why ${code}`, retriable });
    }
  });

  it('UNAVAILABLE without our trailer is a retriable STORE_UNAVAILABLE', () => {
    const error = fromServiceError(transportFailure(GrpcStatus.UNAVAILABLE, 'No connection established'), 'h:1', 'AppendMessages');
    expect(error).toMatchObject({ code: 'STORE_UNAVAILABLE', retriable: true });
    expect(error.message).toContain('h:1');
  });

  it('DEADLINE_EXCEEDED without our trailer is a retriable STORE_TIMEOUT', () => {
    expect(fromServiceError(transportFailure(GrpcStatus.DEADLINE_EXCEEDED, 'Deadline exceeded'), 'h:1', 'M')).toMatchObject({
      code: 'STORE_TIMEOUT',
      retriable: true,
    });
  });

  it('DEADLINE_EXCEEDED with our trailer is the peer FLUSH_TIMEOUT, not a transport timeout', () => {
    const status = toGrpcStatus(new QuiverError(QuiverErrorCode.FlushTimeout, 'fsync slow'), silentLogger, 'm');
    expect(fromServiceError(serviceErrorOf(status), 'h:1', 'M')).toMatchObject({ code: 'FLUSH_TIMEOUT', message: 'fsync slow' });
  });

  it('any other status without our trailer is a non-retriable INTERNAL', () => {
    expect(fromServiceError(transportFailure(GrpcStatus.UNIMPLEMENTED, 'unknown method'), 'h:1', 'M')).toMatchObject({
      code: 'INTERNAL',
      retriable: false,
    });
  });

  it('an error code this build does not know becomes INTERNAL and keeps the words', () => {
    const metadata = new Metadata();
    metadata.set(errorCodeTrailer, 'QUOTA_EXCEEDED');
    metadata.set(retriableTrailer, 'false');
    const error = fromServiceError(serviceErrorOf({ code: GrpcStatus.RESOURCE_EXHAUSTED, details: 'over quota', metadata }), 'h:1', 'M');
    expect(error).toMatchObject({ code: 'INTERNAL', retriable: false });
    expect(error.message).toContain('QUOTA_EXCEEDED');
    expect(error.message).toContain('over quota');
  });
});
