import { QuiverError, QuiverErrorCode } from '@quiver/core';
import { storeV1, withFastStoreCodecs } from '@quiver/protocol';
import type {
  AckRequest,
  AckResult,
  AppendRequest,
  AppendResult,
  ChangeInvisibleRequest,
  ChangeInvisibleResult,
  ForwardToDeadLetterRequest,
  PopRequest,
  PopResult,
  RecallRequest,
  RecallResult,
  EndTransactionRequest,
  EndTransactionResult,
  OrphanedTransactionsRequest,
  OrphanedTransactionsResult,
  PrepareTransactionRequest,
  PrepareTransactionResult,
  RecordTransactionCheckRequest,
  ScheduleResult,
  StoreService,
  CommitOffsetRequest,
  OffsetsRequest,
  PullRequest,
  PullResult,
  QueryOffsetRequest,
  QueueOffsets,
} from '../store-service';
import { checkedDurationMs, InternalCaller, type GrpcClientOptions } from './internal-caller';
import { appendBatchAppendsMax, appendBatchBodyBytesMax, callTimeoutMsDefault, pollDeadlineMarginMsDefault } from './limits';
import { rebuiltError } from './error-transport';
import {
  ackRequestToWire,
  ackResultFromWire,
  appendRequestToWire,
  appendResultFromWire,
  changeInvisibleRequestToWire,
  changeInvisibleResultFromWire,
  forwardRequestToWire,
  popRequestToWire,
  popResultFromWire,
  endTransactionRequestToWire,
  endTransactionResultFromWire,
  orphanedTransactionsRequestToWire,
  orphanedTransactionsResultFromWire,
  prepareTransactionRequestToWire,
  prepareTransactionResultFromWire,
  recordTransactionCheckRequestToWire,
  recallRequestToWire,
  recallResultFromWire,
  scheduleRequestToWire,
  scheduleResultFromWire,
  epochUnfenced,
  commitOffsetRequestToWire,
  offsetsRequestToWire,
  pullRequestToWire,
  pullResultFromWire,
  queryOffsetRequestToWire,
  queueOffsetsFromWire,
} from './store-service.converter';

/** GrpcStoreClientOptions configure a GrpcStoreClient. */
export interface GrpcStoreClientOptions extends GrpcClientOptions {
  /**
   * pollDeadlineMarginMs is added to a pop's pollTimeoutMs to make its deadline: the store
   * ends the long poll itself, so the deadline only fires for a stuck node.
   * @default pollDeadlineMarginMsDefault (5 000 ms)
   */
  pollDeadlineMarginMs?: number;
}

/**
 * The method definitions every call takes its codecs from, unary or on the Calls stream: the
 * generated ones, except that AppendBatch requests are encoded and PopMessages responses
 * decoded by hand (same bytes, same values; popped bodies are views of the response).
 */
const service = withFastStoreCodecs(storeV1.StoreServiceService);

/** WaitingAppend is an append queued for the next AppendBatch call. */
interface WaitingAppend {
  request: AppendRequest;
  resolve: (result: AppendResult) => void;
  reject: (error: unknown) => void;
  signal: AbortSignal | undefined;
}

/**
 * GrpcStoreClient is the StoreService of one remote store node, over
 * quiver.store.v1.StoreService: one channel to `address` (host:port). It behaves as the local
 * store does, errors included: a QuiverError the store throws is rethrown here with the same
 * code, message and retriable flag; a node that cannot be reached is a retriable
 * STORE_UNAVAILABLE, one that does not answer in time a STORE_TIMEOUT. An aborted pop resolves
 * empty, as the interface says, and cancels the store's wait; an aborted append rejects with
 * the signal's reason (the append itself may or may not have happened).
 */
export class GrpcStoreClient implements StoreService {
  private readonly caller: InternalCaller;
  private appendCallsInFlight = 0;
  private waitingAppends: WaitingAppend[] = [];
  private appendFlushScheduled = false;
  private readonly callTimeoutMs: number;
  private readonly pollDeadlineMarginMs: number;

  constructor(
    readonly address: string,
    options: GrpcStoreClientOptions = {},
  ) {
    this.callTimeoutMs = checkedDurationMs('callTimeoutMs', options.callTimeoutMs ?? callTimeoutMsDefault);
    this.pollDeadlineMarginMs = checkedDurationMs('pollDeadlineMarginMs', options.pollDeadlineMarginMs ?? pollDeadlineMarginMsDefault);
    this.caller = new InternalCaller(address, options, true);
  }

  /**
   * appendMessages sends at once when no append to this node is in flight; otherwise the append
   * waits for the next AppendBatch call, which carries every append made meanwhile (no waiting
   * when idle, one call for many under load). Each append keeps its own outcome.
   */
  appendMessages(request: AppendRequest, signal?: AbortSignal): Promise<AppendResult> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.appendCallsInFlight === 0) return this.trackAppendCall(this.caller.call(service.appendMessages, appendRequestToWire(request), appendResultFromWire, this.callTimeoutMs, signal));
    return new Promise<AppendResult>((resolve, reject) => {
      const waiting: WaitingAppend = { request, resolve, reject, signal };
      // An abort rejects at once, as a unary call's would; the append may still happen (the interface says so).
      signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
      this.waitingAppends.push(waiting);
      if (!this.appendFlushScheduled) {
        this.appendFlushScheduled = true;
        setImmediate(() => this.flushAppends());
      }
    });
  }

  /** flushAppends sends the waiting appends as AppendBatch calls, bounded in count and body bytes. */
  private flushAppends(): void {
    this.appendFlushScheduled = false;
    const waiting = this.waitingAppends.filter((entry) => entry.signal?.aborted !== true);
    this.waitingAppends = [];
    while (waiting.length > 0) {
      let bodyBytes = 0;
      let count = 0;
      while (count < waiting.length && count < appendBatchAppendsMax) {
        const bytes = waiting[count]!.request.messages.reduce((sum, message) => sum + message.body.byteLength, 0);
        if (count > 0 && bodyBytes + bytes > appendBatchBodyBytesMax) break;
        bodyBytes += bytes;
        count++;
      }
      this.sendAppendBatch(waiting.splice(0, count));
    }
  }

  private sendAppendBatch(batch: WaitingAppend[]): void {
    const request: storeV1.AppendBatchRequest = { appends: batch.map((entry) => appendRequestToWire(entry.request)), epoch: epochUnfenced };
    const call = this.caller.call(service.appendBatch, request, (response) => response.outcomes, this.callTimeoutMs);
    this.trackAppendCall(call).then(
      (outcomes) => {
        batch.forEach((entry, index) => {
          const outcome = outcomes[index]?.outcome;
          if (outcome?.$case === 'appended') entry.resolve(appendResultFromWire(outcome.value));
          else if (outcome?.$case === 'failure') entry.reject(rebuiltError(outcome.value.code, outcome.value.message, outcome.value.retriable));
          else entry.reject(new QuiverError(QuiverErrorCode.Internal, `AppendBatch on ${this.address} answered no outcome for append ${index}`));
        });
      },
      (error: unknown) => batch.forEach((entry) => entry.reject(error)),
    );
  }

  /** trackAppendCall counts an append call in flight until it settles. */
  private trackAppendCall<T>(call: Promise<T>): Promise<T> {
    this.appendCallsInFlight++;
    const settled = (): void => {
      this.appendCallsInFlight--;
    };
    call.then(settled, settled);
    return call;
  }

  async popMessages(request: PopRequest, signal?: AbortSignal): Promise<PopResult> {
    const timeoutMs = Math.max(0, request.pollTimeoutMs) + this.pollDeadlineMarginMs;
    try {
      return await this.caller.call(service.popMessages, popRequestToWire(request), popResultFromWire, timeoutMs, signal);
    } catch (error) {
      // The interface: "An aborted signal ends the wait early with an empty result."
      if (signal?.aborted) return { messages: [] };
      throw error;
    }
  }

  ackMessages(request: AckRequest): Promise<AckResult> {
    return this.caller.call(service.ackMessages, ackRequestToWire(request), ackResultFromWire, this.callTimeoutMs);
  }

  changeInvisibleDuration(request: ChangeInvisibleRequest): Promise<ChangeInvisibleResult> {
    return this.caller.call(
      service.changeInvisibleDuration,
      changeInvisibleRequestToWire(request),
      changeInvisibleResultFromWire,
      this.callTimeoutMs,
    );
  }

  async forwardToDeadLetterQueue(request: ForwardToDeadLetterRequest): Promise<void> {
    await this.caller.call(service.forwardToDeadLetterQueue, forwardRequestToWire(request), () => undefined, this.callTimeoutMs);
  }

  scheduleMessages(request: AppendRequest, signal?: AbortSignal): Promise<ScheduleResult> {
    return this.caller.call(service.scheduleMessages, scheduleRequestToWire(request), scheduleResultFromWire, this.callTimeoutMs, signal);
  }

  recallMessage(request: RecallRequest): Promise<RecallResult> {
    return this.caller.call(service.recallMessage, recallRequestToWire(request), recallResultFromWire, this.callTimeoutMs);
  }

  prepareTransaction(request: PrepareTransactionRequest, signal?: AbortSignal): Promise<PrepareTransactionResult> {
    return this.caller.call(service.prepareTransaction, prepareTransactionRequestToWire(request), prepareTransactionResultFromWire, this.callTimeoutMs, signal);
  }

  endTransaction(request: EndTransactionRequest): Promise<EndTransactionResult> {
    return this.caller.call(service.endTransaction, endTransactionRequestToWire(request), endTransactionResultFromWire, this.callTimeoutMs);
  }

  orphanedTransactions(request: OrphanedTransactionsRequest): Promise<OrphanedTransactionsResult> {
    return this.caller.call(service.orphanedTransactions, orphanedTransactionsRequestToWire(request), orphanedTransactionsResultFromWire, this.callTimeoutMs);
  }

  async recordTransactionCheck(request: RecordTransactionCheckRequest): Promise<void> {
    await this.caller.call(service.recordTransactionCheck, recordTransactionCheckRequestToWire(request), () => undefined, this.callTimeoutMs);
  }

  seedOffsets(request: OffsetsRequest): Promise<QueueOffsets> {
    return this.caller.call(service.seedOffsets, offsetsRequestToWire(request), queueOffsetsFromWire, this.callTimeoutMs);
  }

  resetOffsets(request: OffsetsRequest): Promise<QueueOffsets> {
    return this.caller.call(service.resetOffsets, offsetsRequestToWire(request), queueOffsetsFromWire, this.callTimeoutMs);
  }

  async commitOffset(request: CommitOffsetRequest): Promise<void> {
    await this.caller.call(service.commitOffset, commitOffsetRequestToWire(request), () => undefined, this.callTimeoutMs);
  }

  queryOffset(request: QueryOffsetRequest): Promise<number> {
    return this.caller.call(service.queryOffset, queryOffsetRequestToWire(request), (response) => response.offset, this.callTimeoutMs);
  }

  async pullMessages(request: PullRequest, signal?: AbortSignal): Promise<PullResult> {
    const timeoutMs = Math.max(0, request.pollTimeoutMs) + this.pollDeadlineMarginMs;
    return this.caller.call(service.pullMessages, pullRequestToWire(request), pullResultFromWire, timeoutMs, signal);
  }

  /** close closes the channel; later calls reject with CLOSED. Idempotent. */
  close(): void {
    this.caller.close();
  }
}
