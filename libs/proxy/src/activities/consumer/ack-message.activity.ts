import { AckOutcome, type HandOut } from '@quiver/client';
import type { ProxyContext } from '../../context';
import type { ProxyServices } from '../../processor/proxy-services';
import { combinedStatus, ok, ProxyFailure, status, toStatus } from '../../status';
import { Code, type AckMessageRequest, type AckMessageResponse, type AckMessageResultEntry, type Status } from '../../wire';
import { validatedTopic } from '../route/query-route.activity';
import { checkedHandle, storeOf, validatedGroup } from './consumer-common';

/** Entries in one AckMessage call; the official clients send one, batching tools a few hundred. */
const ACK_ENTRIES_MAX = 1024;

/**
 * AckMessage: each entry's handle is verified here, then entries are acked in one call per
 * store node. One result per entry; the top-level status is their common code.
 */
export async function ackMessage(services: ProxyServices, request: AckMessageRequest, context: ProxyContext): Promise<AckMessageResponse> {
  const group = validatedGroup(request.group, context);
  const topic = validatedTopic(request.topic, context);
  const entries = request.entries ?? [];
  if (entries.length === 0) throw new ProxyFailure(Code.BAD_REQUEST, 'no entry to ack');
  if (entries.length > ACK_ENTRIES_MAX) throw new ProxyFailure(Code.BAD_REQUEST, `at most ${ACK_ENTRIES_MAX} entries per ack`);

  const results: Status[] = new Array<Status>(entries.length);
  const byNode = new Map<string, Array<{ index: number; handOut: HandOut }>>();
  // One codec and one clock reading for the whole batch; each handle is then checked synchronously.
  const codec = await services.handles();
  const nowMs = services.clock.nowMs();
  for (let index = 0; index < entries.length; index++) {
    try {
      const handle = checkedHandle(codec, nowMs, entries[index]!.receiptHandle, group, topic);
      let pending = byNode.get(handle.storeNode);
      if (pending === undefined) {
        pending = [];
        byNode.set(handle.storeNode, pending);
      }
      pending.push({ index, handOut: { queueId: handle.queueId, offset: handle.offset, popGeneration: handle.popGeneration } });
    } catch (error) {
      results[index] = toStatus(error, services.logger);
    }
  }
  await Promise.all(
    [...byNode].map(async ([storeNode, pending]) => {
      try {
        const store = await storeOf(services, storeNode);
        const { outcomes } = await store.ackMessages({ group, topic, entries: pending.map((item) => item.handOut) });
        pending.forEach((item, i) => {
          services.autoRenewer.forget(group, topic, storeNode, item.handOut);
          results[item.index] =
            outcomes[i] === AckOutcome.Ok ? ok() : status(Code.INVALID_RECEIPT_HANDLE, 'receipt handle is stale or expired');
        });
      } catch (error) {
        const failed = toStatus(error, services.logger);
        pending.forEach((item) => (results[item.index] = failed));
      }
    }),
  );
  const resultEntries: AckMessageResultEntry[] = entries.map((entry, index) => ({
    messageId: entry.messageId,
    receiptHandle: entry.receiptHandle,
    status: results[index]!,
  }));
  return { status: combinedStatus(results), entries: resultEntries };
}
