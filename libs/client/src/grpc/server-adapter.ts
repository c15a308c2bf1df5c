import type { handleUnaryCall, ServerUnaryCall } from '@grpc/grpc-js';
import { CallAbortController, InFlightGate, QuiverError, QuiverErrorCode, stringHeaders, systemClock, type TimerHandle } from '@quiver/core';
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
  return (call, callback) => {
    if (!gate.tryEnter()) {
      callback(toGrpcStatus(overloadError(path), deps.logger, path));
      return;
    }
    const deadlineMs = deadlineMsOf(call);
    const running = startInternalCall(path, stringHeaders(call.metadata.getMap()), {}, Number.isFinite(deadlineMs) ? deadlineMs - systemClock.nowMs() : undefined, (signal) =>
      handler(call.request, signal),
    );
    call.on('cancelled', running.abort);
    void running.result
      .then(
        (response) => callback(null, response),
        (error: unknown) => callback(toGrpcStatus(error, deps.logger, path)),
      )
      .catch((error: unknown) => deps.logger.error({ err: error, method: path }, 'failure answering an internal rpc'))
      .finally(() => {
        gate.leave();
        call.removeListener('cancelled', running.abort);
      });
  };
}

/** overloadError is the retriable TOO_MANY_REQUESTS of an RPC whose in-flight bound is reached. */
export function overloadError(path: string): QuiverError {
  return new QuiverError(QuiverErrorCode.TooManyRequests, `too many concurrent ${path.slice(path.lastIndexOf('/') + 1)} calls`, { retriable: true });
}

/** RunningCall is one internal call under way: its outcome, and how to abort it (its caller went away). */
export interface RunningCall<Res> {
  result: Promise<Res>;
  abort: () => void;
}

/**
 * startInternalCall runs `work` for the RPC at `path` inside a server span continuing the
 * caller's trace (`headers`), with a signal that aborts after `timeoutMs` (none when undefined)
 * or when `abort` is called, whichever comes first. Unary calls and the Calls stream both run
 * their handlers through it.
 */
export function startInternalCall<Res>(
  path: string,
  headers: Record<string, string>,
  extraAttributes: Record<string, string>,
  timeoutMs: number | undefined,
  work: (signal: AbortSignal) => Promise<Res>,
): RunningCall<Res> {
  const controller = new CallAbortController();
  const abort = (): void => controller.abort();
  let timer: TimerHandle | undefined;
  if (timeoutMs !== undefined) {
    timer = systemClock.setTimeout(abort, Math.max(0, timeoutMs));
    timer.unref?.();
  }
  const attributes = { 'rpc.system': 'grpc', 'rpc.method': path.slice(path.lastIndexOf('/') + 1), 'rpc.service': path.slice(1, path.lastIndexOf('/')), ...extraAttributes };
  const result = withServerSpan(path, headers, attributes, () => work(controller.signal)).finally(() => {
    if (timer !== undefined) systemClock.clearTimeout(timer);
  });
  return { result, abort };
}
