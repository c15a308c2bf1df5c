import type { handleUnaryCall, ServerUnaryCall } from '@grpc/grpc-js';
import { InFlightGate, QuiverError, QuiverErrorCode, stringHeaders, systemClock, type TimerHandle } from '@quiver/core';
import { silentLogger, withServerSpan, type Logger } from '@quiver/telemetry';
import { toGrpcStatus } from './error-transport';
import { serverInFlightMaxDefault } from './limits';

/**
 * The one place where grpc-js server callbacks meet the internal services. Handlers are plain
 * async functions over the generated types that get an AbortSignal; they never call a
 * callback, so none is called twice, and every failure goes through toGrpcStatus.
 */

/** InternalServeOptions configure serveStoreService and serveNameServerService. */
export interface InternalServeOptions {
  /**
   * logger receives unexpected failures with their stacks; callers only get "internal error".
   * @default silentLogger (pass the process's logger)
   */
  logger?: Logger;
  /**
   * inFlightMax bounds the concurrent calls of each RPC; beyond it callers get a retriable
   * TOO_MANY_REQUESTS.
   * @default serverInFlightMaxDefault (8192)
   */
  inFlightMax?: number;
}

export interface InternalServeDeps {
  logger: Logger;
  inFlightMax: number;
}

/** serveDepsOf applies the defaults of InternalServeOptions and checks them. */
export function serveDepsOf(options: InternalServeOptions): InternalServeDeps {
  const inFlightMax = options.inFlightMax ?? serverInFlightMaxDefault;
  if (!Number.isSafeInteger(inFlightMax) || inFlightMax < 1) {
    throw new RangeError(`inFlightMax must be a positive integer, got ${inFlightMax}`);
  }
  return { logger: options.logger ?? silentLogger, inFlightMax };
}

/** InternalHandler serves one RPC. `signal` aborts when the caller cancels or the call's deadline passes. */
export type InternalHandler<Req, Res> = (request: Req, signal: AbortSignal) => Promise<Res>;



function deadlineMsOf(call: ServerUnaryCall<unknown, unknown>): number {
  const deadline = call.getDeadline();
  return deadline instanceof Date ? deadline.getTime() : deadline;
}

/**
 * internalUnary adapts `handler` to grpc-js for the RPC at `path` (e.g.
 * "/quiver.store.v1.StoreService/PopMessages"), with a server span continuing the caller's
 * trace, a bound on concurrent calls (`gate`, which a Calls stream may share), and a signal that aborts on the call's 'cancelled'
 * event or at its deadline, whichever comes first.
 */
export function internalUnary<Req, Res>(
  path: string,
  deps: InternalServeDeps,
  handler: InternalHandler<Req, Res>,
  gate = new InFlightGate(deps.inFlightMax),
): handleUnaryCall<Req, Res> {
  const method = path.slice(path.lastIndexOf('/') + 1);
  return (call, callback) => {
    if (!gate.tryEnter()) {
      const overload = new QuiverError(QuiverErrorCode.TooManyRequests, `too many concurrent ${method} calls`, { retriable: true });
      callback(toGrpcStatus(overload, deps.logger, path));
      return;
    }
    const controller = new AbortController();
    const abort = (): void => controller.abort();
    call.on('cancelled', abort);
    const deadlineMs = deadlineMsOf(call);
    let deadlineTimer: TimerHandle | undefined;
    if (Number.isFinite(deadlineMs)) {
      deadlineTimer = systemClock.setTimeout(abort, Math.max(0, deadlineMs - systemClock.nowMs()));
      deadlineTimer.unref?.();
    }
    const attributes = { 'rpc.system': 'grpc', 'rpc.method': method, 'rpc.service': path.slice(1, path.lastIndexOf('/')) };
    void withServerSpan(path, stringHeaders(call.metadata.getMap()), attributes, () => handler(call.request, controller.signal))
      .then(
        (response) => callback(null, response),
        (error: unknown) => callback(toGrpcStatus(error, deps.logger, path)),
      )
      .catch((error: unknown) => deps.logger.error({ err: error, method: path }, 'failure answering an internal rpc'))
      .finally(() => {
        gate.leave();
        call.removeListener('cancelled', abort);
        if (deadlineTimer !== undefined) systemClock.clearTimeout(deadlineTimer);
      });
  };
}
