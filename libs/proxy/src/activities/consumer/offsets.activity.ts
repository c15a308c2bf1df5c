/**
 * PullMessage, UpdateOffset, GetOffset and QueryOffset (PROTOCOL.md 7.14): for clients that
 * choose queues and track offsets themselves. A message queue is named as routes name it: the
 * store node as broker name, and a queue id below that node's queue count. Pulling keeps no
 * group state, so every puller sees every message (broadcast); UpdateOffset and GetOffset store
 * and read a group's committed offset, the same offset a pop consumer of the group advances.
 */
import { OffsetQueryPolicy as StoreOffsetQuery, type TopicPlacement } from '@quiver/client';
import { limits } from '@quiver/config';
import { timestampToMs } from '@quiver/protocol';
import type { ProxyContext } from '../../context';
import { toWireMessage } from '../../converters/message.converter';
import { namespaceOf, wireResource } from '../../converters/resources';
import type { ProxyServices } from '../../processor/proxy-services';
import { ok, ProxyFailure } from '../../status';
import {
  Code,
  QueryOffsetPolicy,
  type GetOffsetRequest,
  type GetOffsetResponse,
  type MessageQueue,
  type PullMessageRequest,
  type PullMessageResponse,
  type QueryOffsetRequest,
  type QueryOffsetResponse,
  type UpdateOffsetRequest,
  type UpdateOffsetResponse,
  type Status,
} from '../../wire';
import { validatedTopic } from '../route/query-route.activity';
import { knownGroup, storeOf, validatedGroup } from './consumer-common';
import { filterOf, pollingTime } from './receive-message.activity';

/** A pulled message carries no receipt handle: nothing is in flight for anyone. */
const NO_RECEIPT_HANDLE = '';

interface NamedQueue {
  topic: string;
  placement: TopicPlacement;
  queueId: number;
}

/** namedQueue resolves a client-named message queue to its store node; BAD_REQUEST or TOPIC_NOT_FOUND when it names none. */
async function namedQueue(services: ProxyServices, messageQueue: MessageQueue | undefined, context: ProxyContext): Promise<NamedQueue> {
  const topic = validatedTopic(messageQueue?.topic, context);
  const route = await services.routes.routeOrCreate(topic, false);
  const storeNode = messageQueue?.broker?.name ?? '';
  const placement = route.placements.find((candidate) => candidate.storeNode === storeNode);
  if (placement === undefined) {
    throw new ProxyFailure(Code.BAD_REQUEST, `broker ${JSON.stringify(storeNode)} holds no queue of topic ${topic}; take message queues from QueryRoute`);
  }
  const queueId = messageQueue?.id ?? -1;
  if (!Number.isInteger(queueId) || queueId < 0 || queueId >= placement.queueCount) {
    throw new ProxyFailure(Code.BAD_REQUEST, `queue id must be 0 to ${placement.queueCount - 1} on broker ${storeNode}, got ${queueId}`);
  }
  return { topic, placement, queueId };
}

function checkedOffset(offset: number): number {
  if (!Number.isSafeInteger(offset) || offset < 0) throw new ProxyFailure(Code.BAD_REQUEST, `offset must be a non-negative integer, got ${offset}`);
  return offset;
}

/** PullMessage streams `status`, the messages found, then `next_offset` (where the next pull continues). */
export async function pullMessage(
  services: ProxyServices,
  request: PullMessageRequest,
  context: ProxyContext,
  write: (frame: PullMessageResponse) => void,
): Promise<void> {
  validatedGroup(request.group, context);
  const { topic, placement, queueId } = await namedQueue(services, request.messageQueue, context);
  const offset = checkedOffset(request.offset);
  const batchSize = Math.min(Math.max(request.batchSize || 1, 1), limits.receiveBatchSizeMax);
  const filter = filterOf(request);
  const pollTimeoutMs = pollingTime(request, context, services.clock.nowMs());
  const store = await storeOf(services, placement.storeNode);
  const pulled = await store.pullMessages({ topic, queueId, offset, batchSize, filter, pollTimeoutMs }, context.signal);
  const wireTopic = wireResource(topic, namespaceOf(request.messageQueue?.topic, context));
  const nowMs = services.clock.nowMs();
  write({ content: { $case: 'status', value: ok() } });
  for (const message of pulled.messages) {
    write({ content: { $case: 'message', value: toWireMessage({ message, deliveryAttempt: 1, popGeneration: 0, invisibleUntilMs: nowMs }, wireTopic, NO_RECEIPT_HANDLE, nowMs) } });
  }
  write({ content: { $case: 'nextOffset', value: pulled.nextOffset } });
}

/** pullFailureFrames is what a failed PullMessage streams: its status alone. */
export function pullFailureFrames(failed: Status): PullMessageResponse[] {
  return [{ content: { $case: 'status', value: failed } }];
}

/** UpdateOffset commits the group's next offset on the queue. */
export async function updateOffset(services: ProxyServices, request: UpdateOffsetRequest, context: ProxyContext): Promise<UpdateOffsetResponse> {
  const group = validatedGroup(request.group, context);
  const { topic, placement, queueId } = await namedQueue(services, request.messageQueue, context);
  const offset = checkedOffset(request.offset);
  await services.groups.known(group);
  const store = await storeOf(services, placement.storeNode);
  await store.commitOffset({ group, topic, queueId, offset });
  return { status: ok() };
}

/** GetOffset reads the group's committed offset on the queue; a group that never consumed it gets its start position. */
export async function getOffset(services: ProxyServices, request: GetOffsetRequest, context: ProxyContext): Promise<GetOffsetResponse> {
  const group = validatedGroup(request.group, context);
  const { topic, placement, queueId } = await namedQueue(services, request.messageQueue, context);
  const { start } = await knownGroup(services, group, topic);
  const store = await storeOf(services, placement.storeNode);
  const { offsets } = await store.seedOffsets({ group, topic, queueIds: [queueId], start });
  const offset = offsets.find((entry) => entry.queueId === queueId)?.offset;
  if (offset === undefined) throw new ProxyFailure(Code.INTERNAL_SERVER_ERROR, `the offset of queue ${queueId} could not be read`);
  return { status: ok(), offset };
}

/** QueryOffset resolves the queue's first offset (BEGINNING), its end (END) or the first offset stored at or after a time (TIMESTAMP). */
export async function queryOffset(services: ProxyServices, request: QueryOffsetRequest, context: ProxyContext): Promise<QueryOffsetResponse> {
  const { topic, placement, queueId } = await namedQueue(services, request.messageQueue, context);
  const store = await storeOf(services, placement.storeNode);
  switch (request.queryOffsetPolicy) {
    case QueryOffsetPolicy.BEGINNING:
      return { status: ok(), offset: await store.queryOffset({ topic, queueId, policy: StoreOffsetQuery.Beginning }) };
    case QueryOffsetPolicy.END:
      return { status: ok(), offset: await store.queryOffset({ topic, queueId, policy: StoreOffsetQuery.End }) };
    case QueryOffsetPolicy.TIMESTAMP: {
      if (request.timestamp === undefined) throw new ProxyFailure(Code.BAD_REQUEST, 'a TIMESTAMP query needs a timestamp');
      const timestampMs = timestampToMs(request.timestamp);
      if (!Number.isSafeInteger(timestampMs) || timestampMs < 0) throw new ProxyFailure(Code.BAD_REQUEST, 'the timestamp must not be before 1970');
      return { status: ok(), offset: await store.queryOffset({ topic, queueId, policy: StoreOffsetQuery.Timestamp, timestampMs }) };
    }
    default:
      throw new ProxyFailure(Code.BAD_REQUEST, `unknown query offset policy ${String(request.queryOffsetPolicy)}`);
  }
}
