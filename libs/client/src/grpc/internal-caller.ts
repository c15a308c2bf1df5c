import { Client, credentials as grpcCredentials, Metadata, type ChannelCredentials, type ChannelOptions, type MethodDefinition } from '@grpc/grpc-js';
import { context, propagation, type TextMapSetter } from '@opentelemetry/api';
import { QuiverError, QuiverErrorCode, systemClock } from '@quiver/core';
import { internalChannelOptions } from './channel-options';
import { CallStream } from './call-stream';
import { decodedResponse, fromServiceError } from './error-transport';

/** GrpcClientOptions configure the channel and deadlines of a client of an internal service. */
export interface GrpcClientOptions {
  /**
   * credentials secure the channel. Internal links run on the cluster's private network;
   * pass TLS credentials (`credentials.createSsl(...)`) when they do not.
   * @default credentials.createInsecure()
   */
  credentials?: ChannelCredentials;
  /**
   * callTimeoutMs is the deadline, in milliseconds from the call's start, of every call except
   * popMessages (whose deadline follows its poll timeout).
   * @default callTimeoutMsDefault (10 000 ms)
   */
  callTimeoutMs?: number;
  /**
   * channelOptions are merged over internalChannelOptions(), key by key.
   * @default internalChannelOptions()
   */
  channelOptions?: ChannelOptions;
}

/** checkedDurationMs returns `value` when it is a positive whole number of milliseconds, and throws a RangeError otherwise. */
export function checkedDurationMs(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer of milliseconds, got ${value}`);
  return value;
}

const metadataSetter: TextMapSetter<Metadata> = {
  set: (carrier, key, value) => carrier.set(key, value),
};

/**
 * InternalCaller makes the unary calls of one client of an internal service: one grpc-js
 * channel to `address`, a deadline on every call, the caller's trace context in the headers,
 * cancellation by AbortSignal, and every failure as a QuiverError (see error-transport.ts).
 */
export class InternalCaller {
  private readonly client: Client;
  private readonly callStream: CallStream | undefined;
  private closed = false;

  /** With `multiplexed`, calls go over StoreService.Calls (see call-stream.ts); the peer must be a store node. */
  constructor(
    readonly address: string,
    options: GrpcClientOptions,
    multiplexed = false,
  ) {
    this.client = new Client(address, options.credentials ?? grpcCredentials.createInsecure(), {
      ...internalChannelOptions(),
      ...options.channelOptions,
    });
    this.callStream = multiplexed ? new CallStream(this.client, address, (method, request, decode, timeoutMs, signal) => this.unaryCall(method, request, decode, timeoutMs, signal)) : undefined;
  }

  /**
   * call sends `request` on `method` and resolves with `decode(response)`. The call is
   * cancelled when `signal` aborts, and then rejects with the signal's reason, as aborted
   * platform APIs do (unless the reply arrived first). A response `decode` rejects (the peer broke the contract) becomes
   * INTERNAL.
   */
  call<Req, Res, T>(method: MethodDefinition<Req, Res>, request: Req, decode: (response: Res) => T, timeoutMs: number, signal?: AbortSignal): Promise<T> {
    if (this.callStream !== undefined && !this.closed) return this.callStream.call(method, request, decode, timeoutMs, signal);
    return this.unaryCall(method, request, decode, timeoutMs, signal);
  }

  private unaryCall<Req, Res, T>(method: MethodDefinition<Req, Res>, request: Req, decode: (response: Res) => T, timeoutMs: number, signal?: AbortSignal): Promise<T> {
    const name = method.path.slice(method.path.lastIndexOf('/') + 1);
    if (this.closed) {
      return Promise.reject(new QuiverError(QuiverErrorCode.Closed, `client of ${this.address} is closed (${name})`));
    }
    if (signal?.aborted) return Promise.reject(signal.reason);
    const metadata = new Metadata();
    propagation.inject(context.active(), metadata, metadataSetter);
    // gRPC deadlines are wall-clock instants by protocol, hence the system clock.
    const deadline = systemClock.nowMs() + timeoutMs;
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => call.cancel();
      const call = this.client.makeUnaryRequest(
        method.path,
        method.requestSerialize,
        method.responseDeserialize,
        request,
        metadata,
        { deadline },
        (error, response) => {
          signal?.removeEventListener('abort', onAbort);
          if (error) {
            // A reply that arrived is kept even if the signal aborted since: popped messages
            // in it would otherwise stay invisible, with nobody left to release them.
            reject(signal?.aborted ? signal.reason : fromServiceError(error, this.address, name));
          } else {
            try {
              resolve(decodedResponse(response === undefined ? undefined : () => decode(response), name, this.address));
            } catch (failure) {
              reject(failure);
            }
          }
        },
      );
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** close closes the channel; later calls reject with CLOSED. Calls in flight run to their end. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.callStream?.close();
    this.client.close();
  }
}
