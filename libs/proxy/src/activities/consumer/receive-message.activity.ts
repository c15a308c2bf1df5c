import { CallAbortController, FilterType, TopicMessageType, type FilterExpression, type PoppedMessage } from '@quiver/core';
import type { StoreService, TopicPlacement } from '@quiver/client';
import { limits } from '@quiver/config';
import { compileSql92 } from '@quiver/filters';
import { deadLetterTopicOf, durationToMs, timestampFromMs } from '@quiver/protocol';
import type { ProxyContext } from '../../context';
import { toWireMessage } from '../../converters/message.converter';
import { namespaceOf, wireResource } from '../../converters/resources';
import type { ProxyServices } from '../../processor/proxy-services';
import { ok, ProxyFailure, status } from '../../status';
import { Code, WireFilterType, type ReceiveMessageRequest, type ReceiveMessageResponse, type Status } from '../../wire';
import { validatedTopic } from '../route/query-route.activity';
import { DEAD_LETTER_QUEUE_COUNT, knownGroup, storeOf, validatedGroup } from './consumer-common';

/** How long a message whose frame could not be written stays invisible before it returns. */
const UNDELIVERED_INVISIBLE_MS = 1000;

/** receiveFailureFrames is what a failed receive streams: the status, then the server time. */
export function receiveFailureFrames(failed: Status, nowMs = Date.now()): ReceiveMessageResponse[] {
  return [{ content: { $case: 'status', value: failed } }, { content: { $case: 'deliveryTimestamp', value: timestampFromMs(nowMs) } }];
}

/**
 * ReceiveMessage pops from every queue of the store node the client named (its queue id is
 * ignored), long-polling in the store, and streams: status, messages, delivery timestamp.
 */
export async function receiveMessage(
  services: ProxyServices,
  request: ReceiveMessageRequest,
  context: ProxyContext,
  write: (frame: ReceiveMessageResponse) => void,
): Promise<void> {
  const group = validatedGroup(request.group, context);
  const topic = validatedTopic(request.messageQueue?.topic, context);
  const pollTimeoutMs = pollingTime(request, context, services.clock.nowMs());
  const invisibleDurationMs = invisibleTime(request);
  const filter = filterOf(request);
  const batchSize = Math.min(Math.max(request.batchSize || 1, 1), limits.receiveBatchSizeMax);

  const [route, { config: groupConfig, start }] = await Promise.all([services.routes.routeOrCreate(topic, true), knownGroup(services, group, topic)]);
  // Ordered delivery needs both a FIFO topic and a FIFO group; any other pairing is unordered (PROTOCOL.md 7.10).
  const fifo = groupConfig.fifo && route.messageType === TopicMessageType.Fifo;
  const live = route.placements.filter((placement) => placement.live);
  const wanted = request.messageQueue?.broker?.name;
  const preferred =
    live.find((candidate) => candidate.storeNode === wanted) ?? live[Math.floor(Math.random() * live.length)] ?? route.placements[0];
  if (!preferred) throw new ProxyFailure(Code.FORBIDDEN, 'no readable queue');
  // FIFO receives stay on the named node: FIFO push consumers hold one assignment per queue of
  // every node already, and a parallel poll stopped after popping would hold a group's head
  // back (and count a delivery that never happened) until it is released.
  const placements = fifo ? [preferred] : [preferred, ...live.filter((candidate) => candidate !== preferred)];
  const popOn = async (placement: TopicPlacement, pollMs: number, signal: AbortSignal): Promise<NodePop> => {
    const store = await storeOf(services, placement.storeNode);
    const result = await store.popMessages(
      {
        group,
        topic,
        queueCount: placement.queueCount,
        batchSize,
        invisibleDurationMs,
        filter,
        pollTimeoutMs: pollMs,
        maxDeliveryAttempts: groupConfig.maxDeliveryAttempts,
        fifo,
        start,
      },
      signal,
    );
    return { storeNode: placement.storeNode, store, messages: result.messages, deadLettered: result.deadLettered ?? 0 };
  };
  const pops = await popAcross(placements, pollTimeoutMs, context.signal, popOn);
  if (pops.some((pop) => pop.deadLettered > 0)) {
    // The store moved messages that ran out of attempts to the group's dead-letter topic; make it routable.
    await services.routes.ensureTopic(deadLetterTopicOf(group), DEAD_LETTER_QUEUE_COUNT);
  }
  // Nodes polled in parallel may together return more than the batch: the surplus becomes visible again at once.
  const delivered: Array<{ storeNode: string; popped: PoppedMessage }> = [];
  for (const pop of pops) {
    const fits = context.signal.aborted ? 0 : Math.max(0, batchSize - delivered.length);
    pop.messages.slice(0, fits).forEach((popped) => delivered.push({ storeNode: pop.storeNode, popped }));
    await releaseUndelivered(services, pop.store, group, topic, pop.messages.slice(fits), context.signal.aborted ? UNDELIVERED_INVISIBLE_MS : 0);
  }
  if (context.signal.aborted) return;
  if (delivered.length === 0) {
    receiveFailureFrames(status(Code.MESSAGE_NOT_FOUND, 'no new message'), services.clock.nowMs()).forEach(write);
    return;
  }
  const codec = await services.handles();
  const wireTopic = wireResource(topic, namespaceOf(request.messageQueue?.topic, context));
  const nowMs = services.clock.nowMs();
  const frames = delivered.map(({ storeNode, popped }) => {
    const handle = codec.encode(
      {
        storeNode,
        queueId: popped.message.queueId,
        offset: popped.message.queueOffset,
        popGeneration: popped.popGeneration,
        invisibleUntilMs: popped.invisibleUntilMs,
        autoRenew: request.autoRenew,
      },
      group,
      topic,
    );
    return toWireMessage(popped, wireTopic, handle, nowMs);
  });
  // A call cancelled or past its deadline by now cannot take the messages: release them rather
  // than keep them invisible (or, for push consumers, renewed) for a client that never got them.
  if (context.signal.aborted) {
    const storeOfNode = new Map(pops.map((pop) => [pop.storeNode, pop.store]));
    for (const [storeNode, store] of storeOfNode) {
      const undelivered = delivered.filter((entry) => entry.storeNode === storeNode).map((entry) => entry.popped);
      await releaseUndelivered(services, store, group, topic, undelivered, UNDELIVERED_INVISIBLE_MS);
    }
    return;
  }
  write({ content: { $case: 'status', value: ok() } });
  for (const frame of frames) write({ content: { $case: 'message', value: frame } });
  write({ content: { $case: 'deliveryTimestamp', value: timestampFromMs(services.clock.nowMs()) } });
  if (request.autoRenew) {
    for (const { storeNode, popped } of delivered) {
      services.autoRenewer.track({
        clientId: context.clientId,
        group,
        topic,
        storeNode,
        handOut: { queueId: popped.message.queueId, offset: popped.message.queueOffset, popGeneration: popped.popGeneration },
        invisibleUntilMs: popped.invisibleUntilMs,
      });
    }
  }
}

/** pollingTime is how long a receive or pull may long-poll: the requested time, clamped, within the call's deadline. */
export function pollingTime(request: Pick<ReceiveMessageRequest, 'longPollingTimeout'>, context: ProxyContext, nowMs: number): number {
  const remainingMs = context.deadlineMs - nowMs - limits.longPollingDeadlineMarginMs;
  const requestedMs = request.longPollingTimeout ? durationToMs(request.longPollingTimeout) : remainingMs;
  let pollMs = Math.min(Math.max(Number.isFinite(requestedMs) ? requestedMs : limits.longPollingTimeoutMsMax, limits.longPollingTimeoutMsMin), limits.longPollingTimeoutMsMax);
  if (pollMs > remainingMs) {
    if (remainingMs < limits.longPollingTimeoutMsMin) {
      throw new ProxyFailure(Code.ILLEGAL_POLLING_TIME, `the call deadline leaves less than ${limits.longPollingTimeoutMsMin} ms to poll`);
    }
    pollMs = remainingMs;
  }
  return pollMs;
}

function invisibleTime(request: ReceiveMessageRequest): number {
  if (request.autoRenew) return limits.autoRenewInvisibleDurationMs;
  const requestedMs = request.invisibleDuration ? durationToMs(request.invisibleDuration) : NaN;
  if (!(requestedMs >= limits.receiveInvisibleDurationMsMin && requestedMs <= limits.invisibleDurationMsMax)) {
    throw new ProxyFailure(
      Code.ILLEGAL_INVISIBLE_TIME,
      `invisible duration must be ${limits.receiveInvisibleDurationMsMin} ms to ${limits.invisibleDurationMsMax} ms`,
    );
  }
  return requestedMs;
}

/** filterOf checks a receive's or pull's filter expression (ILLEGAL_FILTER_EXPRESSION) and returns it for the store. */
export function filterOf(request: Pick<ReceiveMessageRequest, 'filterExpression'>): FilterExpression {
  const expression = request.filterExpression;
  if (!expression || expression.type === WireFilterType.TAG || expression.type === WireFilterType.FILTER_TYPE_UNSPECIFIED) {
    const text = expression?.expression?.trim() ?? '';
    if (text.includes('||') && text.split('||').some((part) => part.trim() === '')) {
      throw new ProxyFailure(Code.ILLEGAL_FILTER_EXPRESSION, `invalid tag expression: ${text}`);
    }
    return { type: FilterType.Tag, expression: text || '*' };
  }
  if (expression.type === WireFilterType.SQL) {
    // Compiled here only to answer an invalid expression at the edge; the store node compiles it again to filter.
    const compiled = compileSql92(expression.expression ?? '');
    if (!compiled.ok) throw new ProxyFailure(Code.ILLEGAL_FILTER_EXPRESSION, compiled.error);
    return { type: FilterType.Sql, expression: expression.expression ?? '' };
  }
  throw new ProxyFailure(Code.ILLEGAL_FILTER_EXPRESSION, `unknown filter type ${String(expression.type)}`);
}

/** releaseUndelivered makes popped messages that will not be delivered visible again after `invisibleDurationMs`. */
async function releaseUndelivered(
  services: ProxyServices,
  store: StoreService,
  group: string,
  topic: string,
  messages: PoppedMessage[],
  invisibleDurationMs: number,
): Promise<void> {
  await Promise.all(
    messages.map(async (popped) => {
      try {
        await store.changeInvisibleDuration({
          group,
          topic,
          queueId: popped.message.queueId,
          offset: popped.message.queueOffset,
          popGeneration: popped.popGeneration,
          invisibleDurationMs,
        });
      } catch (error) {
        services.logger.warn(
          { err: error, messageId: popped.message.messageId },
          'could not release an undelivered message; it returns after its invisible duration',
        );
      }
    }),
  );
}

interface NodePop {
  storeNode: string;
  store: StoreService;
  messages: PoppedMessage[];
  deadLettered: number;
}

/**
 * popAcross pops from the preferred store node first, then the others, without waiting; when all
 * are empty it long-polls every node at once and stops the others as soon as one has messages,
 * so a consumer never waits on one node while another holds its messages.
 */
async function popAcross(
  placements: TopicPlacement[],
  pollTimeoutMs: number,
  signal: AbortSignal,
  popOn: (placement: TopicPlacement, pollMs: number, signal: AbortSignal) => Promise<NodePop>,
): Promise<NodePop[]> {
  if (placements.length === 1) return [await popOn(placements[0]!, pollTimeoutMs, signal)];
  const immediate: NodePop[] = [];
  for (const placement of placements) {
    const pop = await popOn(placement, 0, signal);
    immediate.push(pop);
    if (pop.messages.length > 0 || signal.aborted) return immediate;
  }
  const first = new CallAbortController();
  const stop = (): void => first.abort();
  signal.addEventListener('abort', stop, { once: true });
  try {
    const settled = await Promise.allSettled(
      placements.map(async (placement) => {
        const pop = await popOn(placement, pollTimeoutMs, first.signal);
        if (pop.messages.length > 0) first.abort();
        return pop;
      }),
    );
    const pops = [...immediate, ...settled.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []))];
    const failure = settled.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    if (failure && pops.every((pop) => pop.messages.length === 0)) throw failure.reason;
    return pops;
  } finally {
    signal.removeEventListener('abort', stop);
  }
}
