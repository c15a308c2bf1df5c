import { isQuiverError, QuiverError, QuiverErrorCode } from '@quiver/core';
import type { TransactionResolution as StoreResolution } from '@quiver/client';
import type { ProxyContext } from '../../context';
import type { ProxyServices } from '../../processor/proxy-services';
import { ok, ProxyFailure } from '../../status';
import { Code, TransactionResolution, type EndTransactionRequest, type EndTransactionResponse } from '../../wire';
import { storeOf } from '../consumer/consumer-common';
import { validatedTopic } from '../route/query-route.activity';

/**
 * EndTransaction (PROTOCOL.md 6.9, 7.12): commit or roll back a half message, from the
 * producer (SOURCE_CLIENT) or after an orphan check (SOURCE_SERVER_CHECK). The client names only
 * the topic and the transaction, so the half message's store node is found by asking the
 * topic's store nodes in turn; only the one holding it answers other than MESSAGE_NOT_FOUND.
 * A blank, unknown or conflicting transaction ID is INVALID_TRANSACTION_ID; repeating a
 * resolution is OK; UNSPECIFIED is a no-op.
 */
export async function endTransaction(services: ProxyServices, request: EndTransactionRequest, context: ProxyContext): Promise<EndTransactionResponse> {
  const topic = validatedTopic(request.topic, context);
  const transactionId = request.transactionId.trim();
  if (transactionId === '') throw new ProxyFailure(Code.INVALID_TRANSACTION_ID, 'transaction id is blank');
  const resolution = storeResolutionOf(request.resolution);
  if (resolution === undefined) return { status: ok() };
  const route = await services.routes.routeOrCreate(topic, false);
  let unreachable: unknown;
  for (const placement of route.placements) {
    try {
      const store = await storeOf(services, placement.storeNode);
      await store.endTransaction({ topic, transactionId, resolution });
      return { status: ok() };
    } catch (error) {
      if (isQuiverError(error, QuiverErrorCode.MessageNotFound)) continue;
      if (isQuiverError(error, QuiverErrorCode.BadRequest)) {
        throw new ProxyFailure(Code.INVALID_TRANSACTION_ID, `transaction ${transactionId} is resolved the other way already`);
      }
      // A node that cannot answer may hold it: keep asking the others, and report it if none does.
      unreachable = error;
    }
  }
  if (unreachable !== undefined) throw unreachable;
  if (route.placements.length === 0) throw new QuiverError(QuiverErrorCode.StoreUnavailable, `no store node holds topic ${topic}`, { retriable: true });
  throw new ProxyFailure(Code.INVALID_TRANSACTION_ID, `no transaction ${transactionId} on topic ${topic}`);
}

function storeResolutionOf(resolution: TransactionResolution): StoreResolution | undefined {
  if (resolution === TransactionResolution.COMMIT) return 'COMMIT';
  if (resolution === TransactionResolution.ROLLBACK) return 'ROLLBACK';
  return undefined;
}
