import { ManualClock, MessageKind, TopicMessageType } from '@quiver/core';
import type { OrphanedTransaction, RecordTransactionCheckRequest, StoreService, TopicRoute } from '@quiver/client';
import { silentLogger } from '@quiver/telemetry';
import { OrphanChecker } from './orphan-checker';
import { ProducerStreams, type ProducerStream } from './producer-streams';
import type { TelemetryCommand } from '../wire';

const START_MS = 1_700_000_000_000;

function orphan(transactionId: string): OrphanedTransaction {
  return {
    transactionId,
    checkCount: 0,
    message: {
      messageId: transactionId,
      keys: [],
      userProperties: { color: 'blue' },
      body: Buffer.from('half'),
      bodyGzipped: false,
      bornTimestampMs: START_MS,
      bornHost: 'producer-host',
      kind: MessageKind.Transaction,
      topic: 'ns%orders',
      queueId: 1,
      queueOffset: 0,
      storeTimestampMs: START_MS,
      storeHost: 'store-a',
    },
  };
}

function setUp(orphans: OrphanedTransaction[]) {
  const clock = new ManualClock(START_MS);
  const recorded: RecordTransactionCheckRequest[] = [];
  const asked: string[] = [];
  const store = {
    orphanedTransactions: async (request: { topic: string }) => {
      asked.push(request.topic);
      return { transactions: orphans };
    },
    recordTransactionCheck: async (request: RecordTransactionCheckRequest) => {
      recorded.push(request);
    },
  } as unknown as StoreService;
  const route: TopicRoute = { name: 'ns%orders', messageType: TopicMessageType.Transaction, placements: [{ storeNode: 'store-a', address: '', queueCount: 4, live: true }] };
  const producers = new ProducerStreams();
  const checker = new OrphanChecker(clock, silentLogger, { route: async () => route }, async () => store, producers);
  return { checker, producers, recorded, asked };
}

describe('OrphanChecker - orphan checks through producer streams', () => {
  it('check - an orphan goes to a producer stream of its topic as a delivered-style message with its plain topic name, then the check is recorded', async () => {
    const { checker, producers, recorded } = setUp([orphan('tx-1')]);
    const written: TelemetryCommand[] = [];
    const stream: ProducerStream = { clientId: 'p1', namespace: 'ns', write: (command) => written.push(command) > 0 };
    producers.register(stream, ['ns%orders']);

    await checker.scan();

    expect(written).toHaveLength(1);
    const command = written[0]!.command;
    expect(command?.$case).toBe('recoverOrphanedTransactionCommand');
    if (command?.$case !== 'recoverOrphanedTransactionCommand') return;
    expect(command.value.transactionId).toBe('tx-1');
    expect(command.value.message?.topic).toEqual({ resourceNamespace: 'ns', name: 'orders' });
    expect(command.value.message?.systemProperties?.messageId).toBe('tx-1');
    expect(command.value.message?.systemProperties?.bodyDigest?.checksum).toMatch(/^[0-9A-F]{32}$/);
    expect(command.value.message?.userProperties).toEqual({ color: 'blue' });
    expect(recorded).toEqual([{ topic: 'ns%orders', transactionId: 'tx-1' }]);
  });

  it('unwritable - a check that reached no producer is not recorded; no producer, no scan', async () => {
    const { checker, producers, recorded, asked } = setUp([orphan('tx-1')]);
    await checker.scan();
    expect(asked).toEqual([]);
    producers.register({ clientId: 'p1', namespace: 'ns', write: () => false }, ['ns%orders']);
    await checker.scan();
    expect(asked).toEqual(['ns%orders']);
    expect(recorded).toEqual([]);
  });
});
