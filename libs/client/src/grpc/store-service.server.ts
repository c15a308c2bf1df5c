import type { Server } from '@grpc/grpc-js';
import type { PoppedMessage } from '@quiver/core';
import { storeV1, withFastStoreCodecs } from '@quiver/protocol';
import type { Logger } from '@quiver/telemetry';
import type { PopRequest, StoreService } from '../store-service';
import { abandonedPopInvisibleDurationMs } from './limits';
import { wireFailure } from './error-transport';
import { InFlightGate } from '@quiver/core';
import { methodName, serveCallStream, type StreamableMethod } from './call-stream.server';
import { internalUnary, serveDepsOf, type InternalHandler, type InternalServeOptions } from './server-adapter';
import {
  ackRequestFromWire,
  ackResultToWire,
  appendRequestFromWire,
  appendResultToWire,
  changeInvisibleRequestFromWire,
  changeInvisibleResultToWire,
  forwardRequestFromWire,
  popRequestFromWire,
  popResultToWire,
  endTransactionRequestFromWire,
  endTransactionResultToWire,
  orphanedTransactionsRequestFromWire,
  orphanedTransactionsResultToWire,
  prepareTransactionRequestFromWire,
  prepareTransactionResultToWire,
  recordTransactionCheckRequestFromWire,
  recallRequestFromWire,
  recallResultToWire,
  scheduleRequestFromWire,
  scheduleResultToWire,
  commitOffsetRequestFromWire,
  offsetsRequestFromWire,
  pullRequestFromWire,
  pullResultToWire,
  queryOffsetRequestFromWire,
  queueOffsetsToWire,
} from './store-service.converter';

/**
 * serveStoreService registers quiver.store.v1.StoreService on `server`, backed by `store` (the
 * store node's local implementation). Each RPC decodes, calls the store with the call's
 * AbortSignal where the interface takes one, and encodes; a thrown QuiverError reaches the
 * caller as the same QuiverError (see error-transport.ts). A pop whose caller cancelled while
 * the store was handing messages out releases them, as the proxy does for its own clients, so
 * they come back soon instead of after their whole invisible duration.
 */
export function serveStoreService(server: Server, store: StoreService, options: StoreServeOptions = {}): void {
  const deps = serveDepsOf(options);
  // Unary calls and the Calls stream take their codecs from these definitions: AppendBatch
  // requests are decoded and PopMessages responses encoded by hand (same bytes, same values;
  // appended bodies are views of the request until the group commit copies them into records).
  const service = withFastStoreCodecs(storeV1.StoreServiceService);
  const handlers: UnaryHandlers = {
    appendMessages: async (request: storeV1.AppendMessagesRequest, signal) =>
      appendResultToWire(await store.appendMessages(appendRequestFromWire(request), signal)),
    popMessages: async (wire: storeV1.PopMessagesRequest, signal) => {
      const request = popRequestFromWire(wire);
      const result = await store.popMessages(request, signal);
      if (signal.aborted && result.messages.length > 0) {
        await releaseAbandoned(store, request, result.messages, deps.logger);
        return { messages: [], deadLettered: 0 };
      }
      return popResultToWire(result);
    },
    ackMessages: async (request: storeV1.AckMessagesRequest) =>
      ackResultToWire(await store.ackMessages(ackRequestFromWire(request))),
    changeInvisibleDuration: async (request: storeV1.ChangeInvisibleDurationRequest) =>
      changeInvisibleResultToWire(await store.changeInvisibleDuration(changeInvisibleRequestFromWire(request))),
    forwardToDeadLetterQueue: async (request: storeV1.ForwardToDeadLetterQueueRequest): Promise<storeV1.ForwardToDeadLetterQueueResponse> => {
      await store.forwardToDeadLetterQueue(forwardRequestFromWire(request));
      return {};
    },
    scheduleMessages: async (request: storeV1.ScheduleMessagesRequest, signal) =>
      scheduleResultToWire(await store.scheduleMessages(scheduleRequestFromWire(request), signal)),
    recallMessage: async (request: storeV1.RecallMessageRequest) =>
      recallResultToWire(await store.recallMessage(recallRequestFromWire(request))),
    prepareTransaction: async (request: storeV1.PrepareTransactionRequest, signal) =>
      prepareTransactionResultToWire(await store.prepareTransaction(prepareTransactionRequestFromWire(request), signal)),
    endTransaction: async (request: storeV1.EndTransactionRequest) =>
      endTransactionResultToWire(await store.endTransaction(endTransactionRequestFromWire(request))),
    orphanedTransactions: async (request: storeV1.OrphanedTransactionsRequest) =>
      orphanedTransactionsResultToWire(await store.orphanedTransactions(orphanedTransactionsRequestFromWire(request))),
    recordTransactionCheck: async (request: storeV1.RecordTransactionCheckRequest): Promise<storeV1.RecordTransactionCheckResponse> => {
      await store.recordTransactionCheck(recordTransactionCheckRequestFromWire(request));
      return {};
    },
    appendBatch: async (request: storeV1.AppendBatchRequest, signal) => ({
      // Each append runs as its own AppendMessages would; the store's group commit joins their writes.
      outcomes: await Promise.all(
        request.appends.map(async (append): Promise<storeV1.AppendOutcome> => {
          try {
            return { outcome: { $case: 'appended', value: appendResultToWire(await store.appendMessages(appendRequestFromWire(append), signal)) } };
          } catch (error) {
            return { outcome: { $case: 'failure', value: wireFailure(error, deps.logger, service.appendBatch.path) } };
          }
        }),
      ),
    }),
    seedOffsets: async (request: storeV1.OffsetsRequest) =>
      queueOffsetsToWire(await store.seedOffsets(offsetsRequestFromWire(request))),
    resetOffsets: async (request: storeV1.OffsetsRequest) =>
      queueOffsetsToWire(await store.resetOffsets(offsetsRequestFromWire(request))),
    commitOffset: async (request: storeV1.CommitOffsetRequest): Promise<storeV1.CommitOffsetResponse> => {
      await store.commitOffset(commitOffsetRequestFromWire(request));
      return {};
    },
    queryOffset: async (request: storeV1.QueryOffsetRequest) => ({
      offset: await store.queryOffset(queryOffsetRequestFromWire(request)),
    }),
    pullMessages: async (request: storeV1.PullMessagesRequest, signal) =>
      pullResultToWire(await store.pullMessages(pullRequestFromWire(request), signal)),
  };
  const methods = new Map<string, StreamableMethod>();
  const unaryCalls: Record<string, unknown> = {};
  for (const [key, handler] of Object.entries(handlers) as Array<[UnaryMethod, StreamableMethod['handler']]>) {
    const definition = service[key];
    const gate = new InFlightGate(deps.inFlightMax);
    methods.set(methodName(definition.path), { definition, handler, gate });
    unaryCalls[key] = internalUnary(definition.path, deps, handler, gate);
  }
  const { unary = true, calls = true } = options.transports ?? {};
  // A method left out is answered UNIMPLEMENTED by grpc-js.
  const implementation = { ...(unary ? unaryCalls : {}), ...(calls ? { calls: serveCallStream(methods, deps) } : {}) } as unknown as storeV1.StoreServiceServer;
  server.addService(service, implementation);
}

export interface StoreServeOptions extends InternalServeOptions {
  /**
   * transports names how the calls are served: as unary RPCs, on the Calls stream, or both (a
   * proxy uses the stream and falls back to unary calls when a node does not serve it).
   * @default both
   */
  transports?: { unary?: boolean; calls?: boolean };
}

type StoreDefinition = typeof storeV1.StoreServiceService;
type UnaryMethod = Exclude<keyof StoreDefinition, 'calls'>;
/** UnaryHandlers serve every unary RPC; each is registered as a unary call and on the Calls stream. */
type UnaryHandlers = {
  [K in UnaryMethod]: InternalHandler<ReturnType<StoreDefinition[K]['requestDeserialize']>, Parameters<StoreDefinition[K]['responseSerialize']>[0]>;
};

/** releaseAbandoned makes messages popped for a call nobody will answer visible again soon. */
async function releaseAbandoned(store: StoreService, request: PopRequest, messages: PoppedMessage[], logger: Logger): Promise<void> {
  await Promise.all(
    messages.map(async (popped) => {
      try {
        await store.changeInvisibleDuration({
          group: request.group,
          topic: request.topic,
          queueId: popped.message.queueId,
          offset: popped.message.queueOffset,
          popGeneration: popped.popGeneration,
          invisibleDurationMs: abandonedPopInvisibleDurationMs,
        });
      } catch (error) {
        logger.warn(
          { err: error, messageId: popped.message.messageId },
          'could not release a message popped for a cancelled call; it returns after its invisible duration',
        );
      }
    }),
  );
}
