import path from 'node:path';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { systemClock } from '@quiver/core';
import { GrpcNameServerClient, internalFlowControlWindows, internalServerOptions, serveStoreService, widenFlowControlWindows } from '@quiver/client';
import { commandSpec, limits, storeNodeConfigSchema, type StoreNodeConfig } from '@quiver/config';
import { runMain, type Logger } from '@quiver/telemetry';
import { openLocalStore } from './local-store';

/**
 * runStoreNode serves one store node over the internal gRPC protocol and keeps it registered
 * with the name server by heartbeat (cluster mode).
 */
export async function runStoreNode(config: StoreNodeConfig, logger: Logger): Promise<{ port: number; name: string; close(): Promise<void> }> {
  const server = new Server(internalServerOptions());
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${config.host}:${config.port}`, ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  if (!widenFlowControlWindows(server, internalFlowControlWindows)) logger.warn('this grpc-js hides its HTTP/2 servers: internal flow-control windows stay at 64 KiB');
  const name = config.name ?? `store-${port}`;
  const address = `${config.advertisedHost}:${port}`;
  const store = await openLocalStore({
    dataDir: path.join(config.dataDir, 'store'),
    storeNodeName: name,
    storeHost: address,
    clock: systemClock,
    flushMode: config.flushMode,
    transactionFinalOutcome: config.transactionFinalOutcome,
  });
  serveStoreService(server, store.service);

  const nameServer = new GrpcNameServerClient(config.nameServer);
  let registered = false;
  const heartbeat = async (): Promise<void> => {
    try {
      await nameServer.heartbeatStoreNode({ name, address });
      if (!registered) logger.info({ name, address, nameServer: config.nameServer }, 'registered with the name server');
      registered = true;
    } catch (error) {
      if (registered) logger.warn({ err: error, nameServer: config.nameServer }, 'heartbeat to the name server failed');
      registered = false;
    }
  };
  await heartbeat();
  const timer = setInterval(() => void heartbeat(), limits.storeNodeHeartbeatIntervalMs);
  timer.unref();
  logger.info({ name, port, flushMode: config.flushMode }, 'store node listening');
  return {
    port,
    name,
    close: async () => {
      clearInterval(timer);
      await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
      await store.close();
      nameServer.close();
    },
  };
}

/** storeNodeMain is `quiver store-node`: the whole process, from argv to exit code. */
export function storeNodeMain(argv: string[]): Promise<number> {
  return runMain(commandSpec('store-node'), argv, storeNodeConfigSchema, async (config, logger) => {
    const running = await runStoreNode(config, logger);
    return { details: { port: running.port, name: running.name }, close: running.close };
  });
}
