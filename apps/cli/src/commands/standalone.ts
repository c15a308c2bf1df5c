import path from 'node:path';
import { systemClock } from '@quiver/core';
import { limits, type StandaloneConfig } from '@quiver/config';
import { openNameServer } from '@quiver/name-server';
import { FixedStoreDirectory, startProxy } from '@quiver/proxy';
import { openLocalStore } from '@quiver/store-node';
import type { Logger } from '@quiver/telemetry';

/** The one store node of a standalone process; its name appears as the broker name in routes. */
const STANDALONE_STORE_NODE = 'standalone-store';

/**
 * runStandalone wires name server, store node and proxy in one process: the same code as the
 * cluster, with in-process calls instead of the internal gRPC protocol.
 */
export async function runStandalone(config: StandaloneConfig, logger: Logger): Promise<{ port: number; adminPort: number; close(): Promise<void> }> {
  const nameServer = await openNameServer({
    dataDir: config.dataDir,
    clusterName: 'standalone',
    autoCreateTopics: config.autoCreateTopics,
    defaultQueueCount: config.defaultQueueCount,
    groupStartPolicy: config.groupStartPolicy,
  });
  const store = await openLocalStore({
    dataDir: path.join(config.dataDir, 'store'),
    storeNodeName: STANDALONE_STORE_NODE,
    storeHost: `127.0.0.1:${config.port}`,
    clock: systemClock,
    flushMode: config.flushMode,
    transactionFinalOutcome: config.transactionFinalOutcome,
  });
  const heartbeat = (): Promise<unknown> => nameServer.heartbeatStoreNode({ name: STANDALONE_STORE_NODE, address: '' });
  await heartbeat();
  const heartbeatTimer = setInterval(() => void heartbeat(), limits.storeNodeHeartbeatIntervalMs);
  heartbeatTimer.unref();
  const proxy = await startProxy({
    host: config.host,
    port: config.port,
    adminPort: config.adminPort,
    nameServer,
    stores: new FixedStoreDirectory(new Map([[STANDALONE_STORE_NODE, store.service]])),
    clock: systemClock,
    logger,
    ...(config.advertisedEndpoint ? { advertisedEndpoint: config.advertisedEndpoint } : {}),
    maxDelayMs: config.maxDelayMs,
  });
  logger.info({ port: proxy.port, adminPort: proxy.adminPort, dataDir: config.dataDir, flushMode: config.flushMode }, 'standalone listening');
  return {
    port: proxy.port,
    adminPort: proxy.adminPort,
    close: async () => {
      clearInterval(heartbeatTimer);
      await proxy.close();
      await store.close();
      await nameServer.close();
    },
  };
}
