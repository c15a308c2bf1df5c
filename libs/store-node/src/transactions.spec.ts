import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { PopRequest } from '@quiver/client';
import { KeyValuePopState } from '@quiver/consumption';
import { FilterType, isQuiverError, ManualClock, MessageKind, QuiverErrorCode } from '@quiver/core';
import type { MessageToStore } from '@quiver/core';
import { KeyValueQueueLog, MemoryKeyValueStore } from '@quiver/storage';

import { openLocalStore } from './local-store';
import { LocalStoreService } from './local-store.service';
import { TRANSACTION_CHECK_IMMUNITY_MS_DEFAULT, TRANSACTION_CHECK_INTERVAL_MS } from './limits';
import { TRANSACTION_ID_PROPERTY, Transactions, type TransactionFinalOutcome } from './transactions';

const START_MS = 1_700_000_000_000;

let sequence = 0;
function half(overrides: Partial<MessageToStore> = {}): MessageToStore {
  sequence += 1;
  return {
    messageId: `tx-${sequence}`,
    keys: ['k'],
    userProperties: { color: 'blue' },
    body: Buffer.from(`half ${sequence}`),
    bodyGzipped: false,
    bornTimestampMs: START_MS,
    bornHost: 'producer-host',
    kind: MessageKind.Transaction,
    ...overrides,
  };
}

const popRequest: PopRequest = {
  group: 'g',
  topic: 't',
  queueCount: 4,
  batchSize: 32,
  invisibleDurationMs: 30_000,
  filter: { type: FilterType.Tag, expression: '*' },
  pollTimeoutMs: 0,
};

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

async function createNode(transactionChecksMax?: number, transactionFinalOutcome?: TransactionFinalOutcome) {
  const clock = new ManualClock(START_MS);
  const store = new MemoryKeyValueStore();
  const queueLog = await KeyValueQueueLog.open({ store, clock, storeHost: '127.0.0.1:10911' });
  const popState = await KeyValuePopState.open({ store, queueLog, clock });
  const service = new LocalStoreService({
    queueLog,
    popState,
    store,
    clock,
    storeNodeName: 'store-a',
    ...(transactionChecksMax !== undefined ? { transactionChecksMax } : {}),
    ...(transactionFinalOutcome !== undefined ? { transactionFinalOutcome } : {}),
  });
  return { clock, service };
}

async function delivered(service: LocalStoreService): Promise<string[]> {
  return (await service.popMessages(popRequest)).messages.map((popped) => popped.message.messageId);
}

describe('Transactions - half messages', () => {
  it('commit - a half message is invisible until committed, then delivered once with its ID, properties and __transactionId__', async () => {
    const { service } = await createNode();
    const sent = half();
    const prepared = await service.prepareTransaction({ topic: 't', queueId: 1, message: sent });
    expect(prepared.transactionId).toBe(sent.messageId);
    expect(await delivered(service)).toEqual([]);

    await expect(service.endTransaction({ topic: 't', transactionId: sent.messageId, resolution: 'COMMIT' })).resolves.toEqual({ messageId: sent.messageId });
    const [popped] = (await service.popMessages(popRequest)).messages;
    expect(popped?.message.messageId).toBe(sent.messageId);
    expect(popped?.message.queueId).toBe(1);
    expect(popped?.message.userProperties).toEqual({ color: 'blue', [TRANSACTION_ID_PROPERTY]: sent.messageId });
    expect(Buffer.from(popped!.message.body).toString()).toBe(Buffer.from(sent.body).toString());

    // Idempotent: a second commit answers OK and delivers nothing more.
    await expect(service.endTransaction({ topic: 't', transactionId: sent.messageId, resolution: 'COMMIT' })).resolves.toEqual({ messageId: sent.messageId });
    expect(await delivered(service)).toEqual([]);
    await service.close();
  });

  it('rollback - a rolled-back half message is never delivered; rollback again is OK, commit after it is refused', async () => {
    const { service } = await createNode();
    const sent = half();
    await service.prepareTransaction({ topic: 't', queueId: 0, message: sent });
    await service.endTransaction({ topic: 't', transactionId: sent.messageId, resolution: 'ROLLBACK' });
    await expect(service.endTransaction({ topic: 't', transactionId: sent.messageId, resolution: 'ROLLBACK' })).resolves.toEqual({ messageId: sent.messageId });
    const conflicting = await rejection(service.endTransaction({ topic: 't', transactionId: sent.messageId, resolution: 'COMMIT' }));
    expect(isQuiverError(conflicting, QuiverErrorCode.BadRequest)).toBe(true);
    expect(await delivered(service)).toEqual([]);
    await service.close();
  });

  it('unknown - an unknown transaction, or one of another topic, is MESSAGE_NOT_FOUND', async () => {
    const { service } = await createNode();
    const sent = half();
    await service.prepareTransaction({ topic: 't', queueId: 0, message: sent });
    const unknown = await rejection(service.endTransaction({ topic: 't', transactionId: 'nope', resolution: 'COMMIT' }));
    expect(isQuiverError(unknown, QuiverErrorCode.MessageNotFound)).toBe(true);
    const otherTopic = await rejection(service.endTransaction({ topic: 'u', transactionId: sent.messageId, resolution: 'COMMIT' }));
    expect(isQuiverError(otherTopic, QuiverErrorCode.MessageNotFound)).toBe(true);
    await service.close();
  });
});

describe('Transactions - orphan checks', () => {
  it('backoff - an unresolved transaction is orphaned after its check immunity, then again every check interval after each check', async () => {
    const { clock, service } = await createNode();
    const sent = half();
    await service.prepareTransaction({ topic: 't', queueId: 2, message: sent });
    clock.advance(TRANSACTION_CHECK_IMMUNITY_MS_DEFAULT - 1);
    expect((await service.orphanedTransactions({ topic: 't', limit: 10 })).transactions).toEqual([]);
    clock.advance(1);
    const [orphan] = (await service.orphanedTransactions({ topic: 't', limit: 10 })).transactions;
    expect(orphan?.transactionId).toBe(sent.messageId);
    expect(orphan?.checkCount).toBe(0);
    expect(orphan?.message.topic).toBe('t');
    expect(orphan?.message.queueId).toBe(2);
    expect(orphan?.message.userProperties).toEqual({ color: 'blue' });
    expect((await service.orphanedTransactions({ topic: 'other', limit: 10 })).transactions).toEqual([]);

    await service.recordTransactionCheck({ topic: 't', transactionId: sent.messageId });
    expect((await service.orphanedTransactions({ topic: 't', limit: 10 })).transactions).toEqual([]);
    clock.advance(TRANSACTION_CHECK_INTERVAL_MS);
    const [again] = (await service.orphanedTransactions({ topic: 't', limit: 10 })).transactions;
    expect(again?.checkCount).toBe(1);

    await service.endTransaction({ topic: 't', transactionId: sent.messageId, resolution: 'COMMIT' });
    clock.advance(TRANSACTION_CHECK_INTERVAL_MS);
    expect((await service.orphanedTransactions({ topic: 't', limit: 10 })).transactions).toEqual([]);
    expect(await delivered(service)).toEqual([sent.messageId]);
    await service.close();
  });

  it('immunity - a check immunity set on the message replaces the default; listings are paged by limit', async () => {
    const { clock, service } = await createNode();
    const late = half();
    await service.prepareTransaction({ topic: 't', queueId: 0, message: late, checkImmunityMs: 20_000 });
    const first = half();
    const second = half();
    await service.prepareTransaction({ topic: 't', queueId: 0, message: first });
    await service.prepareTransaction({ topic: 't', queueId: 0, message: second });
    clock.advance(TRANSACTION_CHECK_IMMUNITY_MS_DEFAULT);
    expect((await service.orphanedTransactions({ topic: 't', limit: 1 })).transactions.map((orphan) => orphan.transactionId)).toEqual([first.messageId]);
    expect((await service.orphanedTransactions({ topic: 't', limit: 10 })).transactions.map((orphan) => orphan.transactionId).sort()).toEqual(
      [first.messageId, second.messageId].sort(),
    );
    clock.advance(20_000 - TRANSACTION_CHECK_IMMUNITY_MS_DEFAULT);
    expect((await service.orphanedTransactions({ topic: 't', limit: 10 })).transactions).toHaveLength(3);
    await service.close();
  });

  it('max checks - a transaction that used up its checks is rolled back, never listed again nor delivered', async () => {
    const { clock, service } = await createNode(2);
    const sent = half();
    await service.prepareTransaction({ topic: 't', queueId: 0, message: sent });
    clock.advance(TRANSACTION_CHECK_IMMUNITY_MS_DEFAULT);
    for (let check = 0; check < 2; check++) {
      expect((await service.orphanedTransactions({ topic: 't', limit: 10 })).transactions).toHaveLength(1);
      await service.recordTransactionCheck({ topic: 't', transactionId: sent.messageId });
      clock.advance(TRANSACTION_CHECK_INTERVAL_MS);
    }
    expect((await service.orphanedTransactions({ topic: 't', limit: 10 })).transactions).toEqual([]);
    const late = await rejection(service.endTransaction({ topic: 't', transactionId: sent.messageId, resolution: 'COMMIT' }));
    expect(isQuiverError(late, QuiverErrorCode.BadRequest)).toBe(true);
    expect(await delivered(service)).toEqual([]);
    await service.close();
  });

  /** useUpChecks lists and checks `sent` `checks` times, one check interval apart, as proxies do. */
  async function useUpChecks(service: LocalStoreService, clock: ManualClock, transactionId: string, checks: number): Promise<void> {
    clock.advance(TRANSACTION_CHECK_IMMUNITY_MS_DEFAULT);
    for (let check = 0; check < checks; check++) {
      expect((await service.orphanedTransactions({ topic: 't', limit: 10 })).transactions.map((orphan) => orphan.transactionId)).toEqual([transactionId]);
      await service.recordTransactionCheck({ topic: 't', transactionId });
      clock.advance(TRANSACTION_CHECK_INTERVAL_MS);
    }
  }

  it('final outcome rollback - set explicitly, a transaction that used up its checks is rolled back and never delivered', async () => {
    const { clock, service } = await createNode(2, 'rollback');
    const sent = half();
    await service.prepareTransaction({ topic: 't', queueId: 2, message: sent });
    await useUpChecks(service, clock, sent.messageId, 2);
    expect((await service.orphanedTransactions({ topic: 't', limit: 10 })).transactions).toEqual([]);
    await expect(service.endTransaction({ topic: 't', transactionId: sent.messageId, resolution: 'ROLLBACK' })).resolves.toEqual({ messageId: sent.messageId });
    expect(await delivered(service)).toEqual([]);
    await service.close();
  });

  it('final outcome commit - a transaction that used up its checks is committed: delivered once with __transactionId__, never listed again', async () => {
    const { clock, service } = await createNode(2, 'commit');
    const sent = half();
    const other = half();
    await service.prepareTransaction({ topic: 't', queueId: 3, message: sent });
    await service.prepareTransaction({ topic: 't', queueId: 1, message: other, checkImmunityMs: 60 * 60 * 1000 });
    await useUpChecks(service, clock, sent.messageId, 2);
    expect(await delivered(service)).toEqual([]);

    expect((await service.orphanedTransactions({ topic: 't', limit: 10 })).transactions).toEqual([]);
    const popped = (await service.popMessages(popRequest)).messages;
    expect(popped.map((message) => message.message.messageId)).toEqual([sent.messageId]);
    expect(popped[0]!.message.body.toString()).toBe(sent.body.toString());
    expect(popped[0]!.message.queueId).toBe(3);
    expect(popped[0]!.message.userProperties).toEqual({ color: 'blue', [TRANSACTION_ID_PROPERTY]: sent.messageId });
    // Resolved like a producer's commit: repeating it is OK, the opposite is refused, nothing more is delivered.
    await expect(service.endTransaction({ topic: 't', transactionId: sent.messageId, resolution: 'COMMIT' })).resolves.toEqual({ messageId: sent.messageId });
    const late = await rejection(service.endTransaction({ topic: 't', transactionId: sent.messageId, resolution: 'ROLLBACK' }));
    expect(isQuiverError(late, QuiverErrorCode.BadRequest)).toBe(true);
    expect((await service.orphanedTransactions({ topic: 't', limit: 10 })).transactions).toEqual([]);
    expect(await delivered(service)).toEqual([]); // the one copy is in flight; a second would be visible
    await service.close();
  });

  it('final outcome commit - a long poll waiting on the topic is woken by the commit after the last check', async () => {
    const { clock, service } = await createNode(1, 'commit');
    const sent = half();
    await service.prepareTransaction({ topic: 't', queueId: 0, message: sent });
    await useUpChecks(service, clock, sent.messageId, 1);
    const waiting = service.popMessages({ ...popRequest, pollTimeoutMs: 20_000 });
    expect((await service.orphanedTransactions({ topic: 't', limit: 10 })).transactions).toEqual([]);
    expect((await waiting).messages.map((popped) => popped.message.messageId)).toEqual([sent.messageId]);
    await service.close();
  });

  it('final outcome - anything but rollback or commit is refused', () => {
    const store = new MemoryKeyValueStore();
    const clock = new ManualClock(START_MS);
    expect(
      () =>
        new Transactions({
          store,
          queueLog: {} as never,
          clock,
          onCommitted: () => undefined,
          finalOutcome: 'discard' as TransactionFinalOutcome,
        }),
    ).toThrow(/rollback or commit/);
  });
});

describe('Transactions - restart on LevelDB', () => {
  it('restart - half messages and their check schedule survive a reopen; commit after it delivers', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'quiver-transactions-'));
    const clock = new ManualClock(START_MS);
    const options = { dataDir, storeNodeName: 'store-a', storeHost: '127.0.0.1:10911', clock, flushMode: 'sync' as const };
    try {
      const first = await openLocalStore(options);
      const sent = half();
      await first.service.prepareTransaction({ topic: 't', queueId: 1, message: sent });
      await first.close();

      const second = await openLocalStore(options);
      try {
        expect(await delivered(second.service)).toEqual([]);
        clock.advance(TRANSACTION_CHECK_IMMUNITY_MS_DEFAULT);
        expect((await second.service.orphanedTransactions({ topic: 't', limit: 10 })).transactions.map((orphan) => orphan.transactionId)).toEqual([
          sent.messageId,
        ]);
        await second.service.endTransaction({ topic: 't', transactionId: sent.messageId, resolution: 'COMMIT' });
        expect(await delivered(second.service)).toEqual([sent.messageId]);
      } finally {
        await second.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
