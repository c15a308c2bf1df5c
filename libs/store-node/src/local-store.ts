/**
 * openLocalStore opens a store node's storage under `dataDir` (one LevelDB in
 * `<dataDir>/leveldb` holding messages, indexes and consumer state) and returns the node's
 * LocalStoreService. Standalone and the cluster store node both start here.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';

import type { Clock } from '@quiver/core';
import { KeyValuePopState } from '@quiver/consumption';
import type { StartPosition } from '@quiver/consumption';
import { KeyValueQueueLog, LevelKeyValueStore } from '@quiver/storage';
import type { CorruptedQueue, FlushMode } from '@quiver/storage';

import { LocalStoreService } from './local-store.service';
import type { TransactionFinalOutcome } from './transactions';

export interface OpenLocalStoreOptions {
  /** dataDir is the node's data directory; created if missing. */
  dataDir: string;
  /** storeNodeName is the node's name in routes (the broker name). */
  storeNodeName: string;
  /** storeHost is recorded on every stored message as its store host (`ip:port`). */
  storeHost: string;
  clock: Clock;
  /** flushMode: `sync` resolves an append after fsync, `async` once LevelDB took it. */
  flushMode: FlushMode;
  /** startPosition is where a new consumer group starts on each queue. @default 'earliest' */
  startPosition?: StartPosition;
  /** transactionFinalOutcome resolves a transaction still unresolved after its last orphan check. @default 'rollback' */
  transactionFinalOutcome?: TransactionFinalOutcome;
}

export interface LocalStore {
  service: LocalStoreService;
  /** corruptedQueues lists queues that stopped serving, for status reporting. */
  corruptedQueues(): CorruptedQueue[];
  /** close stops the service, then closes the database. */
  close(): Promise<void>;
}

/** LEVELDB_DIRECTORY is the database's directory inside the data directory. */
export const LEVELDB_DIRECTORY = 'leveldb';

export async function openLocalStore(options: OpenLocalStoreOptions): Promise<LocalStore> {
  await mkdir(options.dataDir, { recursive: true });
  const store = await LevelKeyValueStore.open(path.join(options.dataDir, LEVELDB_DIRECTORY));
  try {
    const queueLog = await KeyValueQueueLog.open({ store, clock: options.clock, storeHost: options.storeHost, flushMode: options.flushMode });
    const popState = await KeyValuePopState.open({
      store,
      queueLog,
      clock: options.clock,
      ...(options.startPosition !== undefined ? { startPosition: options.startPosition } : {}),
    });
    const service = new LocalStoreService({
      queueLog,
      popState,
      store,
      clock: options.clock,
      storeNodeName: options.storeNodeName,
      ...(options.transactionFinalOutcome !== undefined ? { transactionFinalOutcome: options.transactionFinalOutcome } : {}),
    });
    return {
      service,
      corruptedQueues: () => service.corruptedQueues(),
      close: async () => {
        try {
          await service.close();
        } finally {
          await store.close();
        }
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}
