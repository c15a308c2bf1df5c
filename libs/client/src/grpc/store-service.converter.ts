import {
  FilterType,
  MessageKind,
  StartPolicy,
  type StartPosition,
  type FilterExpression,
  type MessageToStore,
  type PoppedMessage,
  type StoredMessage,
} from '@quiver/core';
import { storeV1 } from '@quiver/protocol';
import {
  AckOutcome,
  type AckRequest,
  type AckResult,
  type AppendRequest,
  type AppendResult,
  type ChangeInvisibleRequest,
  type ChangeInvisibleResult,
  type EndTransactionRequest,
  type EndTransactionResult,
  type ForwardToDeadLetterRequest,
  type OrphanedTransaction,
  type OrphanedTransactionsRequest,
  type OrphanedTransactionsResult,
  type PrepareTransactionRequest,
  type PrepareTransactionResult,
  type RecordTransactionCheckRequest,
  TransactionResolution,
  type HandOut,
  type PopRequest,
  type PopResult,
  type RecallRequest,
  type RecallResult,
  type ScheduledTimer,
  type ScheduleResult,
  OffsetQueryPolicy,
  type CommitOffsetRequest,
  type OffsetsRequest,
  type PullRequest,
  type PullResult,
  type QueryOffsetRequest,
  type QueueOffsets,
} from '../store-service';
import { decodedEnum, present as presentField, reverseTable } from './wire-decoding';

/**
 * Converters between the StoreService model (`@quiver/core`, `../store-service`) and
 * quiver.store.v1 (protos/quiver/store/v1/store.proto). The wire shapes:
 *
 *   MessageToStore => message_id tag? [keys] {user_properties} body body_gzipped
 *                     born_timestamp_ms born_host kind message_group? delivery_timestamp_ms?
 *                     trace_context?
 *   StoredMessage  => message:MessageToStore topic queue_id queue_offset store_timestamp_ms store_host
 *   PoppedMessage  => message:StoredMessage delivery_attempt pop_generation invisible_until_ms
 *   HandOut        => queue_id offset pop_generation
 *   every request  => ...fields epoch(15) = 0 (reserved for fencing, ignored by servers)
 *
 * Guarantees: every field round-trips, optional fields stay absent (no `key: undefined`), and
 * bodies are not copied here: a decoded body is the decoder's Buffer, an encoded one is a
 * Buffer view over the caller's bytes. Decoding rejects what the model cannot hold (an unknown
 * enum value, a missing sub-message) with BAD_REQUEST; a client turns that into INTERNAL for a
 * response, since then the peer is at fault.
 */

/** epochUnfenced is what callers send in `epoch` until fencing exists (see the proto header). */
export const epochUnfenced = 0;

const protoPackage = 'quiver.store.v1';

function decoded<V, K>(table: ReadonlyMap<V, K>, value: V, field: string): K {
  return decodedEnum(table, value, protoPackage, field);
}

function present<T>(value: T | undefined, field: string): T {
  return presentField(value, protoPackage, field);
}

const wireKindOf: Readonly<Record<MessageKind, storeV1.MessageKind>> = {
  [MessageKind.Normal]: storeV1.MessageKind.MESSAGE_KIND_NORMAL,
  [MessageKind.Fifo]: storeV1.MessageKind.MESSAGE_KIND_FIFO,
  [MessageKind.Delay]: storeV1.MessageKind.MESSAGE_KIND_DELAY,
  [MessageKind.Transaction]: storeV1.MessageKind.MESSAGE_KIND_TRANSACTION,
};
const kindOfWire = reverseTable(wireKindOf);

const wireFilterTypeOf: Readonly<Record<FilterType, storeV1.FilterType>> = {
  [FilterType.Tag]: storeV1.FilterType.FILTER_TYPE_TAG,
  [FilterType.Sql]: storeV1.FilterType.FILTER_TYPE_SQL,
};
const filterTypeOfWire = reverseTable(wireFilterTypeOf);

const wireAckOutcomeOf: Readonly<Record<AckOutcome, storeV1.AckOutcome>> = {
  [AckOutcome.Ok]: storeV1.AckOutcome.ACK_OUTCOME_OK,
  [AckOutcome.InvalidReceiptHandle]: storeV1.AckOutcome.ACK_OUTCOME_INVALID_RECEIPT_HANDLE,
};
const ackOutcomeOfWire = reverseTable(wireAckOutcomeOf);

const wireStartPolicyOf: Readonly<Record<StartPolicy, storeV1.StartPolicy>> = {
  [StartPolicy.Earliest]: storeV1.StartPolicy.START_POLICY_EARLIEST,
  [StartPolicy.Latest]: storeV1.StartPolicy.START_POLICY_LATEST,
  [StartPolicy.Timestamp]: storeV1.StartPolicy.START_POLICY_TIMESTAMP,
  [StartPolicy.YoungEarliest]: storeV1.StartPolicy.START_POLICY_YOUNG_EARLIEST,
};
const startPolicyOfWire = reverseTable(wireStartPolicyOf);

const wireOffsetQueryPolicyOf: Readonly<Record<OffsetQueryPolicy, storeV1.OffsetQueryPolicy>> = {
  [OffsetQueryPolicy.Beginning]: storeV1.OffsetQueryPolicy.OFFSET_QUERY_POLICY_BEGINNING,
  [OffsetQueryPolicy.End]: storeV1.OffsetQueryPolicy.OFFSET_QUERY_POLICY_END,
  [OffsetQueryPolicy.Timestamp]: storeV1.OffsetQueryPolicy.OFFSET_QUERY_POLICY_TIMESTAMP,
};
const offsetQueryPolicyOfWire = reverseTable(wireOffsetQueryPolicyOf);

export function startPositionToWire(start: StartPosition): storeV1.StartPosition {
  return { policy: wireStartPolicyOf[start.policy], atMs: start.atMs };
}

export function startPositionFromWire(wire: storeV1.StartPosition): StartPosition {
  const policy = decoded(startPolicyOfWire, wire.policy, 'start policy');
  return wire.atMs !== undefined ? { policy, atMs: wire.atMs } : { policy };
}

/**
 * bufferView returns `bytes` as a Buffer without copying: a Buffer as is, any other
 * Uint8Array as a Buffer over the same memory (its offset and length, not its whole buffer).
 */
export function bufferView(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function messageToStoreToWire(message: MessageToStore): storeV1.MessageToStore {
  return {
    messageId: message.messageId,
    tag: message.tag,
    keys: message.keys,
    userProperties: message.userProperties,
    body: bufferView(message.body),
    bodyGzipped: message.bodyGzipped,
    bornTimestampMs: message.bornTimestampMs,
    bornHost: message.bornHost,
    kind: wireKindOf[message.kind],
    messageGroup: message.messageGroup,
    deliveryTimestampMs: message.deliveryTimestampMs,
    traceContext: message.traceContext,
  };
}

export function messageToStoreFromWire(wire: storeV1.MessageToStore): MessageToStore {
  const message: MessageToStore = {
    messageId: wire.messageId,
    keys: wire.keys,
    userProperties: wire.userProperties,
    body: wire.body,
    bodyGzipped: wire.bodyGzipped,
    bornTimestampMs: wire.bornTimestampMs,
    bornHost: wire.bornHost,
    kind: decoded(kindOfWire, wire.kind, 'kind'),
  };
  if (wire.tag !== undefined) message.tag = wire.tag;
  if (wire.messageGroup !== undefined) message.messageGroup = wire.messageGroup;
  if (wire.deliveryTimestampMs !== undefined) message.deliveryTimestampMs = wire.deliveryTimestampMs;
  if (wire.traceContext !== undefined) message.traceContext = wire.traceContext;
  return message;
}

export function storedMessageToWire(message: StoredMessage): storeV1.StoredMessage {
  return {
    message: messageToStoreToWire(message),
    topic: message.topic,
    queueId: message.queueId,
    queueOffset: message.queueOffset,
    storeTimestampMs: message.storeTimestampMs,
    storeHost: message.storeHost,
  };
}

export function storedMessageFromWire(wire: storeV1.StoredMessage): StoredMessage {
  return {
    ...messageToStoreFromWire(present(wire.message, 'StoredMessage.message')),
    topic: wire.topic,
    queueId: wire.queueId,
    queueOffset: wire.queueOffset,
    storeTimestampMs: wire.storeTimestampMs,
    storeHost: wire.storeHost,
  };
}

export function poppedMessageToWire(popped: PoppedMessage): storeV1.PoppedMessage {
  return {
    message: storedMessageToWire(popped.message),
    deliveryAttempt: popped.deliveryAttempt,
    popGeneration: popped.popGeneration,
    invisibleUntilMs: popped.invisibleUntilMs,
  };
}

export function poppedMessageFromWire(wire: storeV1.PoppedMessage): PoppedMessage {
  return {
    message: storedMessageFromWire(present(wire.message, 'PoppedMessage.message')),
    deliveryAttempt: wire.deliveryAttempt,
    popGeneration: wire.popGeneration,
    invisibleUntilMs: wire.invisibleUntilMs,
  };
}

export function filterToWire(filter: FilterExpression): storeV1.FilterExpression {
  return { type: wireFilterTypeOf[filter.type], expression: filter.expression };
}

export function filterFromWire(wire: storeV1.FilterExpression): FilterExpression {
  return { type: decoded(filterTypeOfWire, wire.type, 'filter type'), expression: wire.expression };
}

function handOutToWire(handOut: HandOut): storeV1.HandOut {
  return { queueId: handOut.queueId, offset: handOut.offset, popGeneration: handOut.popGeneration };
}

function handOutFromWire(wire: storeV1.HandOut | undefined): HandOut {
  const handOut = present(wire, 'hand_out');
  return { queueId: handOut.queueId, offset: handOut.offset, popGeneration: handOut.popGeneration };
}

// appendMessages

export function appendRequestToWire(request: AppendRequest): storeV1.AppendMessagesRequest {
  return { topic: request.topic, queueId: request.queueId, messages: request.messages.map(messageToStoreToWire), epoch: epochUnfenced };
}

export function appendRequestFromWire(wire: storeV1.AppendMessagesRequest): AppendRequest {
  return { topic: wire.topic, queueId: wire.queueId, messages: wire.messages.map(messageToStoreFromWire) };
}

export function appendResultToWire(result: AppendResult): storeV1.AppendMessagesResponse {
  return { offsets: result.offsets, storeTimestampMs: result.storeTimestampMs };
}

export function appendResultFromWire(wire: storeV1.AppendMessagesResponse): AppendResult {
  return { offsets: wire.offsets, storeTimestampMs: wire.storeTimestampMs };
}

// popMessages

export function popRequestToWire(request: PopRequest): storeV1.PopMessagesRequest {
  return {
    group: request.group,
    topic: request.topic,
    queueCount: request.queueCount,
    batchSize: request.batchSize,
    invisibleDurationMs: request.invisibleDurationMs,
    filter: filterToWire(request.filter),
    pollTimeoutMs: request.pollTimeoutMs,
    maxDeliveryAttempts: request.maxDeliveryAttempts ?? 0,
    fifo: request.fifo ?? false,
    start: request.start !== undefined ? startPositionToWire(request.start) : undefined,
    epoch: epochUnfenced,
  };
}

export function popRequestFromWire(wire: storeV1.PopMessagesRequest): PopRequest {
  return {
    group: wire.group,
    topic: wire.topic,
    queueCount: wire.queueCount,
    batchSize: wire.batchSize,
    invisibleDurationMs: wire.invisibleDurationMs,
    filter: filterFromWire(present(wire.filter, 'filter')),
    pollTimeoutMs: wire.pollTimeoutMs,
    ...(wire.maxDeliveryAttempts > 0 ? { maxDeliveryAttempts: wire.maxDeliveryAttempts } : {}),
    ...(wire.fifo ? { fifo: true } : {}),
    ...(wire.start !== undefined ? { start: startPositionFromWire(wire.start) } : {}),
  };
}

export function popResultToWire(result: PopResult): storeV1.PopMessagesResponse {
  return { messages: result.messages.map(poppedMessageToWire), deadLettered: result.deadLettered ?? 0 };
}

export function popResultFromWire(wire: storeV1.PopMessagesResponse): PopResult {
  const messages = wire.messages.map(poppedMessageFromWire);
  return wire.deadLettered > 0 ? { messages, deadLettered: wire.deadLettered } : { messages };
}

// ackMessages

export function ackRequestToWire(request: AckRequest): storeV1.AckMessagesRequest {
  return { group: request.group, topic: request.topic, entries: request.entries.map(handOutToWire), epoch: epochUnfenced };
}

export function ackRequestFromWire(wire: storeV1.AckMessagesRequest): AckRequest {
  return { group: wire.group, topic: wire.topic, entries: wire.entries.map(handOutFromWire) };
}

export function ackResultToWire(result: AckResult): storeV1.AckMessagesResponse {
  return { outcomes: result.outcomes.map((outcome) => wireAckOutcomeOf[outcome]) };
}

export function ackResultFromWire(wire: storeV1.AckMessagesResponse): AckResult {
  return { outcomes: wire.outcomes.map((outcome) => decoded(ackOutcomeOfWire, outcome, 'ack outcome')) };
}

// changeInvisibleDuration

export function changeInvisibleRequestToWire(request: ChangeInvisibleRequest): storeV1.ChangeInvisibleDurationRequest {
  return {
    group: request.group,
    topic: request.topic,
    handOut: handOutToWire(request),
    invisibleDurationMs: request.invisibleDurationMs,
    keepGeneration: request.keepGeneration ?? false,
    epoch: epochUnfenced,
  };
}

export function changeInvisibleRequestFromWire(wire: storeV1.ChangeInvisibleDurationRequest): ChangeInvisibleRequest {
  return {
    group: wire.group,
    topic: wire.topic,
    ...handOutFromWire(wire.handOut),
    invisibleDurationMs: wire.invisibleDurationMs,
    ...(wire.keepGeneration ? { keepGeneration: true } : {}),
  };
}

export function changeInvisibleResultToWire(result: ChangeInvisibleResult): storeV1.ChangeInvisibleDurationResponse {
  return { popGeneration: result.popGeneration, invisibleUntilMs: result.invisibleUntilMs };
}

export function changeInvisibleResultFromWire(wire: storeV1.ChangeInvisibleDurationResponse): ChangeInvisibleResult {
  return { popGeneration: wire.popGeneration, invisibleUntilMs: wire.invisibleUntilMs };
}

// forwardToDeadLetterQueue

export function forwardRequestToWire(request: ForwardToDeadLetterRequest): storeV1.ForwardToDeadLetterQueueRequest {
  return {
    group: request.group,
    topic: request.topic,
    handOut: handOutToWire(request),
    deadLetterTopic: request.deadLetterTopic,
    epoch: epochUnfenced,
  };
}

export function forwardRequestFromWire(wire: storeV1.ForwardToDeadLetterQueueRequest): ForwardToDeadLetterRequest {
  return { group: wire.group, topic: wire.topic, ...handOutFromWire(wire.handOut), deadLetterTopic: wire.deadLetterTopic };
}

// scheduleMessages (the request has the append's shape)

export function scheduleRequestToWire(request: AppendRequest): storeV1.ScheduleMessagesRequest {
  return { topic: request.topic, queueId: request.queueId, messages: request.messages.map(messageToStoreToWire), epoch: epochUnfenced };
}

export function scheduleRequestFromWire(wire: storeV1.ScheduleMessagesRequest): AppendRequest {
  return { topic: wire.topic, queueId: wire.queueId, messages: wire.messages.map(messageToStoreFromWire) };
}

function timerToWire(timer: ScheduledTimer): storeV1.ScheduledTimer {
  return { dueMs: timer.dueMs, timerOffset: timer.timerOffset };
}

function timerFromWire(wire: storeV1.ScheduledTimer | undefined): ScheduledTimer {
  const timer = present(wire, 'timer');
  return { dueMs: timer.dueMs, timerOffset: timer.timerOffset };
}

export function scheduleResultToWire(result: ScheduleResult): storeV1.ScheduleMessagesResponse {
  return { timers: result.timers.map(timerToWire) };
}

export function scheduleResultFromWire(wire: storeV1.ScheduleMessagesResponse): ScheduleResult {
  return { timers: wire.timers.map(timerFromWire) };
}

// recallMessage

export function recallRequestToWire(request: RecallRequest): storeV1.RecallMessageRequest {
  return { topic: request.topic, timer: timerToWire(request), epoch: epochUnfenced };
}

export function recallRequestFromWire(wire: storeV1.RecallMessageRequest): RecallRequest {
  return { topic: wire.topic, ...timerFromWire(wire.timer) };
}

export function recallResultToWire(result: RecallResult): storeV1.RecallMessageResponse {
  return { messageId: result.messageId };
}

export function recallResultFromWire(wire: storeV1.RecallMessageResponse): RecallResult {
  return { messageId: wire.messageId };
}

// transactions

const wireResolutionOf: Readonly<Record<TransactionResolution, storeV1.TransactionResolution>> = {
  [TransactionResolution.Commit]: storeV1.TransactionResolution.TRANSACTION_RESOLUTION_COMMIT,
  [TransactionResolution.Rollback]: storeV1.TransactionResolution.TRANSACTION_RESOLUTION_ROLLBACK,
};
const resolutionOfWire = reverseTable(wireResolutionOf);

export function prepareTransactionRequestToWire(request: PrepareTransactionRequest): storeV1.PrepareTransactionRequest {
  return {
    topic: request.topic,
    queueId: request.queueId,
    message: messageToStoreToWire(request.message),
    checkImmunityMs: request.checkImmunityMs,
    epoch: epochUnfenced,
  };
}

export function prepareTransactionRequestFromWire(wire: storeV1.PrepareTransactionRequest): PrepareTransactionRequest {
  const request: PrepareTransactionRequest = {
    topic: wire.topic,
    queueId: wire.queueId,
    message: messageToStoreFromWire(present(wire.message, 'PrepareTransactionRequest.message')),
  };
  if (wire.checkImmunityMs !== undefined) request.checkImmunityMs = wire.checkImmunityMs;
  return request;
}

export function prepareTransactionResultToWire(result: PrepareTransactionResult): storeV1.PrepareTransactionResponse {
  return { transactionId: result.transactionId, storeTimestampMs: result.storeTimestampMs };
}

export function prepareTransactionResultFromWire(wire: storeV1.PrepareTransactionResponse): PrepareTransactionResult {
  return { transactionId: wire.transactionId, storeTimestampMs: wire.storeTimestampMs };
}

export function endTransactionRequestToWire(request: EndTransactionRequest): storeV1.EndTransactionRequest {
  return { topic: request.topic, transactionId: request.transactionId, resolution: wireResolutionOf[request.resolution], epoch: epochUnfenced };
}

export function endTransactionRequestFromWire(wire: storeV1.EndTransactionRequest): EndTransactionRequest {
  return { topic: wire.topic, transactionId: wire.transactionId, resolution: decoded(resolutionOfWire, wire.resolution, 'resolution') };
}

export function endTransactionResultToWire(result: EndTransactionResult): storeV1.EndTransactionResponse {
  return { messageId: result.messageId };
}

export function endTransactionResultFromWire(wire: storeV1.EndTransactionResponse): EndTransactionResult {
  return { messageId: wire.messageId };
}

export function orphanedTransactionsRequestToWire(request: OrphanedTransactionsRequest): storeV1.OrphanedTransactionsRequest {
  return { topic: request.topic, limit: request.limit, epoch: epochUnfenced };
}

export function orphanedTransactionsRequestFromWire(wire: storeV1.OrphanedTransactionsRequest): OrphanedTransactionsRequest {
  return { topic: wire.topic, limit: wire.limit };
}

function orphanToWire(orphan: OrphanedTransaction): storeV1.OrphanedTransaction {
  return { transactionId: orphan.transactionId, checkCount: orphan.checkCount, message: storedMessageToWire(orphan.message) };
}

function orphanFromWire(wire: storeV1.OrphanedTransaction): OrphanedTransaction {
  return { transactionId: wire.transactionId, checkCount: wire.checkCount, message: storedMessageFromWire(present(wire.message, 'OrphanedTransaction.message')) };
}

export function orphanedTransactionsResultToWire(result: OrphanedTransactionsResult): storeV1.OrphanedTransactionsResponse {
  return { transactions: result.transactions.map(orphanToWire) };
}

export function orphanedTransactionsResultFromWire(wire: storeV1.OrphanedTransactionsResponse): OrphanedTransactionsResult {
  return { transactions: wire.transactions.map(orphanFromWire) };
}

export function recordTransactionCheckRequestToWire(request: RecordTransactionCheckRequest): storeV1.RecordTransactionCheckRequest {
  return { topic: request.topic, transactionId: request.transactionId, epoch: epochUnfenced };
}

export function recordTransactionCheckRequestFromWire(wire: storeV1.RecordTransactionCheckRequest): RecordTransactionCheckRequest {
  return { topic: wire.topic, transactionId: wire.transactionId };
}

// offsets: seedOffsets, resetOffsets, commitOffset, queryOffset

export function offsetsRequestToWire(request: OffsetsRequest): storeV1.OffsetsRequest {
  return { group: request.group, topic: request.topic, queueIds: [...request.queueIds], start: startPositionToWire(request.start), epoch: epochUnfenced };
}

export function offsetsRequestFromWire(wire: storeV1.OffsetsRequest): OffsetsRequest {
  return { group: wire.group, topic: wire.topic, queueIds: [...wire.queueIds], start: startPositionFromWire(present(wire.start, 'start')) };
}

export function queueOffsetsToWire(result: QueueOffsets): storeV1.OffsetsResponse {
  return { offsets: result.offsets.map(({ queueId, offset }) => ({ queueId, offset })) };
}

export function queueOffsetsFromWire(wire: storeV1.OffsetsResponse): QueueOffsets {
  return { offsets: wire.offsets.map(({ queueId, offset }) => ({ queueId, offset })) };
}

export function commitOffsetRequestToWire(request: CommitOffsetRequest): storeV1.CommitOffsetRequest {
  return { group: request.group, topic: request.topic, queueId: request.queueId, offset: request.offset, epoch: epochUnfenced };
}

export function commitOffsetRequestFromWire(wire: storeV1.CommitOffsetRequest): CommitOffsetRequest {
  return { group: wire.group, topic: wire.topic, queueId: wire.queueId, offset: wire.offset };
}

export function queryOffsetRequestToWire(request: QueryOffsetRequest): storeV1.QueryOffsetRequest {
  return {
    topic: request.topic,
    queueId: request.queueId,
    policy: wireOffsetQueryPolicyOf[request.policy],
    timestampMs: request.timestampMs ?? 0,
    epoch: epochUnfenced,
  };
}

export function queryOffsetRequestFromWire(wire: storeV1.QueryOffsetRequest): QueryOffsetRequest {
  const policy = decoded(offsetQueryPolicyOfWire, wire.policy, 'offset query policy');
  return policy === OffsetQueryPolicy.Timestamp
    ? { topic: wire.topic, queueId: wire.queueId, policy, timestampMs: wire.timestampMs }
    : { topic: wire.topic, queueId: wire.queueId, policy };
}

// pullMessages

export function pullRequestToWire(request: PullRequest): storeV1.PullMessagesRequest {
  return {
    topic: request.topic,
    queueId: request.queueId,
    offset: request.offset,
    batchSize: request.batchSize,
    filter: filterToWire(request.filter),
    pollTimeoutMs: request.pollTimeoutMs,
    epoch: epochUnfenced,
  };
}

export function pullRequestFromWire(wire: storeV1.PullMessagesRequest): PullRequest {
  return {
    topic: wire.topic,
    queueId: wire.queueId,
    offset: wire.offset,
    batchSize: wire.batchSize,
    filter: filterFromWire(present(wire.filter, 'filter')),
    pollTimeoutMs: wire.pollTimeoutMs,
  };
}

export function pullResultToWire(result: PullResult): storeV1.PullMessagesResponse {
  return { messages: result.messages.map(storedMessageToWire), nextOffset: result.nextOffset, minOffset: result.minOffset, maxOffset: result.maxOffset };
}

export function pullResultFromWire(wire: storeV1.PullMessagesResponse): PullResult {
  return { messages: wire.messages.map(storedMessageFromWire), nextOffset: wire.nextOffset, minOffset: wire.minOffset, maxOffset: wire.maxOffset };
}
