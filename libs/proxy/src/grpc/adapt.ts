import type {
  handleBidiStreamingCall,
  handleServerStreamingCall,
  handleUnaryCall,
  ServerDuplexStream,
  ServerUnaryCall,
} from '@grpc/grpc-js';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { frameWriter } from '@quiver/client';
import { CallAbortController, InFlightGate, stringHeaders } from '@quiver/core';
import { withServerSpan, type Logger } from '@quiver/telemetry';
import { HEADER, type ProxyContext } from '../context';
import { status, toStatus } from '../status';
import { Code, type Status } from '../wire';

/**
 * The one place where grpc-js callbacks meet our handlers. Handlers are plain async functions
 * over the generated types; they never call a callback, so none can be called twice.
 */

export interface AdapterDeps {
  logger: Logger;
  /** inFlightMax bounds concurrent calls of one RPC family; beyond it clients get TOO_MANY_REQUESTS. */
  inFlightMax: number;
}

/** AnyCall is what every grpc-js server call offers that the context needs. */
type AnyCall = Pick<ServerUnaryCall<unknown, unknown>, 'metadata' | 'getDeadline' | 'getPeer'> & NodeJS.EventEmitter;


/** contextOf builds the protocol-neutral context of a call; its signal aborts on cancel or deadline. */
export function contextOf(call: AnyCall): { context: ProxyContext; dispose: () => void } {
  const headers = stringHeaders(call.metadata.getMap());
  const controller = new CallAbortController();
  const deadline = call.getDeadline();
  const deadlineMs = deadline instanceof Date ? deadline.getTime() : Number.isFinite(deadline) ? Number(deadline) : Infinity;
  const onCancel = (): void => controller.abort();
  call.on('cancelled', onCancel);
  let timer: NodeJS.Timeout | undefined;
  if (Number.isFinite(deadlineMs)) {
    timer = setTimeout(onCancel, Math.max(0, deadlineMs - Date.now()));
    timer.unref();
  }
  const context: ProxyContext = {
    clientId: headers[HEADER.clientId] ?? '',
    namespace: headers[HEADER.namespace] ?? '',
    language: headers[HEADER.language] ?? '',
    clientVersion: headers[HEADER.clientVersion] ?? '',
    requestId: headers[HEADER.requestId] ?? '',
    peer: call.getPeer(),
    deadlineMs,
    signal: controller.signal,
    headers,
  };
  return {
    context,
    dispose: () => {
      if (timer) clearTimeout(timer);
      call.removeListener('cancelled', onCancel);
    },
  };
}

const CLIENT_ID_REQUIRED = status(Code.CLIENT_ID_REQUIRED, `${HEADER.clientId} header is required`);


/**
 * unary adapts an activity. `failure` shapes the in-band response for a status, since every
 * RocketMQ response reports errors in its `status` field with gRPC OK.
 */
export function unary<Req, Res>(
  method: string,
  deps: AdapterDeps,
  handler: (request: Req, context: ProxyContext) => Promise<Res>,
  failure: (status: Status) => Res,
): handleUnaryCall<Req, Res> {
  const gate = new InFlightGate(deps.inFlightMax);
  return (call, callback) => {
    const { context, dispose } = contextOf(call as unknown as AnyCall);
    if (!context.clientId) {
      dispose();
      callback(null, failure(CLIENT_ID_REQUIRED));
      return;
    }
    if (!gate.tryEnter()) {
      dispose();
      callback(null, failure(status(Code.TOO_MANY_REQUESTS, `too many concurrent ${method} calls`)));
      return;
    }
    void answerUnary(method, deps, handler, failure, call.request, context, callback).finally(() => {
      gate.leave();
      dispose();
    });
  };
}

/** answerUnary runs one unary call and answers it: the response, the in-band failure, or INTERNAL when even that fails. */
async function answerUnary<Req, Res>(
  method: string,
  deps: AdapterDeps,
  handler: (request: Req, context: ProxyContext) => Promise<Res>,
  failure: (status: Status) => Res,
  request: Req,
  context: ProxyContext,
  callback: Parameters<handleUnaryCall<Req, Res>>[1],
): Promise<void> {
  let response: Res;
  try {
    try {
      response = await withServerSpan(spanName(method), context.headers, { 'rpc.method': method }, () => handler(request, context));
    } catch (error) {
      response = failure(toStatus(error, deps.logger));
    }
  } catch (error) {
    deps.logger.error({ err: error, method }, 'failure shaping a response');
    callback({ code: GrpcStatus.INTERNAL, details: 'internal error' });
    return;
  }
  callback(null, response);
}

const spanNames = new Map<string, string>();

/** spanName is the span of an RPC, built once per method. */
function spanName(method: string): string {
  let name = spanNames.get(method);
  if (name === undefined) {
    name = `apache.rocketmq.v2.MessagingService/${method}`;
    spanNames.set(method, name);
  }
  return name;
}

/**
 * serverStream adapts a streaming activity: it writes frames through `write` and the adapter
 * ends the stream. On a thrown error the frames of `failure(status)` are written instead.
 */
export function serverStream<Req, Res>(
  method: string,
  deps: AdapterDeps,
  handler: (request: Req, context: ProxyContext, write: (frame: Res) => void) => Promise<void>,
  failure: (status: Status) => Res[],
): handleServerStreamingCall<Req, Res> {
  const gate = new InFlightGate(deps.inFlightMax);
  return (call) => {
    const { context, dispose } = contextOf(call as unknown as AnyCall);
    const write = frameWriter<Res>(call);
    const finish = (): void => {
      dispose();
      if (!call.cancelled) call.end();
    };
    if (!context.clientId) {
      failure(CLIENT_ID_REQUIRED).forEach(write);
      finish();
      return;
    }
    if (!gate.tryEnter()) {
      failure(status(Code.TOO_MANY_REQUESTS, `too many concurrent ${method} calls`)).forEach(write);
      finish();
      return;
    }
    withServerSpan(spanName(method), context.headers, { 'rpc.method': method }, () =>
      handler(call.request, context, write),
    )
      .catch((error: unknown) => failure(toStatus(error, deps.logger)).forEach(write))
      .finally(() => {
        gate.leave();
        finish();
      });
  };
}

/** bidiStream hands the duplex call to the activity with its context; the activity owns the stream. */
export function bidiStream<Req, Res>(
  deps: AdapterDeps,
  handler: (call: ServerDuplexStream<Req, Res>, context: ProxyContext) => void,
): handleBidiStreamingCall<Req, Res> {
  const gate = new InFlightGate(deps.inFlightMax);
  return (call) => {
    const { context, dispose } = contextOf(call as unknown as AnyCall);
    if (!gate.tryEnter()) {
      dispose();
      call.emit('error', { code: GrpcStatus.RESOURCE_EXHAUSTED, details: 'too many telemetry streams' });
      return;
    }
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      gate.leave();
      dispose();
    };
    call.on('close', release);
    call.on('finish', release);
    call.on('error', release);
    call.on('cancelled', release);
    handler(call, context);
  };
}
