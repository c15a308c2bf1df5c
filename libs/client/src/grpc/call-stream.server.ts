import type { handleBidiStreamingCall, MethodDefinition } from '@grpc/grpc-js';
import { InFlightGate, QuiverError, QuiverErrorCode } from '@quiver/core';
import { storeV1 } from '@quiver/protocol';
import { wireFailure } from './error-transport';
import { frameWriter } from './frame-batching';
import { overloadError, startInternalCall, type InternalHandler, type InternalServeDeps } from './server-adapter';

/**
 * The store node's side of StoreService.Calls: the unary calls of a proxy, multiplexed over one
 * long-lived stream. Each call runs exactly as its unary twin would (same handler, same trace
 * span, same errors, a signal that aborts at its timeout), only without an HTTP/2 stream of its
 * own. Replies go back in completion order, tagged with the call's id.
 */

/** StreamableMethod is one unary RPC as the stream dispatches it: its definition (for the codecs) and its handler. */
export interface StreamableMethod {
  // The request and response types differ per method; the stream only moves their bytes.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  definition: MethodDefinition<any, any>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  handler: InternalHandler<any, any>;
  /** gate bounds the method's concurrent calls, shared with its unary twin. */
  gate: InFlightGate;
}

/** methodName is the RPC name at the end of a grpc path ("/quiver.store.v1.StoreService/PopMessages" -> "PopMessages"). */
export function methodName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/**
 * serveCallStream answers a Calls stream with the methods in `methods` (by RPC name). When the
 * stream breaks or the proxy cancels it, every call still running on it is aborted, as a
 * cancelled unary call would be (a pop then releases what it took).
 */
export function serveCallStream(methods: ReadonlyMap<string, StreamableMethod>, deps: InternalServeDeps): handleBidiStreamingCall<storeV1.StoreCall, storeV1.StoreReply> {
  return (call) => {
    /** running maps the calls under way on this stream, by id, to their abort. */
    const running = new Map<number, () => void>();
    let ended = false;
    // Replies that complete together (a group commit settles many appends at once) leave in one write.
    const reply = frameWriter<storeV1.StoreReply>(call);
    const endWhenIdle = (): void => {
      if (ended && running.size === 0 && call.writable) call.end();
    };
    const abortAll = (): void => {
      for (const abort of running.values()) abort();
    };
    call.on('cancelled', abortAll);
    call.on('error', abortAll);
    call.on('end', () => {
      ended = true;
      endWhenIdle();
    });
    call.on('data', (storeCall: storeV1.StoreCall) => {
      const id = storeCall.id;
      if (storeCall.cancel) {
        running.get(id)?.();
        return;
      }
      const failed = (error: unknown, path: string): void => {
        reply({ id, outcome: { $case: 'failure', value: wireFailure(error, deps.logger, path) } });
      };
      const method = methods.get(storeCall.method);
      if (method === undefined) {
        failed(new QuiverError(QuiverErrorCode.BadRequest, `no StoreService method ${JSON.stringify(storeCall.method)} on the Calls stream`), 'Calls');
        return;
      }
      const path = method.definition.path;
      if (running.has(id)) {
        failed(new QuiverError(QuiverErrorCode.BadRequest, `call id ${id} is already running on this stream`), path);
        return;
      }
      if (!method.gate.tryEnter()) {
        failed(overloadError(path), path);
        return;
      }
      let request: unknown;
      try {
        request = method.definition.requestDeserialize(Buffer.from(storeCall.request.buffer, storeCall.request.byteOffset, storeCall.request.byteLength));
      } catch (error) {
        method.gate.leave();
        failed(new QuiverError(QuiverErrorCode.BadRequest, `undecodable ${storeCall.method} request: ${(error as Error).message}`), path);
        return;
      }
      const started = startInternalCall(path, storeCall.headers, { 'quiver.transport': 'calls-stream' }, storeCall.timeoutMs > 0 ? storeCall.timeoutMs : undefined, (signal) =>
        method.handler(request, signal),
      );
      running.set(id, started.abort);
      void started.result
        .then(
          (response: unknown) => reply({ id, outcome: { $case: 'response', value: method.definition.responseSerialize(response) } }),
          (error: unknown) => failed(error, path),
        )
        .catch((error: unknown) => deps.logger.error({ err: error, method: path }, 'failure answering a streamed internal call'))
        .finally(() => {
          method.gate.leave();
          running.delete(id);
          endWhenIdle();
        });
    });
  };
}
