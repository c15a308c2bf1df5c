import { QuiverError, QuiverErrorCode, StartPolicy, type StartPosition } from '@quiver/core';
import { groupStartPosition, type ConsumerGroupConfig, type StoreService } from '@quiver/client';
import { isRetryOrDeadLetterTopic, validateConsumerGroupName } from '@quiver/protocol';
import type { ProxyContext } from '../../context';
import { storedName } from '../../converters/resources';
import type { ProxyServices } from '../../processor/proxy-services';
import type { ReceiptHandle, ReceiptHandleCodec } from '../../services/receipt-handle';
import { ProxyFailure } from '../../status';
import { Code, type Resource } from '../../wire';

/** Dead-letter topics get one queue per store node: they are read rarely and in bulk. */
export const DEAD_LETTER_QUEUE_COUNT = 1;

/** validatedGroup checks a consumer group name and returns its stored name; throws ProxyFailure. */
export function validatedGroup(resource: Resource | undefined, context: ProxyContext): string {
  const problem = validateConsumerGroupName(resource?.name ?? '');
  if (problem) throw new ProxyFailure(problem.code, problem.message);
  return storedName(resource, context);
}

/**
 * resolveHandle decodes a receipt handle issued for this group and topic. Forged, foreign and
 * (unless auto-renewed) expired handles are INVALID_RECEIPT_HANDLE without a store round trip.
 */
export async function resolveHandle(services: ProxyServices, encoded: string, group: string, topic: string): Promise<ReceiptHandle> {
  return checkedHandle(await services.handles(), services.clock.nowMs(), encoded, group, topic);
}

/** checkedHandle is resolveHandle with the codec at hand, for calls that resolve many handles (an ack of a batch). */
export function checkedHandle(codec: ReceiptHandleCodec, nowMs: number, encoded: string, group: string, topic: string): ReceiptHandle {
  const handle = codec.decode(encoded, group, topic);
  if (!handle) throw new ProxyFailure(Code.INVALID_RECEIPT_HANDLE, 'receipt handle is malformed or was not issued for this group and topic');
  if (!handle.autoRenew && handle.invisibleUntilMs <= nowMs) {
    throw new ProxyFailure(Code.INVALID_RECEIPT_HANDLE, 'receipt handle has expired');
  }
  return handle;
}

/**
 * knownGroup returns a consuming group's configuration (recording a group never seen before;
 * see GroupService.known) and where it starts on `topic` when it never consumed a queue there:
 * its own start policy or the cluster's. Retry and dead-letter topics are always read from
 * their first message (PROTOCOL.md 7.2).
 */
export async function knownGroup(services: ProxyServices, group: string, topic: string): Promise<{ config: ConsumerGroupConfig; start: StartPosition }> {
  const [config, identity] = await Promise.all([services.groups.known(group), services.routes.clusterIdentity()]);
  const start = isRetryOrDeadLetterTopic(topic) ? { policy: StartPolicy.Earliest } : groupStartPosition(config, identity.defaultStartPolicy);
  return { config, start };
}

export async function storeOf(services: ProxyServices, storeNode: string): Promise<StoreService> {
  const store = await services.stores.storeFor(storeNode);
  if (!store) throw new QuiverError(QuiverErrorCode.StoreUnavailable, `store node ${storeNode} is not reachable`, { retriable: true });
  return store;
}
