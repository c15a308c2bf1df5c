import { status as GrpcStatus, Metadata, type Client, type ClientDuplexStream, type MethodDefinition, type ServiceError } from '@grpc/grpc-js';
import { context, propagation, type TextMapSetter } from '@opentelemetry/api';
import { QuiverError, QuiverErrorCode, systemClock, type TimerHandle } from '@quiver/core';
import { storeV1 } from '@quiver/protocol';
import { decodedResponse, fromServiceError, rebuiltError } from './error-transport';

/**
 * The proxy's side of StoreService.Calls: unary calls to one store node multiplexed over one
 * long-lived bidirectional stream, so a call costs two stream messages instead of an HTTP/2
 * stream with headers and trailers of its own (on loopback, a round trip of about 0.05 ms
 * instead of 0.5 ms). Each call keeps the unary contract of InternalCaller.call: its own
 * timeout (also sent to the store node, which aborts the call there), cancellation by
 * AbortSignal (a cancel message follows), the caller's trace context, and every failure as a
 * QuiverError. When the stream breaks, every call on it fails as a unary call to a node that
 * went away would (retriable STORE_UNAVAILABLE) and the next call opens a new stream. A store
 * node that does not serve Calls (UNIMPLEMENTED, an older version) is called unary from then on;
 * the calls that were waiting on the stream are re-sent unary, since none of them ran.
 */

const headerSetter: TextMapSetter<Record<string, string>> = {
  set: (carrier, key, value) => {
    carrier[key] = value;
  },
};

/** UnaryFallback makes the same call as a unary call. */
export type UnaryFallback = <Req, Res, T>(method: MethodDefinition<Req, Res>, request: Req, decode: (response: Res) => T, timeoutMs: number, signal?: AbortSignal) => Promise<T>;

interface PendingCall {
  name: string;
  settle: (reply: storeV1.StoreReply) => void;
  fail: (error: unknown) => void;
  resendUnary: () => void;
}

export class CallStream {
  private stream: ClientDuplexStream<storeV1.StoreCall, storeV1.StoreReply> | undefined;
  private readonly pending = new Map<number, PendingCall>();
  private nextId = 1;
  private unsupported = false;
  private closed = false;

  constructor(
    private readonly client: Client,
    private readonly address: string,
    private readonly unary: UnaryFallback,
  ) {}

  /** supported is false once the store node answered that it does not serve Calls. */
  get supported(): boolean {
    return !this.unsupported;
  }

  call<Req, Res, T>(method: MethodDefinition<Req, Res>, request: Req, decode: (response: Res) => T, timeoutMs: number, signal?: AbortSignal): Promise<T> {
    if (this.unsupported || this.closed) return this.unary(method, request, decode, timeoutMs, signal);
    const name = method.path.slice(method.path.lastIndexOf('/') + 1);
    if (signal?.aborted) return Promise.reject(signal.reason);
    const stream = this.open();
    const id = this.nextId++;
    const headers: Record<string, string> = {};
    propagation.inject(context.active(), headers, headerSetter);
    return new Promise<T>((resolve, reject) => {
      let timer: TimerHandle | undefined;
      const forget = (): void => {
        this.pending.delete(id);
        if (timer !== undefined) systemClock.clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.endIfClosedAndIdle();
      };
      const abandon = (error: unknown): void => {
        forget();
        this.write({ id, method: '', request: Buffer.alloc(0), timeoutMs: 0, headers: {}, cancel: true });
        reject(error);
      };
      const onAbort = (): void => abandon(signal!.reason);
      timer = systemClock.setTimeout(() => abandon(new QuiverError(QuiverErrorCode.StoreTimeout, `${name} on ${this.address} timed out after ${timeoutMs} ms`, { retriable: true })), timeoutMs);
      timer.unref?.();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, {
        name,
        settle: (reply) => {
          forget();
          const outcome = reply.outcome;
          if (outcome?.$case === 'failure') {
            reject(rebuiltError(outcome.value.code, outcome.value.message, outcome.value.retriable));
            return;
          }
          try {
            resolve(decodedResponse(outcome?.$case === 'response' ? () => decode(method.responseDeserialize(outcome.value)) : undefined, name, this.address));
          } catch (failure) {
            reject(failure);
          }
        },
        fail: (error) => {
          forget();
          reject(error);
        },
        resendUnary: () => {
          forget();
          this.unary(method, request, decode, timeoutMs, signal).then(resolve, reject);
        },
      });
      stream.write({ id, method: name, request: method.requestSerialize(request), timeoutMs, headers, cancel: false });
    });
  }

  /** close ends the stream once the calls on it are answered; later calls go unary (and fail as closed there). */
  close(): void {
    this.closed = true;
    this.endIfClosedAndIdle();
  }

  private open(): ClientDuplexStream<storeV1.StoreCall, storeV1.StoreReply> {
    if (this.stream !== undefined) return this.stream;
    const definition = storeV1.StoreServiceService.calls;
    const stream = this.client.makeBidiStreamRequest(definition.path, definition.requestSerialize, definition.responseDeserialize, new Metadata());
    this.stream = stream;
    stream.on('data', (reply: storeV1.StoreReply) => this.pending.get(reply.id)?.settle(reply));
    // A reply can only follow its call; an unknown id is a call already timed out or cancelled here.
    stream.on('error', (error: ServiceError) => this.broken(stream, error));
    stream.on('end', () => this.broken(stream, undefined));
    return stream;
  }

  private broken(stream: ClientDuplexStream<storeV1.StoreCall, storeV1.StoreReply>, error: ServiceError | undefined): void {
    if (this.stream !== stream) return;
    this.stream = undefined;
    const calls = [...this.pending.values()];
    if (error?.code === GrpcStatus.UNIMPLEMENTED) {
      this.unsupported = true;
      calls.forEach((call) => call.resendUnary());
      return;
    }
    for (const call of calls) {
      call.fail(
        error !== undefined
          ? fromServiceError(error, this.address, call.name)
          : new QuiverError(QuiverErrorCode.StoreUnavailable, `${call.name} on ${this.address} failed: the call stream ended`, { retriable: true }),
      );
    }
  }

  private write(message: storeV1.StoreCall): void {
    this.stream?.write(message);
  }

  private endIfClosedAndIdle(): void {
    if (this.closed && this.pending.size === 0 && this.stream !== undefined) {
      const stream = this.stream;
      this.stream = undefined;
      stream.end();
    }
  }
}
