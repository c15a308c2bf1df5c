/**
 * openLocalStore opens a store node's storage under `dataDir` and returns the node's
 * LocalStoreService. Standalone and the cluster store node both start here. Two LevelDBs:
 * `<dataDir>/leveldb` holds messages, indexes, timers and transactions (every write of it that
 * acknowledges a producer is fsynced); `<dataDir>/consumer-state` holds pop cursors and
 * in-flight records (written without fsync), so a pop's or an ack's write never waits behind
 * an append's fsync in LevelDB's single writer queue. Consumer state an older data directory
 * kept in `leveldb` is moved at open, before anything serves. `<dataDir>/commit-log` holds the
 * records of large group-commit batches in append-only segment files (FileRecordLog), which
 * `leveldb` points at; a LevelDB record log (`<dataDir>/records`) is moved there at open.
 */
import { access, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';

import type { Clock } from '@quiver/core';
import { KeyValuePopState, moveConsumerState } from '@quiver/consumption';
import type { StartPosition } from '@quiver/consumption';
import { FileRecordLog, KeyValueQueueLog, KeyValueRecordLog, LevelKeyValueStore, moveRecordLog } from '@quiver/storage';
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

/** LEVELDB_DIRECTORY is the message database's directory inside the data directory. */
export const LEVELDB_DIRECTORY = 'leveldb';

/** CONSUMER_STATE_DIRECTORY is the consumer-state database's directory inside the data directory. */
export const CONSUMER_STATE_DIRECTORY = 'consumer-state';

/** RECORD_LOG_DIRECTORY is the record log's directory (message records in append order, in segment files: FileRecordLog) inside the data directory. */
export const RECORD_LOG_DIRECTORY = 'commit-log';

/** LEVELDB_RECORD_LOG_DIRECTORY is where data directories before the commit log kept the record log, in a LevelDB; open moves it. */
export const LEVELDB_RECORD_LOG_DIRECTORY = 'records';

export async function openLocalStore(options: OpenLocalStoreOptions): Promise<LocalStore> {
  await mkdir(options.dataDir, { recursive: true });
  const store = await LevelKeyValueStore.open(path.join(options.dataDir, LEVELDB_DIRECTORY));
  let stateStore: LevelKeyValueStore;
  let recordLog: FileRecordLog;
  try {
    stateStore = await LevelKeyValueStore.open(path.join(options.dataDir, CONSUMER_STATE_DIRECTORY));
  } catch (error) {
    await store.close();
    throw error;
  }
  try {
    recordLog = await openRecordLog(options.dataDir);
  } catch (error) {
    await Promise.all([store.close(), stateStore.close()]);
    throw error;
  }
  try {
    const queueLog = await KeyValueQueueLog.open({ store, recordLog, clock: options.clock, storeHost: options.storeHost, flushMode: options.flushMode });
    await moveConsumerState(store, stateStore);
    const popState = await KeyValuePopState.open({
      store: stateStore,
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
          await Promise.all([store.close(), stateStore.close(), recordLog.close()]);
        }
      },
    };
  } catch (error) {
    await Promise.all([store.close(), stateStore.close(), recordLog.close()]);
    throw error;
  }
}

/**
 * openRecordLog opens the data directory's commit log, first moving a LevelDB record log into it
 * (same sequences, so the index's pointers hold). The LevelDB goes only once the move is
 * durable; a move a crash cut short starts over.
 */
async function openRecordLog(dataDir: string): Promise<FileRecordLog> {
  const directory = path.join(dataDir, RECORD_LOG_DIRECTORY);
  const legacyDirectory = path.join(dataDir, LEVELDB_RECORD_LOG_DIRECTORY);
  if (!(await exists(legacyDirectory))) return FileRecordLog.open(directory);
  await rm(directory, { recursive: true, force: true });
  const legacy = new KeyValueRecordLog(await LevelKeyValueStore.open(legacyDirectory));
  let recordLog: FileRecordLog | undefined;
  try {
    recordLog = await FileRecordLog.open(directory);
    await moveRecordLog(legacy, recordLog);
  } catch (error) {
    await recordLog?.close();
    throw error;
  } finally {
    await legacy.close();
  }
  await rm(legacyDirectory, { recursive: true, force: true });
  return recordLog;
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}
