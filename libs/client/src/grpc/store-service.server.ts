import type { Server } from '@grpc/grpc-js';
import type { PoppedMessage } from '@quiver/core';
import { storeV1 } from '@quiver/protocol';
import type { Logger } from '@quiver/telemetry';
import type { PopRequest, StoreService } from '../store-service';
import { abandonedPopInvisibleDurationMs } from './limits';
import { transportableError } from './error-transport';
import { internalUnary, serveDepsOf, type InternalServeOptions } from './server-adapter';
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
export function serveStoreService(server: Server, store: StoreService, options: InternalServeOptions = {}): void {
  const deps = serveDepsOf(options);
  const service = storeV1.StoreServiceService;
  const implementation: storeV1.StoreServiceServer = {
    appendMessages: internalUnary(service.appendMessages.path, deps, async (request: storeV1.AppendMessagesRequest, signal) =>
      appendResultToWire(await store.appendMessages(appendRequestFromWire(request), signal)),
    ),
    popMessages: internalUnary(service.popMessages.path, deps, async (wire: storeV1.PopMessagesRequest, signal) => {
      const request = popRequestFromWire(wire);
      const result = await store.popMessages(request, signal);
      if (signal.aborted && result.messages.length > 0) {
        await releaseAbandoned(store, request, result.messages, deps.logger);
        return { messages: [], deadLettered: 0 };
      }
      return popResultToWire(result);
    }),
    ackMessages: internalUnary(service.ackMessages.path, deps, async (request: storeV1.AckMessagesRequest) =>
      ackResultToWire(await store.ackMessages(ackRequestFromWire(request))),
    ),
    changeInvisibleDuration: internalUnary(
      service.changeInvisibleDuration.path,
      deps,
      async (request: storeV1.ChangeInvisibleDurationRequest) =>
        changeInvisibleResultToWire(await store.changeInvisibleDuration(changeInvisibleRequestFromWire(request))),
    ),
    forwardToDeadLetterQueue: internalUnary(
      service.forwardToDeadLetterQueue.path,
      deps,
      async (request: storeV1.ForwardToDeadLetterQueueRequest): Promise<storeV1.ForwardToDeadLetterQueueResponse> => {
        await store.forwardToDeadLetterQueue(forwardRequestFromWire(request));
        return {};
      },
    ),
    scheduleMessages: internalUnary(service.scheduleMessages.path, deps, async (request: storeV1.ScheduleMessagesRequest, signal) =>
      scheduleResultToWire(await store.scheduleMessages(scheduleRequestFromWire(request), signal)),
    ),
    recallMessage: internalUnary(service.recallMessage.path, deps, async (request: storeV1.RecallMessageRequest) =>
      recallResultToWire(await store.recallMessage(recallRequestFromWire(request))),
    ),
    prepareTransaction: internalUnary(service.prepareTransaction.path, deps, async (request: storeV1.PrepareTransactionRequest, signal) =>
      prepareTransactionResultToWire(await store.prepareTransaction(prepareTransactionRequestFromWire(request), signal)),
    ),
    endTransaction: internalUnary(service.endTransaction.path, deps, async (request: storeV1.EndTransactionRequest) =>
      endTransactionResultToWire(await store.endTransaction(endTransactionRequestFromWire(request))),
    ),
    orphanedTransactions: internalUnary(service.orphanedTransactions.path, deps, async (request: storeV1.OrphanedTransactionsRequest) =>
      orphanedTransactionsResultToWire(await store.orphanedTransactions(orphanedTransactionsRequestFromWire(request))),
    ),
    recordTransactionCheck: internalUnary(
      service.recordTransactionCheck.path,
      deps,
      async (request: storeV1.RecordTransactionCheckRequest): Promise<storeV1.RecordTransactionCheckResponse> => {
        await store.recordTransactionCheck(recordTransactionCheckRequestFromWire(request));
        return {};
      },
    ),
    appendBatch: internalUnary(service.appendBatch.path, deps, async (request: storeV1.AppendBatchRequest, signal) => ({
      // Each append runs as its own AppendMessages would; the store's group commit joins their writes.
      outcomes: await Promise.all(
        request.appends.map(async (append): Promise<storeV1.AppendOutcome> => {
          try {
            return { outcome: { $case: 'appended', value: appendResultToWire(await store.appendMessages(appendRequestFromWire(append), signal)) } };
          } catch (error) {
            const failure = transportableError(error, deps.logger, service.appendBatch.path);
            return { outcome: { $case: 'failure', value: { code: failure.code, message: failure.message, retriable: failure.retriable } } };
          }
        }),
      ),
    })),
    seedOffsets: internalUnary(service.seedOffsets.path, deps, async (request: storeV1.OffsetsRequest) =>
      queueOffsetsToWire(await store.seedOffsets(offsetsRequestFromWire(request))),
    ),
    resetOffsets: internalUnary(service.resetOffsets.path, deps, async (request: storeV1.OffsetsRequest) =>
      queueOffsetsToWire(await store.resetOffsets(offsetsRequestFromWire(request))),
    ),
    commitOffset: internalUnary(service.commitOffset.path, deps, async (request: storeV1.CommitOffsetRequest): Promise<storeV1.CommitOffsetResponse> => {
      await store.commitOffset(commitOffsetRequestFromWire(request));
      return {};
    }),
    queryOffset: internalUnary(service.queryOffset.path, deps, async (request: storeV1.QueryOffsetRequest) => ({
      offset: await store.queryOffset(queryOffsetRequestFromWire(request)),
    })),
    pullMessages: internalUnary(service.pullMessages.path, deps, async (request: storeV1.PullMessagesRequest, signal) =>
      pullResultToWire(await store.pullMessages(pullRequestFromWire(request), signal)),
    ),
  };
  server.addService(service, implementation);
}

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
